// Verified claims → user, as kube-apiserver's JWT authenticator does it
// (k8s.io/apiserver plugin/pkg/authenticator/token/oidc AuthenticateToken), in its order:
// username, groups, uid, extra (with `authentication.kubernetes.io/credential-id: JTI=<jti>`
// first), then the claim/requiredValue rules, the claim validation expressions and the user
// validation rules. Pure; never throws.
//
// One deliberate difference: a username taken from the `email` claim needs `email_verified:
// true` present (Kubernetes also accepts a token without the claim), as the `oidc` strategy.
// Messages follow kube's wording but never quote claim values.
import type { ReasonCode } from '@authtrail/events';
import type { JwtClaims } from '../jwt/compact-jwt.parser';
import { bounded } from '../jwt/jwt-claims';
import type { UserInfo } from '../strategy';
import { evaluateClaims, evaluateUser, stringOrStringList } from './kube-cel';
import type { CompiledJwtAuthenticator } from './authentication-configuration.validation';

export const CREDENTIAL_ID_EXTRA = 'authentication.kubernetes.io/credential-id';

export type KubeClaimMapping = { readonly kind: 'user'; readonly user: UserInfo } | { readonly kind: 'failed'; readonly reason: ReasonCode; readonly message: string };

type Step<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: ReasonCode; readonly message: string };

const ok = <T>(value: T): Step<T> => ({ ok: true, value });
const fail = (message: string, reason: ReasonCode = 'missing_claim'): Step<never> => ({ ok: false, reason, message: bounded(message, 512) });

export function mapKubeClaims(claims: JwtClaims, authenticator: CompiledJwtAuthenticator): KubeClaimMapping {
  const username = usernameOf(claims, authenticator);
  if (!username.ok) return { kind: 'failed', reason: username.reason, message: username.message };
  const groups = groupsOf(claims, authenticator);
  if (!groups.ok) return { kind: 'failed', reason: groups.reason, message: groups.message };
  const uid = uidOf(claims, authenticator);
  if (!uid.ok) return { kind: 'failed', reason: uid.reason, message: uid.message };
  const extra = extraOf(claims, authenticator);
  if (!extra.ok) return { kind: 'failed', reason: extra.reason, message: extra.message };

  for (const { claim, requiredValue } of authenticator.requiredClaims) {
    if (!Object.prototype.hasOwnProperty.call(claims, claim)) return failed(`oidc: required claim ${bounded(claim, 64)} not present in ID token`);
    const value = claims[claim];
    if (typeof value !== 'string' && value !== null) return failed(`oidc: parse claim ${bounded(claim, 64)}: claim is not a string`);
    if ((value ?? '') !== requiredValue) return failed(`oidc: required claim ${bounded(claim, 64)} value does not match`);
  }
  for (const rule of authenticator.claimValidationRules) {
    const result = evaluateClaims(rule.compiled, claims);
    if (!result.ok) return failed(`oidc: error evaluating claim validation expression: ${result.error}`);
    if (typeof result.value !== 'boolean') return failed('oidc: error evaluating claim validation expression: validation expression must return a boolean');
    if (!result.value) return failed(`oidc: error evaluating claim validation expression: validation expression '${rule.compiled.expression}' failed: ${rule.message}`);
  }
  const user: UserInfo = { username: username.value, ...(uid.value ? { uid: uid.value } : {}), groups: groups.value, extra: extra.value };
  if (authenticator.userValidationRules.length > 0) {
    const view = { username: user.username, uid: uid.value, groups: user.groups, extra: user.extra };
    for (const rule of authenticator.userValidationRules) {
      const result = evaluateUser(rule.compiled, view);
      if (!result.ok) return failed(`oidc: error evaluating user info validation rule: ${result.error}`, 'policy_denied');
      if (typeof result.value !== 'boolean') return failed('oidc: error evaluating user info validation rule: validation expression must return a boolean', 'policy_denied');
      if (!result.value) return failed(`oidc: error evaluating user info validation rule: validation expression '${rule.compiled.expression}' failed: ${rule.message}`, 'policy_denied');
    }
  }
  return { kind: 'user', user };
}

