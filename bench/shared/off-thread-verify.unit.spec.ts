import type { BusRecord, Publisher } from '@authtrail/event-bus';
import { rsaKeyPair, signJwt } from '@authtrail/testing';
import { floorWork } from './floor-work';
import { offThreadRs256Verifier } from './off-thread-verify';

const key = rsaKeyPair({ alg: 'RS256' });
const otherKey = rsaKeyPair({ alg: 'RS256' });
const parts = (token: string) => {
  const lastDot = token.lastIndexOf('.');
  return [Buffer.from(token.slice(0, lastDot)), Buffer.from(token.slice(lastDot + 1), 'base64url')] as const;
};

describe('offThreadRs256Verifier', () => {
  const verifier = offThreadRs256Verifier(key.publicKey);
  afterAll(() => verifier.close());

  it('answers each signature of one turn for itself: signed by the key, by another key, or over altered input', async () => {
    const tokens = Array.from({ length: 30 }, (_, i) => signJwt({ sub: `user-${i}` }, i % 3 === 1 ? otherKey : key));
    const checks = tokens.map((token, i) => {
      const [input, signature] = parts(token);
      // Every third from the key gets its signing input altered after signing.
      if (i % 3 === 2) input[input.length - 1] ^= 1;
      return verifier.verify(input, signature);
    });
    expect(await Promise.all(checks)).toEqual(tokens.map((_, i) => i % 3 === 0));
  });

  it('verifies turn after turn on the same worker', async () => {
    for (let turn = 0; turn < 3; turn++) {
      const [input, signature] = parts(signJwt({ turn }, key));
      expect(await verifier.verify(input, signature)).toBe(true);
    }
  });
});

describe("floorWork's off-thread audited floor", () => {
  const records: BusRecord[] = [];
  const publisher: Publisher = {
    publish: async (record) => (records.push(record), { dropped: false }),
    flush: async () => undefined,
    close: async () => undefined,
    stats: () => ({ published: records.length, acknowledged: 0, buffered: 0, spooled: 0, spoolBytes: 0, dropped: 0 }),
  };
  const template: BusRecord = { topic: 'authtrail.decisions', key: 'k', value: Buffer.from('{}'), headers: {} };
  const floor = floorWork(publisher, template, key.publicKey);
  afterAll(() => floor.close());

  it('returns the claims of a token the key signed and sends one audited record', async () => {
    expect(await floor.verifiedOffThreadAndAudited(signJwt({ sub: 'alice', n: 1 }, key))).toEqual({ sub: 'alice', n: 1 });
    expect(records).toHaveLength(1);
    expect(records[0]?.topic).toBe(template.topic);
  });

  it('refuses a token another key signed, and one with two segments, and sends nothing for them', async () => {
    records.length = 0;
    expect(await floor.verifiedOffThreadAndAudited(signJwt({ sub: 'mallory' }, otherKey))).toBeUndefined();
    expect(await floor.verifiedOffThreadAndAudited('abc.def')).toBeUndefined();
    expect(records).toHaveLength(0);
  });
});
