// bench/events, encode only: CPU per record of kafkajs' produce-request encoding (partitioning
// and grouping as sendBatch does them, record encoding, record batch, CRC, request framing), with
// no broker and no network, in a process of its own: argv[2] `stock` or `tuned`. The same ~0.9 KB
// decision record and 64 keys as the levers, batches of `argv[3]` records over 6 partitions.
// Prints one `ENCODE-RESULT <json>` line.
import { TOPICS, toBusRecord } from '@authtrail/events';
import { createMurmur2Partitioner } from '../../libs/event-bus/src/kafka/fast-produce/murmur2-partitioner';
import { tunedKafkajs } from '../../libs/event-bus/src/kafka/fast-produce/tuned-kafkajs';
import { sampleDecisionEvent } from '../shared/sample-decision';

type ProduceRequest = (options: object) => { encode(): Promise<{ buffer: Buffer }> };
type Partitioner = (args: { topic: string; partitionMetadata: object[]; message: { key: string } }) => number;

const variant = process.argv[2] === 'tuned' ? 'tuned' : 'stock';
const batchSize = Number(process.argv[3] ?? 100);

async function main(): Promise<void> {
  if (variant === 'tuned') tunedKafkajs();
  const produceRequest = require('kafkajs/src/protocol/requests/produce/v3/request.js') as ProduceRequest;
  const groupMessagesPerPartition = require('kafkajs/src/producer/groupMessagesPerPartition.js') as (args: object) => Record<string, object[]>;
  const kafkajsPartitioner = (require('kafkajs/src/producer/partitioners/default/index.js') as () => Partitioner)();
  const partitioner = variant === 'tuned' ? (createMurmur2Partitioner() as unknown as Partitioner) : kafkajsPartitioner;
  const partitionMetadata = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
  const base = toBusRecord(TOPICS.decisions, sampleDecisionEvent('bench-events', false));
  const messages = Array.from({ length: batchSize }, (_, i) => ({ key: `bench-user-${i % 64}`, value: base.value, headers: base.headers }));
  const encodeBatch = async () => {
    const perPartition = groupMessagesPerPartition({ topic: 't', partitionMetadata, messages, partitioner });
    const partitions = Object.keys(perPartition).map((p) => ({ partition: Number(p), firstSequence: 0, messages: perPartition[p] }));
    const request = produceRequest({ acks: -1, timeout: 10_000, producerEpoch: 0, topicData: [{ topic: TOPICS.decisions, partitions }] });
    return (await request.encode()).buffer.length;
  };
  for (let i = 0; i < 300; i += 1) await encodeBatch(); // JIT
  let best = Infinity;
  for (let round = 0; round < 5; round += 1) {
    const cpu0 = process.threadCpuUsage();
    const batches = Math.ceil(40_000 / batchSize);
    for (let i = 0; i < batches; i += 1) await encodeBatch();
    const cpu = process.threadCpuUsage(cpu0);
    best = Math.min(best, (cpu.user + cpu.system) / (batches * batchSize));
  }
  console.log(`ENCODE-RESULT ${JSON.stringify({ variant, batchSize, microsPerRecord: best, replaced: variant === 'tuned' ? tunedKafkajs().replaced : [] })}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
