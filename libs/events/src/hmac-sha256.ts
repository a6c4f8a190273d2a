// HMAC-SHA256 (RFC 2104) from pads computed once per key: H((K ^ opad) || H((K ^ ipad) || m)).
// Under load `createHmac` cost ≈ 5 µs a short credential here, 3.3 of them OpenSSL setting up
// the MAC context and its key on every call (the native `init` frame of the profiles); two
// one-shot `crypto.hash` calls over pads prepared once cost ≈ 2 (docs/authn.md, "Session 16"),
// ≈ 0.8 in a hot loop since the inner digest no longer comes back as a Buffer (session 17).
// Same bytes as `createHmac`: the unit test checks it.
import { createHmac, hash, type KeyObject } from 'node:crypto';

const BLOCK_BYTES = 64;
const DIGEST_BYTES = 32;
// Messages up to this many bytes (a JWT is ≈ 1 KB) go through the prepared buffer; longer ones
// take createHmac.
const SCRATCH_MESSAGE_BYTES = 8192;
// A JavaScript string of n UTF-16 units encodes to at most 3n UTF-8 bytes.
const MAX_UTF8_BYTES_PER_UNIT = 3;

/** The HMAC-SHA256 of a message under one key, as raw bytes or lowercase hex. */
export interface HmacSha256 {
  digest(message: string | Uint8Array): Buffer;
  hex(message: string | Uint8Array): string;
}

/**
 * Prepares `key` (its bytes, which the caller keeps as a KeyObject for everything else). The
 * pads live only in this closure: nothing that logs or inspects the returned object shows them.
 */
export function hmacSha256(key: KeyObject): HmacSha256 {
  const keyBytes = key.export();
  const block = Buffer.alloc(BLOCK_BYTES);
  (keyBytes.length > BLOCK_BYTES ? hash('sha256', keyBytes, 'buffer') : keyBytes).copy(block);
  keyBytes.fill(0);
  // inner: ipad block then the message; outer: opad block then the inner digest.
  const inner = Buffer.alloc(BLOCK_BYTES + SCRATCH_MESSAGE_BYTES);
  const outer = Buffer.alloc(BLOCK_BYTES + DIGEST_BYTES);
  for (const [i, byte] of block.entries()) {
    inner[i] = byte ^ 0x36;
    outer[i] = byte ^ 0x5c;
  }
  block.fill(0);

  const innerDigestInto = (message: string | Uint8Array): boolean => {
    let length: number;
    if (typeof message === 'string') {
      if (message.length * MAX_UTF8_BYTES_PER_UNIT > SCRATCH_MESSAGE_BYTES) return false;
      length = inner.write(message, BLOCK_BYTES, 'utf8');
    } else {
      if (message.byteLength > SCRATCH_MESSAGE_BYTES) return false;
      inner.set(message, BLOCK_BYTES);
      length = message.byteLength;
    }
    const end = BLOCK_BYTES + length;
    // The inner digest as a binary (latin1) string written into place: a Buffer result would cost a new
    // backing store per call (0.8 against 0.3 µs for 32 bytes here), more than the hash itself.
    outer.write(hash('sha256', inner.subarray(0, end), 'binary'), BLOCK_BYTES, 'latin1');
    inner.fill(0, BLOCK_BYTES, end); // the secret does not stay behind in the buffer
    return true;
  };

  return {
    digest: (message) => (innerDigestInto(message) ? hash('sha256', outer, 'buffer') : createHmac('sha256', key).update(message).digest()),
    hex: (message) => (innerDigestInto(message) ? hash('sha256', outer, 'hex') : createHmac('sha256', key).update(message).digest('hex')),
  };
}
