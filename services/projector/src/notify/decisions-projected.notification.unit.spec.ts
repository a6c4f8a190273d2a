import fc from 'fast-check';
import { decisionsProjectedPayloads, MAX_PAYLOAD_BYTES } from './decisions-projected.notification';

const NEWEST = '2026-12-06T16:40:00.123456Z';

describe('decisionsProjectedPayloads', () => {
  it('announces every id once, in order, each payload under the NOTIFY size limit', () => {
    fc.assert(
      fc.property(fc.array(fc.uuid(), { maxLength: 2_000 }), (ids) => {
        const payloads = decisionsProjectedPayloads(ids, NEWEST);
        const parsed = payloads.map((p) => JSON.parse(p) as { v: number; newest: string; ids: string[] });
        expect(parsed.flatMap((p) => p.ids)).toEqual(ids);
        for (const [i, p] of parsed.entries()) {
          expect(Buffer.byteLength(payloads[i]!)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
          expect(p).toMatchObject({ v: 1, newest: NEWEST });
          expect(p.ids.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('packs ids: 1,000 UUIDs take the fewest payloads that fit', () => {
    const ids = Array.from({ length: 1_000 }, (_, i) => `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`);
    const payloads = decisionsProjectedPayloads(ids, NEWEST);
    // 39 bytes per id ("…",) after a head of about 60: about 200 ids per payload.
    expect(payloads).toHaveLength(Math.ceil(1_000 / Math.floor((MAX_PAYLOAD_BYTES - `{"v":1,"newest":"${NEWEST}","ids":[]}`.length + 1) / 39)));
  });

  it('no ids, no payload', () => {
    expect(decisionsProjectedPayloads([], NEWEST)).toEqual([]);
  });
});
