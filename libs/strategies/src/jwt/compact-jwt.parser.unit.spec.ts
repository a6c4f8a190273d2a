import fc from 'fast-check';
import { compactJwtParser, HEADER_MEMO_LIMIT, HEADER_MEMO_MAX_SEGMENT, headerMemoSize, parseCompactJwt } from './compact-jwt.parser';

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const header = b64({ alg: 'RS256', kid: 'k1' });
const payload = b64({ iss: 'https://issuer.example', sub: 'jane' });

describe('parseCompactJwt', () => {
  it.each([
    ['an opaque token is not a JWT', 'b7f3a1c2d4e5', 'not-jwt'],
    ['a bootstrap token (one dot) is not a JWT', '07401b.f395accd246ae52d', 'not-jwt'],
    ['three segments whose header does not start like JSON is not a JWT', 'abc.def.ghi', 'not-jwt'],
    ['four segments (a JWE has five) is not a compact JWS', `${header}.${payload}.c2ln.eHh4`, 'not-jwt'],
    ['a well-formed JWS is a JWT', `${header}.${payload}.c2ln`, 'jwt'],
    ['an empty signature still parses (alg none is refused later, by algorithm)', `${b64({ alg: 'none' })}.${payload}.`, 'jwt'],
    ['a segment with characters outside base64url is malformed', `${header}.${payload}.c2l+`, 'malformed'],
    ['a header that is not JSON is malformed', `eyJub3QganNvbg.${payload}.c2ln`, 'malformed'],
    ['a header without alg is malformed', `${b64({ typ: 'JWT' })}.${payload}.c2ln`, 'malformed'],
    ['a header with a numeric kid is malformed', `${b64({ alg: 'RS256', kid: 7 })}.${payload}.c2ln`, 'malformed'],
    ['a payload that is not JSON is malformed', `${header}.${b64('hello')}.c2ln`, 'malformed'],
    ['a payload that is a JSON string is malformed', `${header}.${b64('"str"')}.c2ln`, 'malformed'],
    ['a header marking extensions critical is malformed (none are implemented)', `${b64({ alg: 'RS256', b64: false, crit: ['b64'] })}.${payload}.c2ln`, 'malformed'],
    ['an impossible base64url length is malformed', `${header}.a.c2ln`, 'malformed'],
  ])('%s', (_name, token, kind) => {
    expect(parseCompactJwt(token).kind).toBe(kind);
  });

  it('returns the decoded header and claims of a JWT', () => {
    expect(parseCompactJwt(`${header}.${payload}.c2ln`)).toEqual({
      kind: 'jwt',
      header: { alg: 'RS256', kid: 'k1' },
      claims: { iss: 'https://issuer.example', sub: 'jane' },
    });
  });

  it('never throws and always answers one of the three kinds, for any string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (token) => ['not-jwt', 'malformed', 'jwt'].includes(parseCompactJwt(token).kind)),
      { numRuns: 2000 },
    );
  });

  it('never throws for JWT-shaped inputs with arbitrary segments', () => {
    const segment = fc.oneof(fc.string({ maxLength: 80 }), fc.json().map((j) => b64(j)), fc.base64String().map((s) => s.replace(/=/g, '')));
    fc.assert(
      fc.property(segment, segment, segment, (h, p, s) => {
        const parsed = parseCompactJwt(`eyJ${h}.${p}.${s}`);
        return parsed.kind === 'malformed' || parsed.kind === 'jwt' || parsed.kind === 'not-jwt';
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the header memo', () => {
  const token = (h: string, p = payload, s = 'c2ln') => `${h}.${p}.${s}`;
  const headerWithKid = (kid: string) => b64({ alg: 'RS256', kid });

  it('hands out one frozen header object for every token of one signer', () => {
    const parser = compactJwtParser(8);
    const first = parser.parse(token(header));
    const second = parser.parse(token(header, b64({ iss: 'https://issuer.example', sub: 'joe' })));
    expect(first.kind === 'jwt' && second.kind === 'jwt' && first.header === second.header).toBe(true);
    expect(parser.memoSize()).toBe(1);
  });

  it('shares only frozen headers: no caller can change what the next token gets', () => {
    const parser = compactJwtParser(8);
    const parsed = parser.parse(token(header));
    if (parsed.kind !== 'jwt') throw new Error('expected a JWT');
    expect(Object.isFrozen(parsed.header)).toBe(true);
    expect(() => {
      (parsed.header as Record<string, unknown>)['alg'] = 'none';
    }).toThrow(TypeError);
    expect(parser.parse(token(header))).toMatchObject({ kind: 'jwt', header: { alg: 'RS256', kid: 'k1' } });
  });

  it('never holds more headers than its limit, however many distinct headers arrive', () => {
    const parser = compactJwtParser(8);
    for (let i = 0; i < 100; i++) expect(parser.parse(token(headerWithKid(`k${i}`))).kind).toBe('jwt');
    expect(parser.memoSize()).toBe(8);
    // The newest are the ones kept: a recent header is still a hit, an old one parses again.
    expect(parser.parse(token(headerWithKid('k99')))).toMatchObject({ kind: 'jwt', header: { kid: 'k99' } });
    expect(parser.parse(token(headerWithKid('k0')))).toMatchObject({ kind: 'jwt', header: { kid: 'k0' } });
    expect(parser.memoSize()).toBe(8);
  });

  it('bounds the shared parser too', () => {
    for (let i = 0; i < HEADER_MEMO_LIMIT * 3; i++) parseCompactJwt(token(headerWithKid(`shared-${i}`)));
    expect(headerMemoSize()).toBe(HEADER_MEMO_LIMIT);
  });

  it('remembers no header that failed a check, nor an oversized or nested one', () => {
    const parser = compactJwtParser(8);
    const refused = [b64({ typ: 'JWT' }), b64({ alg: 'RS256', kid: 7 }), b64({ alg: 'RS256', crit: ['b64'] }), 'eyJub3QganNvbg'];
    for (let round = 0; round < 2; round++) {
      for (const h of refused) expect(parser.parse(token(h)).kind).toBe('malformed');
    }
    expect(parser.memoSize()).toBe(0);
    const long = headerWithKid('k'.repeat(HEADER_MEMO_MAX_SEGMENT));
    expect(long.length).toBeGreaterThan(HEADER_MEMO_MAX_SEGMENT);
    expect(parser.parse(token(long)).kind).toBe('jwt');
    const nested = parser.parse(token(b64({ alg: 'RS256', jwk: { kty: 'RSA' } })));
    expect(nested.kind === 'jwt' && Object.isFrozen(nested.header)).toBe(false);
    expect(parser.memoSize()).toBe(0);
  });

  it('answers nothing from memory when its limit is 0', () => {
    const parser = compactJwtParser(0);
    const first = parser.parse(token(header));
    const second = parser.parse(token(header));
    expect(first.kind === 'jwt' && second.kind === 'jwt' && first.header !== second.header).toBe(true);
    expect(parser.memoSize()).toBe(0);
  });

  it.each([
    ['a payload with a character outside base64url', token(header, `${payload}+`), 'token segments are not base64url'],
    ['a signature with a character outside base64url', token(header, payload, 'c2l/'), 'token segments are not base64url'],
    ['a payload that is not JSON', token(header, b64('hello')), 'token payload is not a JSON object'],
    ['a payload that is a JSON array', token(header, b64([1])), 'token payload is not a JSON object'],
    ['a payload of an impossible base64url length', token(header, 'a'), 'token payload is not a JSON object'],
    ['an empty payload', token(header, ''), 'token payload is not a JSON object'],
  ])('still rejects %s when its header is remembered', (_name, broken, message) => {
    const parser = compactJwtParser(8);
    expect(parser.parse(token(header)).kind).toBe('jwt');
    expect(parser.parse(broken)).toEqual({ kind: 'malformed', message });
    expect(parser.memoSize()).toBe(1);
  });

  it('does not let a remembered header vouch for another spelling of it (+ and / for - and _)', () => {
    // Node's base64url decoder reads '+' as '-' and '/' as '_': only the character check tells them apart.
    const canonical = headerWithKid('k?~~~');
    expect(canonical).toMatch(/-/);
    expect(canonical).toMatch(/_/);
    const respelled = canonical.replace(/-/g, '+').replace(/_/g, '/');
    expect(Buffer.from(respelled, 'base64url').equals(Buffer.from(canonical, 'base64url'))).toBe(true);
    const parser = compactJwtParser(8);
    expect(parser.parse(token(canonical)).kind).toBe('jwt');
    expect(parser.parse(token(respelled))).toEqual({ kind: 'malformed', message: 'token segments are not base64url' });
  });

  it('parses exactly as without a memo, for any input (property)', () => {
    // A few headers recur (memo hits, and evictions with a limit of 3), the rest is arbitrary.
    const headers = [header, b64({ alg: 'ES256' }), b64({ alg: 'RS256', kid: 'k2', typ: 'JWT' }), b64({ alg: 'PS256', kid: 'k3' }), b64({ typ: 'JWT' }), b64({ alg: 'RS256', crit: ['x'] })];
    const segment = fc.oneof(fc.string({ maxLength: 40 }), fc.json().map((j) => b64(j)), fc.base64String().map((s) => s.replace(/=/g, '')));
    const jwtShaped = fc.tuple(fc.oneof(fc.constantFrom(...headers), segment.map((s) => `eyJ${s}`)), segment, segment).map(([h, p, s]) => `${h}.${p}.${s}`);
    const withMemo = compactJwtParser(3);
    const withoutMemo = compactJwtParser(0);
    fc.assert(
      fc.property(fc.oneof(jwtShaped, fc.string({ maxLength: 120 })), (input) => {
        const expected = withoutMemo.parse(input);
        expect(withMemo.parse(input)).toEqual(expected);
        expect(parseCompactJwt(input)).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
    expect(withMemo.memoSize()).toBeLessThanOrEqual(3);
  });
});
