// A drop-in for kafkajs 2.2.4's produce request v3 (`protocol/requests/produce/v3/request`; v4–v7
// reuse it): the same bytes, with each partition's record batch written into one buffer of its
// final size and the request into another. kafkajs nests six Encoders (batch body, batch, batch
// with offset, partition, topic, request), each starting at 512 zero-filled bytes, doubling as it
// grows and copying the whole batch again: at authn's batch sizes (~40 records of ~1 KB) that was
// as much CPU per record as the records themselves (bench/events, encode only).
//
//   ProduceRequest v3 => transactional_id nullable-string | acks int16 | timeout int32
//                        | [topic string | [partition int32 | record_set bytes]]
//   record_set        => base_offset int64 (0) | length int32 | partition_leader_epoch int32 (0)
//                        | magic int8 (2) | crc uint32 (CRC-32C of the rest) | attributes int16
//                        | last_offset_delta int32 | first_timestamp int64 | max_timestamp int64
//                        | producer_id int64 | producer_epoch int16 | base_sequence int32 | [record]
import { crc32c } from './crc32c';
import { encodeKafkaRecord, type EncodedKafkaRecord, type KafkaRecordInput } from './kafka-record.encoder';
import { EncodedBytes, stringSize, writeString } from './wire';

/** What this needs from kafkajs itself: its 64-bit integer type and its compression codecs. */
export interface KafkajsParts {
  readonly Long: { fromValue(value: unknown): { getHighBits(): number; getLowBits(): number }; fromInt(value: number): unknown };
  readonly lookupCodec: (type: number) => { compress(encoder: { buf: Buffer; buffer: Buffer }): Promise<Buffer> } | null;
  readonly produceApiKey: number;
}

interface ProduceRequestInput {
  readonly acks: number;
  readonly timeout: number;
  readonly transactionalId?: string | null;
  readonly producerId?: unknown;
  readonly producerEpoch?: number;
  readonly compression?: number;
  readonly topicData: readonly {
    readonly topic: string;
    readonly partitions: readonly { readonly partition: number; readonly firstSequence?: number; readonly messages: readonly (KafkaRecordInput & { readonly timestamp?: number | string })[] }[];
  }[];
}

const COMPRESSION_CODEC_MASK = 0x07;
const TRANSACTIONAL_MASK = 16;
const MAGIC_BYTE = 2;
/** Attributes through base_sequence, and the record count. */
const BATCH_HEADER_BYTES = 2 + 4 + 8 + 8 + 8 + 2 + 4;

export function createProduceRequestV3(kafkajs: KafkajsParts) {
  return ({ acks, timeout, transactionalId = null, producerId = kafkajs.Long.fromInt(-1), producerEpoch = 0, compression = 0, topicData }: ProduceRequestInput) => ({
    apiKey: kafkajs.produceApiKey,
    apiVersion: 3,
    apiName: 'Produce',
    expectResponse: () => acks !== 0,
    encode: async () => {
      const topics: { name: string; partitions: { partition: number; recordSet: Buffer }[] }[] = [];
      let size = stringSize(transactionalId) + 2 + 4 + 4;
      for (const { topic, partitions } of topicData) {
        const encoded: { partition: number; recordSet: Buffer }[] = [];
        size += stringSize(topic) + 4;
        for (const { partition, messages, firstSequence = 0 } of partitions) {
          const recordSet = await encodeRecordSet(kafkajs, messages, { compression, firstSequence, producerId, producerEpoch, transactional: !!transactionalId });
          encoded.push({ partition, recordSet });
          size += 4 + 4 + recordSet.length;
        }
        topics.push({ name: topic, partitions: encoded });
      }
      const out = Buffer.allocUnsafe(size);
      let at = writeString(out, 0, transactionalId);
      at = out.writeInt16BE(acks, at);
      at = out.writeInt32BE(timeout, at);
      at = out.writeInt32BE(topics.length, at);
      for (const topic of topics) {
        at = writeString(out, at, topic.name);
        at = out.writeInt32BE(topic.partitions.length, at);
        for (const { partition, recordSet } of topic.partitions) {
          at = out.writeInt32BE(partition, at);
          at = out.writeInt32BE(recordSet.length, at);
          at += recordSet.copy(out, at);
        }
      }
      return new EncodedBytes(out);
    },
  });
}

interface BatchOptions {
  readonly compression: number;
  readonly firstSequence: number;
  readonly producerId: unknown;
  readonly producerEpoch: number;
  readonly transactional: boolean;
}

/** One partition's record batch with its base offset and length in front, as kafkajs' RecordBatch returns it. */
async function encodeRecordSet(kafkajs: KafkajsParts, messages: ProduceRequestInput['topicData'][number]['partitions'][number]['messages'], options: BatchOptions): Promise<Buffer> {
  // Timestamps exactly as kafkajs takes them (given ones sorted as strings, else now).
  const dateNow = Date.now();
  const given = messages.map((m) => m.timestamp).filter((t) => t != null).sort();
  const timestamps = given.length === 0 ? [dateNow] : given;
  const firstTimestamp = timestamps[0] as number;
  const maxTimestamp = timestamps[timestamps.length - 1];
  const records: EncodedKafkaRecord[] = messages.map((message, i) =>
    encodeKafkaRecord({ ...message, offsetDelta: i, timestampDelta: ((message.timestamp || dateNow) as number) - firstTimestamp }),
  );
  const codec = options.compression === 0 ? null : kafkajs.lookupCodec(options.compression);
  let recordBytes = 0;
  for (const record of records) recordBytes += record.buf.length;
  const compressed = codec ? await codec.compress(new EncodedBytes(concat(records, recordBytes))) : undefined;
  const bodyLength = BATCH_HEADER_BYTES + 4 + (compressed ? compressed.length : recordBytes);
  // base offset, length, leader epoch, magic, crc, then the body the crc covers
  const out = Buffer.allocUnsafe(8 + 4 + 4 + 1 + 4 + bodyLength);
  out.fill(0, 0, 8);
  let at = out.writeInt32BE(4 + 1 + 4 + bodyLength, 8);
  at = out.writeInt32BE(0, at);
  at = out.writeInt8(MAGIC_BYTE, at);
  const crcAt = at;
  const bodyAt = at + 4;
  at = out.writeInt16BE((options.compression & COMPRESSION_CODEC_MASK) | (options.transactional ? TRANSACTIONAL_MASK : 0), bodyAt);
  at = out.writeInt32BE(records.length - 1, at);
  at = writeInt64(kafkajs, out, at, firstTimestamp);
  at = writeInt64(kafkajs, out, at, maxTimestamp);
  at = writeInt64(kafkajs, out, at, options.producerId);
  at = out.writeInt16BE(options.producerEpoch, at);
  at = out.writeInt32BE(options.firstSequence, at);
  at = out.writeInt32BE(records.length, at);
  if (compressed) at += compressed.copy(out, at);
  else for (const record of records) at += record.buf.copy(out, at);
  out.writeUInt32BE(crc32c(out.subarray(bodyAt, at)), crcAt);
  return out;
}

function concat(records: readonly EncodedKafkaRecord[], length: number): Buffer {
  return Buffer.concat(records.map((r) => r.buf), length);
}

function writeInt64(kafkajs: KafkajsParts, out: Buffer, at: number, value: unknown): number {
  const long = kafkajs.Long.fromValue(value);
  out.writeInt32BE(long.getHighBits(), at);
  return out.writeInt32BE(long.getLowBits(), at + 4);
}
