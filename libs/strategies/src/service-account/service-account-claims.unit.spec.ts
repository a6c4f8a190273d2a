import { boundServiceAccountClaims, legacyServiceAccountClaims } from '@authtrail/testing';
import { hasServiceAccountClaims, serviceAccountIdentity } from './service-account-claims';
import { parseServiceAccountRegistry } from './service-account-registry';

const ISSUER = 'https://kubernetes.default.svc';
const bound = (overrides: Record<string, unknown> = {}) =>
  boundServiceAccountClaims({ issuer: ISSUER, audiences: [ISSUER], namespace: 'ci', name: 'runner', uid: 'u-1', pod: { name: 'p', uid: 'pu' }, node: null, overrides });

describe('serviceAccountIdentity', () => {
  it.each([
    ['a bound token yields namespace, name, uid and pod', bound(), false, 'identity'],
    ['a legacy token yields namespace, name, uid and secret', legacyServiceAccountClaims(), true, 'identity'],
    ['a bound token without the kubernetes.io claim is invalid', bound({ 'kubernetes.io': undefined }), false, 'invalid'],
    ['a kubernetes.io claim that is a string is invalid', bound({ 'kubernetes.io': 'ci/runner' }), false, 'invalid'],
    ['a bound token without the serviceaccount uid is invalid', bound({ 'kubernetes.io': { namespace: 'ci', serviceaccount: { name: 'runner' } } }), false, 'invalid'],
    ['a pod reference without uid is invalid', bound({ 'kubernetes.io': { namespace: 'ci', serviceaccount: { name: 'runner', uid: 'u' }, pod: { name: 'p' } } }), false, 'invalid'],
    ['a node reference that is not an object is invalid', bound({ 'kubernetes.io': { namespace: 'ci', serviceaccount: { name: 'runner', uid: 'u' }, node: 'n' } }), false, 'invalid'],
    ['a sub naming another account is invalid', bound({ sub: 'system:serviceaccount:ci:other' }), false, 'invalid'],
    ['a legacy token without the secret name is invalid', legacyServiceAccountClaims({ overrides: { 'kubernetes.io/serviceaccount/secret.name': undefined } }), true, 'invalid'],
    ['legacy claims read as a bound token are invalid', legacyServiceAccountClaims(), false, 'invalid'],
  ])('%s', (_name, claims, legacy, kind) => {
    expect(serviceAccountIdentity(claims, legacy).kind).toBe(kind);
  });

  it('reads the bound identity field by field', () => {
    expect(serviceAccountIdentity(bound(), false)).toEqual({
      kind: 'identity',
      identity: { kind: 'bound', namespace: 'ci', name: 'runner', uid: 'u-1', pod: { name: 'p', uid: 'pu' } },
    });
  });

  it.each([
    ['a node without uid and a secret', { name: 'n' }, { name: 's', uid: 'su' }, { node: { name: 'n' }, secretName: 's' }],
    ['a node with uid and no secret', { name: 'n', uid: 'nu' }, undefined, { node: { name: 'n', uid: 'nu' } }],
    ['neither node nor secret', undefined, undefined, {}],
  ])('reads the node and secret references of a bound token: %s', (_name, node, secret, expected) => {
    const claims = bound({ 'kubernetes.io': { namespace: 'ci', serviceaccount: { name: 'runner', uid: 'u-1' }, pod: { name: 'p', uid: 'pu' }, node, secret } });
    expect(serviceAccountIdentity(claims, false)).toEqual({
      kind: 'identity',
      identity: { kind: 'bound', namespace: 'ci', name: 'runner', uid: 'u-1', pod: { name: 'p', uid: 'pu' }, ...expected },
    });
  });

  it('recognises service-account claims of either kind', () => {
    expect([hasServiceAccountClaims(bound()), hasServiceAccountClaims(legacyServiceAccountClaims()), hasServiceAccountClaims({ iss: 'x', sub: 'y' })]).toEqual([true, true, false]);
  });
});

describe('parseServiceAccountRegistry', () => {
  it.each([
    ['a YAML list of accounts is accepted', '- {namespace: ci, name: runner, uid: u-1}\n', true],
    ['a JSON list of accounts is accepted', '[{"namespace":"ci","name":"runner","uid":"u-1"}]', true],
    ['a serviceAccounts wrapper is accepted', 'serviceAccounts:\n  - {namespace: ci, name: runner, uid: u-1}\n', true],
    ['an entry without uid is refused', '- {namespace: ci, name: runner}\n', false],
    ['an account listed twice is refused', '- {namespace: ci, name: runner, uid: a}\n- {namespace: ci, name: runner, uid: b}\n', false],
    ['a scalar document is refused', 'hello', false],
    ['broken YAML is refused', '- {namespace: [', false],
  ])('%s', (_name, text, ok) => {
    expect(parseServiceAccountRegistry(text).ok).toBe(ok);
  });

  it('answers the uid of a listed account and nothing for others', () => {
    const parsed = parseServiceAccountRegistry('- {namespace: ci, name: runner, uid: u-1}\n');
    expect(parsed.ok && [parsed.value.uidOf('ci', 'runner'), parsed.value.uidOf('ci', 'other')]).toEqual(['u-1', undefined]);
  });
});
