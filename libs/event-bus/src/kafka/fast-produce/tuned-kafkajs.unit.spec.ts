import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { groupMessagesPerPartition } from './partition-grouping';
import { frameRequest } from './request-framing';
import { TUNED_KAFKAJS_VERSION, tunedKafkajs } from './tuned-kafkajs';

const REPO = resolve(__dirname, '../../../../..');

// What the tuned producer runs (Node's own module cache, where the replacements live) against
// stock kafkajs as jest loads it (its own registry, untouched).
type ProduceRequest = (options: object) => { encode(): Promise<{ buffer: Buffer }> };
type RequestFraming = (input: { correlationId: number; clientId: string | null; request: { apiKey: number; apiVersion: number; encode(): Promise<{ buffer: Buffer }> } }) => Promise<{ buffer: Buffer }>;
type PartitionGrouping = (input: { topic: string; partitionMetadata: readonly unknown[]; messages: readonly unknown[]; partitioner: (args: { message: { key: string } }) => number }) => Record<string, unknown[]>;
const nodeRequire = (process.getBuiltinModule('node:module') as typeof import('node:module')).createRequire(__filename);
const stockProduceRequest = require('kafkajs/src/protocol/requests/produce/v3/request.js') as ProduceRequest;
const stockRequestFraming = require('kafkajs/src/protocol/request.js') as RequestFraming;
const stockPartitionGrouping = require('kafkajs/src/producer/groupMessagesPerPartition.js') as PartitionGrouping;
const StockEncoder = require('kafkajs/src/protocol/encoder.js') as new () => { writeBuffer(value: Buffer): unknown; buffer: Buffer };
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

  it('runs the produce request encoder, the request framing and the partition grouping of fast-produce in a process that makes a Kafka bus', () => {
    // A process of its own: here jest's global setup has loaded kafkajs into Node's module cache
    // already (when this file runs in band), so only the lazily loaded encoder could still be replaced.
    const probe = `
      const { mkdtempSync } = require('node:fs'), { tmpdir } = require('node:os'), { dirname, join } = require('node:path');
      const { createKafkaBus } = require('./libs/event-bus/src/kafka/kafka-bus');
      const { tunedKafkajs } = require('./libs/event-bus/src/kafka/fast-produce/tuned-kafkajs');
      const bus = createKafkaBus({ clientId: 'probe', brokers: ['127.0.0.1:9'], spoolDir: mkdtempSync(join(tmpdir(), 'tuned-kafkajs-')) });
      const src = join(dirname(require.resolve('kafkajs/package.json')), 'src');
      const mark = Symbol.for('authtrail.event-bus.tuned-kafkajs');
      const inUse = ['protocol/request.js', 'producer/groupMessagesPerPartition.js'].map((file) => require.cache[join(src, file)]?.exports?.[mark] === true);
      console.log(JSON.stringify({ replaced: tunedKafkajs().replaced, inUse }));
      bus.close().then(() => process.exit(0));
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', probe], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ replaced: ['produce request', 'request framing', 'partition grouping', 'pending-request checks'], inUse: [true, true] });
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

  it('frames any request to the same bytes as stock kafkajs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          correlationId: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
          clientId: fc.option(fc.string({ maxLength: 40, unit: 'grapheme' }), { nil: null }),
          apiKey: fc.nat(70),
          apiVersion: fc.nat(12),
          // Past kafkajs' first 512 bytes too, where its Encoder starts to grow.
          payload: fc.uint8Array({ maxLength: 3_000 }).map((b) => Buffer.from(b)),
        }),
        async ({ correlationId, clientId, apiKey, apiVersion, payload }) => {
          // The request's own encoding as kafkajs' request modules return it: an Encoder.
          const encode = async () => {
            const encoder = new StockEncoder();
            encoder.writeBuffer(payload);
            return encoder;
          };
          const input = { correlationId, clientId, request: { apiKey, apiVersion, encode } };
          const tuned = await frameRequest(input);
          const stock = await stockRequestFraming(input);
          expect(tuned.buffer.equals(stock.buffer)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('groups any batch by partition as stock kafkajs does: the same lists, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ key: fc.string({ maxLength: 8 }) }), { maxLength: 60 }), fc.nat(12), (messages, partitions) => {
        const input = {
          topic: 'authtrail.decisions.v1',
          partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({ partitionId })),
          messages,
          partitioner: ({ message }: { message: { key: string } }) => (partitions === 0 ? 0 : message.key.length % partitions),
        };
        const tuned = groupMessagesPerPartition(input);
        expect(tuned).toEqual(stockPartitionGrouping(input));
        expect(Object.keys(tuned)).toEqual(Object.keys(stockPartitionGrouping(input)));
        // The messages themselves, not copies.
        for (const group of Object.values(tuned)) for (const message of group) expect(messages).toContain(message);
      }),
      { numRuns: 200 },
    );
  });
});
