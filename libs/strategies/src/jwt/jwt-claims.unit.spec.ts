import { audiencesOf, checkTimes, intersect } from './jwt-claims';

const NOW = 1_800_000_000;

describe('checkTimes', () => {
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
  ])('%s', (_name, claims, leeway, requireExp, expected) => {
    const check = checkTimes(claims, NOW, leeway, requireExp);
    expect(check.kind === 'ok' ? 'ok' : check.reason).toBe(expected);
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
