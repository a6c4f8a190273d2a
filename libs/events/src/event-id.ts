// Event ids are UUIDv7 (RFC 9562 §5.7): 48-bit Unix milliseconds, then a counter, then random
// bits. Time-ordered ids keep Kafka keys, Postgres indexes and GraphQL cursors roughly in
// insertion order; consumers deduplicate on them (DESIGN §4).
import { randomFillSync } from 'node:crypto';

/** Fills `target` with random bytes; injectable so tests can pin the random part. */
export type RandomFill = (target: Uint8Array) => void;

export interface EventIdFactory {
  /** A new UUIDv7 for `now`; strictly greater (as a string) than every id this factory made before. */
  (now: Date | number): string;
}

// RFC 9562 §6.2 method 1: a 42-bit counter in rand_a (12 bits) and the top of rand_b (30 bits),
// seeded randomly each millisecond with its top bit clear so thousands of ids per millisecond
// never overflow it. The remaining 32 bits of rand_b stay random on every id.
const COUNTER_BITS = 42;
export const COUNTER_MAX = 2 ** COUNTER_BITS - 1;
const SEED_RANGE = 2 ** (COUNTER_BITS - 1);
const TIMESTAMP_MAX = 2 ** 48 - 1;

export function createEventIdFactory(randomFill: RandomFill = randomFillSync): EventIdFactory {
  let clock: IdClock | undefined;
  const random = new Uint8Array(10);

  return (now) => {
    const ms = typeof now === 'number' ? now : now.getTime();
    if (!Number.isSafeInteger(ms) || ms < 0 || ms > TIMESTAMP_MAX) {
      throw new RangeError('UUIDv7 timestamp must be a non-negative integer millisecond below 2^48');
    }
    randomFill(random);
    clock = advanceIdClock(clock, ms, random);
    return formatUuidV7(clock.ms, clock.counter, random);
  };
}

/** The timestamp and counter of the last id a factory made. */
export interface IdClock {
  readonly ms: number;
  readonly counter: number;
}

/** The clock of the next id: a new millisecond reseeds the counter, anything else counts up. */
export function advanceIdClock(last: IdClock | undefined, ms: number, random: Uint8Array): IdClock {
  if (last === undefined || ms > last.ms) return { ms, counter: seedCounter(random) };
  // Same millisecond, or the clock went backwards: keep the last timestamp and count up, so
  // ids from one producer stay strictly ordered (RFC 9562 §6.2).
  if (last.counter < COUNTER_MAX) return { ms: last.ms, counter: last.counter + 1 };
  return { ms: last.ms + 1, counter: seedCounter(random) };
}

function seedCounter(random: Uint8Array): number {
  // 41 random bits from bytes 4..9 (bytes 0..3 fill the tail of rand_b).
  const high = (random[4] & 0x01) * 2 ** 40;
  const rest = random[5] * 2 ** 32 + ((random[6] << 24) >>> 0) + (random[7] << 16) + (random[8] << 8) + random[9];
  return (high + rest) % SEED_RANGE;
}

function formatUuidV7(ms: number, counter: number, random: Uint8Array): string {
  const bytes = new Uint8Array(16);
  const msHigh = Math.floor(ms / 2 ** 16);
  bytes[0] = (msHigh >>> 24) & 0xff;
  bytes[1] = (msHigh >>> 16) & 0xff;
  bytes[2] = (msHigh >>> 8) & 0xff;
  bytes[3] = msHigh & 0xff;
  bytes[4] = (ms >>> 8) & 0xff;
  bytes[5] = ms & 0xff;
  const counterHigh = Math.floor(counter / 2 ** 24); // 18 bits: 4 in rand_a's first byte, 8, then 6 after the variant
  const counterLow = counter % 2 ** 24;
  bytes[6] = 0x70 | ((counterHigh >>> 14) & 0x0f); // version 7
  bytes[7] = (counterHigh >>> 6) & 0xff;
  bytes[8] = 0x80 | (counterHigh & 0x3f); // variant 0b10
  bytes[9] = (counterLow >>> 16) & 0xff;
  bytes[10] = (counterLow >>> 8) & 0xff;
  bytes[11] = counterLow & 0xff;
  bytes[12] = random[0];
  bytes[13] = random[1];
  bytes[14] = random[2];
  bytes[15] = random[3];
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The process-wide factory: one per producer keeps its ids strictly ordered. */
export const newEventId: EventIdFactory = createEventIdFactory();

const UUID_V7_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Lower-case canonical UUIDv7 (version 7, variant 0b10). */
export function isUuidV7(id: string): boolean {
  return UUID_V7_RE.test(id);
}

/** The Unix millisecond a UUIDv7 was made at, or undefined for anything else. */
export function uuidV7Time(id: string): number | undefined {
  if (!isUuidV7(id)) return undefined;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
