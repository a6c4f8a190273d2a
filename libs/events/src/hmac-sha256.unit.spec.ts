import { createHmac, createSecretKey } from 'node:crypto';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { hmacSha256 } from './hmac-sha256';

const reference = (key: Uint8Array, message: string | Uint8Array) => createHmac('sha256', key).update(message).digest();

describe('hmacSha256', () => {
  it('RFC 4231 test case 2 (a key shorter than the block)', () => {
    const mac = hmacSha256(createSecretKey(Buffer.from('Jefe')));
    expect(mac.hex('what do ya want for nothing?')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('RFC 4231 test case 6 (a 131-byte key, hashed first)', () => {
    const mac = hmacSha256(createSecretKey(Buffer.alloc(131, 0xaa)));
    expect(mac.hex('Test Using Larger Than Block-Size Key - Hash Key First')).toBe('60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54');
  });

  it('agrees with createHmac for any key, and any string or bytes, short or past the prepared buffer', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 3_000 }), fc.uint8Array({ maxLength: 10_000 })),
        (key, message) => {
          const mac = hmacSha256(createSecretKey(key));
          const expected = reference(key, message);
          expect(mac.digest(message)).toEqual(expected);
          expect(mac.hex(message)).toBe(expected.toString('hex'));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('one key, many messages in turn: nothing of a longer message is left in the next one', () => {
    const key = Buffer.alloc(32, 0x42);
    const mac = hmacSha256(createSecretKey(key));
    for (const message of ['a'.repeat(1_000), 'b', '', 'ü'.repeat(500), Buffer.alloc(900, 7), 'c']) {
      expect(mac.hex(message)).toBe(reference(key, message).toString('hex'));
    }
  });

  it('does not show the key or its pads when inspected', () => {
    const key = Buffer.alloc(32, 0x61); // "aaaa…": its hex (6161…) and its pads (57…, 3d…) would show
    const shown = inspect(hmacSha256(createSecretKey(key)), { depth: 10, showHidden: true });
    expect(shown).not.toContain('6161');
    expect(shown).not.toContain('aaaa');
    expect(shown).not.toMatch(/<Buffer/);
  });
});
