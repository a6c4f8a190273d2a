import fc from 'fast-check';
import { parseAuthorizationHeader } from './authorization-header';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('parseAuthorizationHeader', () => {
  it.each([
    ['no header is absent', undefined, { kind: 'absent' }],
    ['an empty header is absent', '', { kind: 'absent' }],
    ['a whitespace-only header is absent', '   ', { kind: 'absent' }],
    ['a bearer token is read', 'Bearer abc.def', { kind: 'bearer', token: 'abc.def' }],
    ['the scheme is case-insensitive', 'bEaReR abc', { kind: 'bearer', token: 'abc' }],
    ['surrounding whitespace is trimmed', '  Bearer abc  ', { kind: 'bearer', token: 'abc' }],
    ['an empty bearer token is malformed', 'Bearer', { kind: 'malformed', scheme: 'bearer', problem: 'empty bearer token' }],
    ['a bearer token with a space is malformed', 'Bearer abc def', { kind: 'malformed', scheme: 'bearer', problem: 'bearer token contains whitespace' }],
    ['two spaces before the token are malformed', 'Bearer  abc', { kind: 'malformed', scheme: 'bearer', problem: 'bearer token contains whitespace' }],
    ['basic credentials are decoded', `Basic ${b64('alice:s3cret')}`, { kind: 'basic', username: 'alice', password: 's3cret' }],
    ['a basic password may contain colons', `basic ${b64('alice:a:b')}`, { kind: 'basic', username: 'alice', password: 'a:b' }],
    ['basic credentials are UTF-8', `Basic ${b64('jürgen:pässword')}`, { kind: 'basic', username: 'jürgen', password: 'pässword' }],
    ['basic without a colon is malformed', `Basic ${b64('alice')}`, { kind: 'malformed', scheme: 'basic', problem: 'basic credentials have no colon' }],
    ['garbage base64 is malformed', 'Basic %%%not-base64', { kind: 'malformed', scheme: 'basic', problem: 'basic credentials are not valid base64' }],
    ['truncated base64 is malformed', `Basic ${b64('alice:secret').slice(0, -2)}`, { kind: 'malformed', scheme: 'basic', problem: 'basic credentials are not valid base64' }],
    ['unpadded base64 is malformed as in Go', 'Basic YWxpY2U6cw', { kind: 'malformed', scheme: 'basic', problem: 'basic credentials are not valid base64' }],
    ['invalid UTF-8 is malformed', `Basic ${Buffer.from([0x61, 0x3a, 0xff]).toString('base64')}`, { kind: 'malformed', scheme: 'basic', problem: 'basic credentials are not valid UTF-8' }],
    ['empty basic is malformed', 'Basic ', { kind: 'malformed', scheme: 'basic', problem: 'empty basic credentials' }],
    ['another scheme is reported as other', 'Digest username="x"', { kind: 'other', scheme: 'digest' }],
  ])('%s', (_name, header, expected) => {
    expect(parseAuthorizationHeader(header)).toEqual(expected);
  });

  it('never throws; every result is one of the typed kinds and a malformed problem never echoes the input (property)', () => {
    const scheme = fc.constantFrom('Bearer ', 'bearer ', 'Basic ', 'BASIC ', 'Digest ', '', ' ');
    const body = fc.oneof(fc.string(), fc.base64String(), fc.string({ unit: fc.constantFrom('a', ':', '=', ' ', '/', '+', '\t', '\u00ff') }));
    fc.assert(
      fc.property(scheme, body, (s, b) => {
        const result = parseAuthorizationHeader(s + b);
        expect(['absent', 'bearer', 'basic', 'other', 'malformed']).toContain(result.kind);
        if (result.kind === 'malformed' && b.trim().length > 12) expect(result.problem).not.toContain(b.trim());
        if (result.kind === 'bearer') expect(result.token).not.toMatch(/\s/);
      }),
      { numRuns: 3000 },
    );
  });

  it('whitespace around the header never changes the answer: the plain `Bearer <token>` shortcut agrees with the general rules (property)', () => {
    const scheme = fc.constantFrom('Bearer ', 'Bearer', 'Bearer  ', 'bearer ', 'Bearer\t', 'Basic ');
    const token = fc.string({ unit: fc.constantFrom('a', 'Z', '9', '.', '-', '_', '=', ' ', '\t', '\n', '\u00a0', '\u2028', '\ufeff') });
    const around = fc.constantFrom(' ', '\t', '\u00a0', '\n ');
    fc.assert(
      fc.property(scheme, token, around, (s, t, w) => {
        // The padded header starts with whitespace, so only the general rules answer it.
        expect(parseAuthorizationHeader(s + t)).toEqual(parseAuthorizationHeader(w + s + t + w));
      }),
      { numRuns: 3000 },
    );
  });

  it('decodes whatever user:password was encoded (property)', () => {
    fc.assert(
      fc.property(fc.string().filter((u) => !u.includes(':')), fc.string(), (user, password) => {
        expect(parseAuthorizationHeader(`Basic ${b64(`${user}:${password}`)}`)).toEqual({ kind: 'basic', username: user, password });
      }),
    );
  });
});