function failed(message: string, reason: ReasonCode = 'missing_claim'): KubeClaimMapping {
  return { kind: 'failed', reason, message: bounded(message, 512) };
}

function usernameOf(claims: JwtClaims, { username }: CompiledJwtAuthenticator): Step<string> {
  if (username.kind === 'expression') {
    const result = evaluateClaims(username.compiled, claims);
    if (!result.ok) return fail(`oidc: error evaluating username claim expression: ${result.error}`);
    if (typeof result.value !== 'string') return fail('oidc: error evaluating username claim expression: username claim expression must return a string');
    if (result.value.length === 0) return fail('oidc: empty username via CEL expression is not allowed');
    return ok(result.value);
  }
  const name = claims[username.claim];
  if (name === undefined) return fail(`oidc: parse username claims "${bounded(username.claim, 64)}": claim not present`);
  if (typeof name !== 'string' || name.length === 0) return fail(`oidc: parse username claims "${bounded(username.claim, 64)}": claim is not a non-empty string`);
  // An unverified address could belong to anyone: never a username (stricter than Kubernetes,
  // which also accepts a token without the email_verified claim).
  if (username.claim === 'email' && claims['email_verified'] !== true) return fail('oidc: email not verified', 'email_not_verified');
  return ok(`${username.prefix}${name}`);
}

function groupsOf(claims: JwtClaims, { groups }: CompiledJwtAuthenticator): Step<readonly string[]> {
  if (!groups) return ok([]);
  if (groups.kind === 'claim') {
    const value = claims[groups.claim];
    // Absent or null: no groups. A string is one group (kube issue #33290).
    if (value === undefined || value === null) return ok([]);
    const list = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((v): v is string => typeof v === 'string') ? value : undefined;
    if (!list) return fail(`oidc: parse groups claim "${bounded(groups.claim, 64)}": claim is not a string or a list of strings`);
    return ok(groups.prefix ? list.map((g) => `${groups.prefix}${g}`) : list);
  }
  const result = evaluateClaims(groups.compiled, claims);
  if (!result.ok) return fail(`oidc: error evaluating group claim expression: ${result.error}`);
  const list = stringOrStringList(result.value);
  if (!list) return fail('oidc: error evaluating group claim expression: expression must return a string or a list of strings');
  return ok(list);
}

function uidOf(claims: JwtClaims, { uid }: CompiledJwtAuthenticator): Step<string> {
  if (!uid) return ok('');
  if (uid.kind === 'claim') {
    const value = claims[uid.claim];
    if (value === undefined) return fail(`oidc: parse uid claim "${bounded(uid.claim, 64)}": claim not present`);
    if (value !== null && typeof value !== 'string') return fail(`oidc: parse uid claim "${bounded(uid.claim, 64)}": claim is not a string`);
    return ok(value ?? '');
  }
  const result = evaluateClaims(uid.compiled, claims);
  if (!result.ok) return fail(`oidc: error evaluating uid claim expression: ${result.error}`);
  if (typeof result.value !== 'string') return fail('oidc: error evaluating uid claim expression: uid claim expression must return a string');
  return ok(result.value);
}

function extraOf(claims: JwtClaims, { extra }: CompiledJwtAuthenticator): Step<Readonly<Record<string, readonly string[]>>> {
  const out: Record<string, readonly string[]> = {};
  const jti = claims['jti'];
  if (typeof jti === 'string' && jti.length > 0) out[CREDENTIAL_ID_EXTRA] = [`JTI=${bounded(jti)}`];
  for (const mapping of extra) {
    const result = evaluateClaims(mapping.compiled, claims);
    if (!result.ok) return fail(`oidc: error evaluating extra claim expression: ${result.error}`);
    const values = stringOrStringList(result.value);
    if (!values) return fail(`oidc: error evaluating extra claim expression: ${mapping.compiled.expression}: expression must return a string or a list of strings`);
    if (values.length > 0) out[mapping.key] = values;
  }
  return ok(out);
}
