// Child process for the crash test: publishes while Kafka is unreachable until everything sits
// in the spool, prints "spooled", then waits to be killed (SIGKILL: no close, no flush).
// argv: spoolDir brokers topic run count
import { createKafkaBus } from '../index';
import { testRecord, testSecret } from './test-records';

const [spoolDir, brokers, topic, run, countText] = process.argv.slice(2);
const count = Number(countText);
const bus = createKafkaBus({ brokers: [brokers], clientId: 'crash-publisher', mode: 'buffered', spoolDir, memoryBufferRecords: 100 });
const secret = testSecret();

async function main(): Promise<void> {
  for (let seq = 0; seq < count; seq += 1) await bus.publisher.publish(testRecord(topic, run, seq, `key-${seq % 7}`, secret));
  for (let i = 0; i < 300 && bus.publisher.stats().spooled < count; i += 1) await new Promise((r) => setTimeout(r, 50));
  process.stdout.write(`${bus.publisher.stats().spooled === count ? 'spooled' : 'not spooled'}\n`);
  setInterval(() => undefined, 60_000);
}

void main();
