import fc from 'fast-check';
import { createSecretHasher } from '../shared/secret-compare';
import { parseTokenFile } from './token-file.parser';

describe('parseTokenFile', () => {
  const hasher = createSecretHasher();
  it.each([
    ['an empty token is skipped with a warning', ',alice,1\ntok,bob,2', { ok: true, warnings: ['line 1: empty token skipped'] }],
    ['a duplicate token warns and the later line wins', 'tok,alice,1\ntok,bob,2', { ok: true, warnings: ['line 2: duplicate token (also on line 1); line 2 wins'] }],
    ['an invalid expiry fails the file', 'tok,alice,1,,tomorrow', { ok: false, errors: ['line 1: expiry (column 5) is not an RFC 3339 timestamp'] }],
    ['an empty user name fails the file', 'tok,,1', { ok: false, errors: ['line 1: empty user name'] }],
  ])('%s', (_name, text, expected) => {
    expect(parseTokenFile(text, hasher)).toMatchObject(expected);
  });

  it('keeps only HMAC digests as keys, never the token', () => {
    const result = parseTokenFile('tok-secret-1,alice,1\n', hasher);
    expect(result.ok && [...result.value.keys()]).toEqual([hasher.digest('tok-secret-1')]);
  });

  it('never throws on any input and errors never quote a token (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('s', 'e', 'c', ',', '"', '\n', ' ', '1', 'Z', '-', ':', 'T') }), (text) => {
        const result = parseTokenFile(text, hasher);
        if (!result.ok) for (const e of result.errors) expect(e).toMatch(/^line \d+/);
      }),
      { numRuns: 1000 },
    );
  });
});
