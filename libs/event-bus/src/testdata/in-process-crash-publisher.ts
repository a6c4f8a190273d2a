// Child process for the in-process crash test: publishes records 0, 1, 2, … to a persisted topic
// and prints "acked <seq>" when publish() resolved, until it is SIGKILLed (no close, no flush).
// argv: dataDir topic mode commitIntervalMs
import { createInProcessBus } from '../index';
import type { PublishMode } from '../bus.port';
import { testRecord, testSecret } from './test-records';

const [dataDir, topic, mode, commitIntervalMs] = process.argv.slice(2);
const bus = createInProcessBus({ dataDir, persistTopics: [topic], mode: mode as PublishMode, commitIntervalMs: Number(commitIntervalMs) });
const secret = testSecret();

/** Eight publishers at a time, like concurrent requests, each taking a turn of the event loop per record as a request does. */
let next = 0;
async function publishForever(): Promise<void> {
  for (;;) {
    const seq = next++;
    await bus.publisher.publish(testRecord(topic, 'crash', seq, `key-${seq % 7}`, secret));
    process.stdout.write(`acked ${seq}\n`);
    await new Promise(setImmediate);
  }
}
for (let i = 0; i < 8; i += 1) void publishForever();
