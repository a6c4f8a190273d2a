// Leak detection for tests: does anything written (a Kafka record, a spool file, a log line, a
// response) contain one of the raw secrets the test used, in any usual encoding? Reports which
// secret (by index) and which encoding, never the secret itself, so failures are safe to print.

export type SecretEncoding = 'raw' | 'json-escaped' | 'url-encoded' | 'hex' | 'base64' | 'base64url' | 'utf-16le';

export interface SecretHit {
  /** Index of the secret in the list given. */
  readonly index: number;
  readonly encoding: SecretEncoding;
}

/**
 * Below this many base64 characters, a fragment of a secret encoded at an offset (e.g. the
 * password inside `Basic base64(user:pass)`) matches random text too easily; such short
 * secrets are found verbatim and in their own base64 encoding only.
 */
const MIN_FRAGMENT_CHARS = 8;

/** Every secret found in `haystack`, with the encoding it was found in. */
export function findSecrets(haystack: Buffer | Uint8Array | string, secrets: readonly string[]): readonly SecretHit[] {
  const bytes = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength);
  const hits: SecretHit[] = [];
  secrets.forEach((secret, index) => {
    if (secret.length === 0) return;
    for (const [encoding, needles] of secretForms(secret)) {
      if (needles.some((needle) => needle.length > 0 && bytes.includes(needle))) {
        hits.push({ index, encoding });
        break;
      }
    }
  });
  return hits;
}

/** Whether `haystack` contains any of `secrets`, raw or encoded (see `findSecrets`). */
export function containsSecret(haystack: Buffer | Uint8Array | string, secrets: readonly string[]): boolean {
  return findSecrets(haystack, secrets).length > 0;
}

function secretForms(secret: string): ReadonlyArray<readonly [SecretEncoding, readonly Buffer[]]> {
  const raw = Buffer.from(secret, 'utf8');
  const base64 = base64Fragments(raw);
  return [
    ['raw', [raw]],
    ['json-escaped', [Buffer.from(JSON.stringify(secret).slice(1, -1), 'utf8')]],
    ['url-encoded', [Buffer.from(encodeURIComponent(secret), 'utf8')]],
    ['hex', [Buffer.from(raw.toString('hex'), 'utf8'), Buffer.from(raw.toString('hex').toUpperCase(), 'utf8')]],
    ['base64', base64.map((fragment) => Buffer.from(fragment, 'utf8'))],
    ['base64url', base64.map((fragment) => Buffer.from(toBase64Url(fragment), 'utf8'))],
    // Java (Kafka), Windows tools and some Postgres encodings write text as UTF-16.
    ['utf-16le', [Buffer.from(secret, 'utf16le')]],
  ];
}

/**
 * The base64 text any encoding of a buffer containing `raw` must contain, for each of the three
 * byte alignments `raw` can start at: characters that mix in bytes before or after `raw` are
 * cut off. The whole encoding (with padding) is matched too, as when the secret alone was encoded.
 */
function base64Fragments(raw: Buffer): readonly string[] {
  const whole = raw.toString('base64');
  const fragments = [whole];
  for (let offset = 0; offset < 3; offset += 1) {
    const encoded = Buffer.concat([Buffer.alloc(offset), raw]).toString('base64').replace(/=+$/, '');
    // A prefix of `offset` bytes taints the first 0, 2 or 3 characters.
    const skip = [0, 2, 3][offset];
    // The last group holds `tail` secret bytes; only floor(8 * tail / 6) of its characters are
    // independent of what follows.
    const tail = (offset + raw.length) % 3;
    const keepFromLastGroup = tail === 0 ? 4 : Math.floor((8 * tail) / 6);
    const end = tail === 0 ? encoded.length : encoded.length - (tail + 1) + keepFromLastGroup;
    const fragment = encoded.slice(skip, end);
    if (fragment.length >= MIN_FRAGMENT_CHARS) fragments.push(fragment);
  }
  return fragments;
}

function toBase64Url(base64: string): string {
  return base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
