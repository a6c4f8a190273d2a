import { audiencesOf, checkTimes, dateClaim, intersect } from './jwt-claims';

const NOW = 1_800_000_000;

describe('checkTimes', () => {
  const YEAR = 365 * 24 * 3600; // the default cap: kube's one-year extended tokens
  it.each([
    ['a token inside its validity window passes', { exp: NOW + 60, nbf: NOW - 60 }, 0, true, 'ok'],
    ['a token past exp is expired', { exp: NOW - 1 }, 0, true, 'token_expired'],
    ['a token past exp but within the leeway passes', { exp: NOW - 30 }, 60, true, 'ok'],
    ['a token past exp by more than the leeway is expired', { exp: NOW - 61 }, 60, true, 'token_expired'],
    ['a token before nbf is not valid yet', { exp: NOW + 600, nbf: NOW + 120 }, 60, true, 'token_not_yet_valid'],
    ['a token before nbf but within the leeway passes', { exp: NOW + 600, nbf: NOW + 30 }, 60, true, 'ok'],
    ['a token without exp fails when exp is required', {}, 0, true, 'missing_claim'],
    ['a token without exp passes when exp is not required (legacy)', {}, 0, false, 'ok'],
    ['a string exp is malformed', { exp: String(NOW + 60) }, 0, true, 'malformed_credentials'],
    ['a negative nbf is malformed', { exp: NOW + 60, nbf: -5 }, 0, true, 'malformed_credentials'],
    // iat in the future (kube-apiserver: go-jose ErrIssuedInTheFuture).
    ['a token issued in the future beyond the leeway is not valid yet', { iat: NOW + 61, exp: NOW + 3600 }, 60, true, 'token_not_yet_valid'],
    ['a token issued in the future within the leeway passes', { iat: NOW + 60, exp: NOW + 3600 }, 60, true, 'ok'],
    ['a legacy token (no exp) issued in the future is not valid yet', { iat: NOW + 3600 }, 60, false, 'token_not_yet_valid'],
    ['a string iat is malformed', { iat: String(NOW), exp: NOW + 60 }, 0, true, 'malformed_credentials'],
    // Lifetime cap: exp − iat, or exp − now (plus leeway) without iat.
    ['a token living exactly one year (kube extended token) passes', { iat: NOW, exp: NOW + YEAR }, 60, true, 'ok'],
    ['a token living one year and one second is refused', { iat: NOW, exp: NOW + YEAR + 1 }, 60, true, 'malformed_credentials'],
    ['a token issued ten years ago that is still valid is refused by its lifetime', { iat: NOW - 10 * YEAR, exp: NOW + 60 }, 60, true, 'malformed_credentials'],
    ['without iat, a token with a year left passes', { exp: NOW + YEAR }, 60, true, 'ok'],
    ['without iat, the leeway absorbs clock skew on the remaining lifetime', { exp: NOW + YEAR + 60 }, 60, true, 'ok'],
    ['without iat, a token with more than a year left is refused', { exp: NOW + YEAR + 61 }, 60, true, 'malformed_credentials'],
    ['without iat, a token expiring in the year 275760 is refused by its lifetime', { exp: 8.64e12 }, 60, true, 'malformed_credentials'],
    // Huge or odd numbers: refused, never an Invalid Date or a throw.
    ['an exp of 1e300 is malformed', { iat: NOW, exp: 1e300 }, 60, true, 'malformed_credentials'],
    ['an exp past the last representable date is malformed', { exp: 8.64e12 + 1 }, 60, true, 'malformed_credentials'],
    ['an iat of 1e300 is malformed', { iat: 1e300, exp: NOW + 60 }, 60, true, 'malformed_credentials'],
    ['an nbf of -1e300 is malformed', { nbf: -1e300, exp: NOW + 60 }, 60, true, 'malformed_credentials'],
    ['an exp of 1e300 is malformed even where exp is optional (legacy)', { exp: 1e300 }, 60, false, 'malformed_credentials'],
    ['a boolean exp is malformed', { exp: true }, 60, true, 'malformed_credentials'],
  ])('%s', (_name, claims, leeway, requireExp, expected) => {
    const check = checkTimes(claims, NOW, { leewaySeconds: leeway, requireExp, maxLifetimeSeconds: YEAR });
    expect(check.kind === 'ok' ? 'ok' : check.reason).toBe(expected);
  });

  it('a huge exp never becomes an Invalid Date in the credential description', () => {
    expect(dateClaim({ exp: 1e300 }, 'exp')).toBeUndefined();
    expect(dateClaim({ exp: NOW }, 'exp')).toEqual(new Date(NOW * 1000));
  });
});

describe('audiencesOf', () => {
  it.each([
    ['a string aud is a one-element list', { aud: 'a' }, ['a']],
    ['a list aud is kept', { aud: ['a', 'b'] }, ['a', 'b']],
    ['no aud is an empty list', {}, []],
    ['a list with a number is malformed', { aud: ['a', 1] }, undefined],
    ['an object aud is malformed', { aud: { a: 1 } }, undefined],
  ])('%s', (_name, claims, expected) => {
    expect(audiencesOf(claims)).toEqual(expected);
  });

  it('intersects in the order of the first list without duplicates', () => {
    expect(intersect(['b', 'a', 'b', 'c'], ['a', 'b'])).toEqual(['b', 'a']);
  });
});
