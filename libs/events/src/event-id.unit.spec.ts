import { COUNTER_MAX, IDS_PER_DRAW, advanceIdClock, createEventIdFactory, isUuidV7, newEventId, uuidV7Time } from './event-id';

const T = Date.parse('2026-11-29T10:15:30.123Z');

describe('UUIDv7 event ids (RFC 9562)', () => {
  it('an id has the canonical form, version 7 and variant 0b10', () => {
    const id = newEventId(T);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const bytes = Buffer.from(id.replace(/-/g, ''), 'hex');
    expect(bytes[6] >> 4).toBe(7);
    expect(bytes[8] >> 6).toBe(0b10);
    expect(isUuidV7(id)).toBe(true);
  });

  it('the first 48 bits are the Unix milliseconds given', () => {
    const id = createEventIdFactory()(T);
    expect(uuidV7Time(id)).toBe(T);
    expect(id.slice(0, 13)).toBe(`${T.toString(16).padStart(12, '0').slice(0, 8)}-${T.toString(16).padStart(12, '0').slice(8)}`);
  });

  it('a Date and its millisecond number give ids with the same timestamp', () => {
    const ids = createEventIdFactory();
    expect(uuidV7Time(ids(new Date(T)))).toBe(T);
    expect(uuidV7Time(ids(T + 1))).toBe(T + 1);
  });

  it('ids made within one millisecond are strictly increasing', () => {
    const ids = createEventIdFactory();
    const made = Array.from({ length: 5000 }, () => ids(T));
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
    expect(made.every((id) => uuidV7Time(id) === T)).toBe(true);
  });

  it('ids across milliseconds sort by time', () => {
    const ids = createEventIdFactory();
    const made = [T, T + 1, T + 1, T + 2, T + 1000].map((ms) => ids(ms));
    expect([...made].sort()).toEqual(made);
  });

  it('a clock that steps backwards still gives increasing ids (the last timestamp is kept)', () => {
    const ids = createEventIdFactory();
    const first = ids(T);
    const second = ids(T - 5000);
    expect(second > first).toBe(true);
    expect(uuidV7Time(second)).toBe(T);
  });

  it('a counter overflow within one millisecond moves to the next millisecond', () => {
    const zeros = new Uint8Array(10);
    expect(advanceIdClock({ ms: T, counter: COUNTER_MAX - 1 }, T, zeros)).toEqual({ ms: T, counter: COUNTER_MAX });
    expect(advanceIdClock({ ms: T, counter: COUNTER_MAX }, T, zeros)).toEqual({ ms: T + 1, counter: 0 });
  });

  it('a new millisecond reseeds the counter from the random bytes with its top bit clear', () => {
    const ones = new Uint8Array(10).fill(0xff);
    const clock = advanceIdClock({ ms: T, counter: 5 }, T + 1, ones);
    expect(clock).toEqual({ ms: T + 1, counter: 2 ** 41 - 1 });
  });

  it('the random tail comes from the injected source', () => {
    const ids = createEventIdFactory((target) => target.fill(0));
    expect(ids(0)).toBe('00000000-0000-7000-8000-000000000000');
    expect(ids(0)).toBe('00000000-0000-7000-8000-000100000000');
  });

  it('draws random bytes once per block of ids, each id taking its own bytes of the block', () => {
    let draws = 0;
    // Each draw numbers its bytes from where the last one stopped, so every id's tail differs.
    const ids = createEventIdFactory((target) => {
      const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
      for (let offset = 0; offset + 4 <= target.length; offset += 10) view.setUint32(offset, draws * IDS_PER_DRAW + offset / 10);
      draws += 1;
    });
    const tails = Array.from({ length: IDS_PER_DRAW }, () => ids(T).slice(-8));
    expect(draws).toBe(1);
    expect(new Set(tails).size).toBe(IDS_PER_DRAW);
    expect(ids(T).slice(-8)).toBe(IDS_PER_DRAW.toString(16).padStart(8, '0'));
    expect(draws).toBe(2);
  });

  const invalid: ReadonlyArray<readonly [string, number]> = [
    ['a negative timestamp is refused', -1],
    ['a fractional timestamp is refused', 1.5],
    ['a timestamp beyond 48 bits is refused', 2 ** 48],
    ['an invalid Date is refused', Number.NaN],
  ];
  it.each(invalid)('%s', (_sentence, ms) => {
    expect(() => createEventIdFactory()(ms)).toThrow(RangeError);
  });

  const checks: ReadonlyArray<readonly [string, string, boolean]> = [
    ['a UUIDv4 is not a UUIDv7', '1b4e28ba-2fa1-41d2-883f-0016d3cca427', false],
    ['upper-case hex is not canonical', '019ACEA0-1F3B-7ABC-8DEF-0123456789AB', false],
    ['the wrong variant is refused', '019acea0-1f3b-7abc-cdef-0123456789ab', false],
    ['a canonical UUIDv7 is accepted', '019acea0-1f3b-7abc-8def-0123456789ab', true],
  ];
  it.each(checks)('%s', (_sentence, id, expected) => {
    expect(isUuidV7(id)).toBe(expected);
    expect(uuidV7Time(id) !== undefined).toBe(expected);
  });
});
