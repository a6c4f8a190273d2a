import fc from 'fast-check';
import { TUNED_KAFKAJS_VERSION, tunedKafkajs } from './tuned-kafkajs';

// What the tuned producer runs (Node's own module cache, where the replacements live) against
// stock kafkajs as jest loads it (its own registry, untouched).
type ProduceRequest = (options: object) => { encode(): Promise<{ buffer: Buffer }> };
const nodeRequire = (process.getBuiltinModule('node:module') as typeof import('node:module')).createRequire(__filename);
const stockProduceRequest = require('kafkajs/src/protocol/requests/produce/v3/request.js') as ProduceRequest;
const installedVersion = (require('kafkajs/package.json') as { version: string }).version;

const message = fc.record({
  key: fc.string({ maxLength: 40 }),
  value: fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
  headers: fc.constant(Object.freeze({ 'content-type': 'application/cloudevents+json' })),
  timestamp: fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }).map(String),
});

describe('tuned kafkajs', () => {
  it(`is kafkajs ${TUNED_KAFKAJS_VERSION}, the version the replacements were checked against (an upgrade must check them again)`, () => {
    expect(installedVersion).toBe(TUNED_KAFKAJS_VERSION);
  });

  it('runs the produce request encoder of fast-produce', () => {
    expect(tunedKafkajs().replaced).toEqual(['produce request']);
    expect(typeof tunedKafkajs().kafkajs.Kafka).toBe('function');
  });

  it('encodes a produce request to the same bytes as stock kafkajs, compressed or not, for any records', async () => {
    tunedKafkajs();
    const tunedProduceRequest = nodeRequire('kafkajs/src/protocol/requests/produce/v3/request.js') as ProduceRequest;
    const Long = require('kafkajs/src/utils/long.js') as { fromValue(value: bigint | number): unknown };
    await fc.assert(
      fc.asyncProperty(
        // kafkajs sends no empty partition (and an empty one would take Date.now() as its timestamp).
        fc.array(fc.array(message, { minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 3 }),
        fc.record({
          compression: fc.constantFrom(0, 1),
          acks: fc.constantFrom(-1, 0, 1),
          transactionalId: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
          producerId: fc.option(fc.bigInt({ min: 0n, max: 2n ** 62n }), { nil: undefined }),
          producerEpoch: fc.nat(32_767),
          firstSequence: fc.nat(2 ** 31 - 1),
        }),
        async (partitions, { producerId, firstSequence, ...request }) => {
          const topicData = [{ topic: 'authtrail.decisions.v1', partitions: partitions.map((messages, partition) => ({ partition, firstSequence, messages })) }];
          const options = { ...request, timeout: 10_000, topicData, ...(producerId === undefined ? {} : { producerId: Long.fromValue(producerId) }) };
          const tuned = await tunedProduceRequest(options).encode();
          const stock = await stockProduceRequest(options).encode();
          expect(tuned.buffer.equals(stock.buffer)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});
