import fc from 'fast-check';
import { crc32c } from './crc32c';

// kafkajs' byte-at-a-time CRC-32C: an independent implementation of the same checksum.
const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (bytes: Buffer) => number;

describe('crc32c', () => {
  it.each([
    ['"123456789" (the check value of CRC-32C)', Buffer.from('123456789'), 0xe3069283],
    ['32 zero bytes (RFC 3720 B.4)', Buffer.alloc(32, 0), 0x8a9136aa],
    ['32 bytes of 0xff (RFC 3720 B.4)', Buffer.alloc(32, 0xff), 0x62a8ab43],
    ['bytes 0 to 31 ascending (RFC 3720 B.4)', Buffer.from(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
    ['bytes 31 to 0 descending (RFC 3720 B.4)', Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c],
    ['no bytes', Buffer.alloc(0), 0],
  ])('%s', (_name, bytes, expected) => {
    expect(crc32c(bytes)).toBe(expected);
  });

  it('agrees with kafkajs on any bytes, at any offset into a shared buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2_000 }), fc.nat(16), (bytes, offset) => {
        const shared = Buffer.concat([Buffer.alloc(offset, 0xa5), Buffer.from(bytes)]).subarray(offset);
        expect(crc32c(shared)).toBe(kafkajsCrc32c(shared));
        expect(crc32c(bytes)).toBe(kafkajsCrc32c(Buffer.from(bytes)));
      }),
    );
  });
});
