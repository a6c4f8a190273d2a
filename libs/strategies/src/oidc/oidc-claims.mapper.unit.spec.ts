import { mapClaims } from './oidc-claims.mapper';
import type { OidcConfig } from './oidc.config';

const mappings: OidcConfig['claimMappings'] = {
  username: { claim: 'email', prefix: '' },
  groups: { claim: 'groups', prefix: 'oidc:' },
  uid: { claim: 'sub' },
  extra: [{ key: 'example.com/tenant', claim: 'tenant' }],
};
const base = { sub: 'u-1', email: 'jane@example.com', email_verified: true, groups: ['dev'], tenant: 'acme' };

describe('mapClaims', () => {
  it.each([
    ['verified email, groups, uid and extra map into the user', base, undefined, 'user'],
    ['email_verified false is email_not_verified', { ...base, email_verified: false }, undefined, 'email_not_verified'],
    ['email_verified as the string "true" is email_not_verified', { ...base, email_verified: 'true' }, undefined, 'email_not_verified'],
    ['a missing username claim is missing_claim', { ...base, email: undefined }, undefined, 'missing_claim'],
    ['an empty username is missing_claim', { ...base, email: '' }, undefined, 'missing_claim'],
    ['a single group string is accepted', { ...base, groups: 'dev' }, undefined, 'user'],
    ['no groups claim means no groups', { ...base, groups: undefined }, undefined, 'user'],
    ['a groups claim with numbers is missing_claim', { ...base, groups: ['dev', 3] }, undefined, 'missing_claim'],
    ['a missing uid claim is missing_claim', { ...base, sub: undefined }, undefined, 'missing_claim'],
    ['an extra claim that is an object is missing_claim', { ...base, tenant: { a: 1 } }, undefined, 'missing_claim'],
    ['a satisfied validation rule passes', { ...base, hd: 'example.com' }, [{ claim: 'hd', requiredValue: 'example.com' }], 'user'],
    ['an unsatisfied validation rule is missing_claim', { ...base, hd: 'evil.example' }, [{ claim: 'hd', requiredValue: 'example.com' }], 'missing_claim'],
    ['an absent required claim is missing_claim', base, [{ claim: 'hd', requiredValue: 'example.com' }], 'missing_claim'],
  ])('%s', (_name, claims, rules, expected) => {
    const mapped = mapClaims(claims, { claimMappings: mappings, ...(rules ? { claimValidationRules: rules } : {}) });
    expect(mapped.kind === 'user' ? 'user' : mapped.reason).toBe(expected);
  });

  it('applies prefixes and deduplicates groups', () => {
    expect(mapClaims({ ...base, groups: ['dev', 'dev', 'ops'] }, { claimMappings: { ...mappings, username: { claim: 'sub', prefix: 'idp:' } } })).toEqual({
      kind: 'user',
      user: { username: 'idp:u-1', uid: 'u-1', groups: ['oidc:dev', 'oidc:ops'], extra: { 'example.com/tenant': ['acme'] } },
    });
  });

  it('does not require email_verified when the username claim is not email', () => {
    expect(mapClaims({ sub: 'u-1', email_verified: false }, { claimMappings: { username: { claim: 'sub', prefix: '' } } }).kind).toBe('user');
  });
});
