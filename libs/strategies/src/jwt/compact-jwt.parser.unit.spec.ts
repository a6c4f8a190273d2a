import fc from 'fast-check';
import { parseCompactJwt } from './compact-jwt.parser';

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
