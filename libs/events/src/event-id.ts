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
const RANDOM_BYTES_PER_ID = 10;
// A call into OpenSSL's CSPRNG costs 2–3 µs in a loop but 45–55 µs between authn's requests (its
// code has gone cold), whether it draws 640 bytes or 40 KB: drawn per 64 ids that was 0.7 µs a decision.
export const IDS_PER_DRAW = 4096;

export function createEventIdFactory(randomFill: RandomFill = randomFillSync): EventIdFactory {
  let clock: IdClock | undefined;
  // Random bytes are drawn for IDS_PER_DRAW ids at a time: one call into the CSPRNG per block.
  const pool = new Uint8Array(RANDOM_BYTES_PER_ID * IDS_PER_DRAW);
  let poolOffset = pool.length;

  return (now) => {
    const ms = typeof now === 'number' ? now : now.getTime();
    if (!Number.isSafeInteger(ms) || ms < 0 || ms > TIMESTAMP_MAX) {
      throw new RangeError('UUIDv7 timestamp must be a non-negative integer millisecond below 2^48');
    }
    if (poolOffset === pool.length) {
      randomFill(pool);
      poolOffset = 0;
    }
    const random = pool.subarray(poolOffset, poolOffset + RANDOM_BYTES_PER_ID);
    poolOffset += RANDOM_BYTES_PER_ID;
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

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function formatUuidV7(ms: number, counter: number, random: Uint8Array): string {
  const msHigh = Math.floor(ms / 2 ** 16);
  const counterHigh = Math.floor(counter / 2 ** 24); // 18 bits: 4 in rand_a's first byte, 8, then 6 after the variant
  const counterLow = counter % 2 ** 24;
  return (
    HEX[(msHigh >>> 24) & 0xff] +
    HEX[(msHigh >>> 16) & 0xff] +
    HEX[(msHigh >>> 8) & 0xff] +
    HEX[msHigh & 0xff] +
    '-' +
    HEX[(ms >>> 8) & 0xff] +
    HEX[ms & 0xff] +
    '-' +
    HEX[0x70 | ((counterHigh >>> 14) & 0x0f)] + // version 7
    HEX[(counterHigh >>> 6) & 0xff] +
    '-' +
    HEX[0x80 | (counterHigh & 0x3f)] + // variant 0b10
    HEX[(counterLow >>> 16) & 0xff] +
    '-' +
    HEX[(counterLow >>> 8) & 0xff] +
    HEX[counterLow & 0xff] +
    HEX[random[0]] +
    HEX[random[1]] +
    HEX[random[2]] +
    HEX[random[3]]
  );
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
