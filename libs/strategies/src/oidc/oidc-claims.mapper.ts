// Maps verified id-token claims to a user, like Kubernetes' claimMappings (prefixes, uid, extra)
// and claimValidationRules. Pure; never throws.
import type { ReasonCode } from '@authtrail/events';
import type { JwtClaims } from '../jwt/compact-jwt.parser';
import { bounded } from '../jwt/jwt-claims';
import type { UserInfo } from '../strategy';
import type { OidcConfig } from './oidc.config';

export type ClaimMapping = { readonly kind: 'user'; readonly user: UserInfo } | { readonly kind: 'failed'; readonly reason: ReasonCode; readonly message: string };

export function mapClaims(claims: JwtClaims, config: Pick<OidcConfig, 'claimMappings' | 'claimValidationRules'>): ClaimMapping {
  for (const rule of config.claimValidationRules ?? []) {
    if (claims[rule.claim] !== rule.requiredValue) {
      return { kind: 'failed', reason: 'missing_claim', message: `required claim ${bounded(rule.claim, 64)} is missing or has another value` };
    }
  }
  const { username, groups, uid, extra } = config.claimMappings;
  const name = claims[username.claim];
  if (typeof name !== 'string' || name.length === 0) {
    return { kind: 'failed', reason: 'missing_claim', message: `username claim ${bounded(username.claim, 64)} is missing or not a string` };
  }
  // An unverified address could belong to anyone: never a username (stricter than Kubernetes,
  // which also accepts a token without the email_verified claim).
  if (username.claim === 'email' && claims['email_verified'] !== true) {
    return { kind: 'failed', reason: 'email_not_verified', message: 'email is used as username but email_verified is not true' };
  }
  const groupValues = groups ? stringsOf(claims[groups.claim]) : [];
  if (groupValues === undefined) return { kind: 'failed', reason: 'missing_claim', message: 'groups claim is not a string or a list of strings' };
  let uidValue: string | undefined;
  if (uid) {
    const value = claims[uid.claim];
    if (typeof value !== 'string' || value.length === 0) return { kind: 'failed', reason: 'missing_claim', message: `uid claim ${bounded(uid.claim, 64)} is missing or not a string` };
    uidValue = value;
  }
  const extras: Record<string, readonly string[]> = {};
  for (const { key, claim } of extra ?? []) {
    const values = stringsOf(claims[claim]);
    if (values === undefined) return { kind: 'failed', reason: 'missing_claim', message: `extra claim ${bounded(claim, 64)} is not a string or a list of strings` };
    if (values.length > 0) extras[key] = values;
  }
  return {
    kind: 'user',
    user: {
      username: `${username.prefix}${name}`,
      ...(uidValue !== undefined ? { uid: uidValue } : {}),
      groups: [...new Set(groupValues.map((g) => `${groups?.prefix ?? ''}${g}`))],
      extra: extras,
    },
  };
}

/** Absent → []; a string → [it]; a list of strings → it; anything else → undefined. */
function stringsOf(value: unknown): readonly string[] | undefined {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.length > 0 ? [value] : [];
  if (Array.isArray(value) && value.every((v): v is string => typeof v === 'string')) return value.filter((v) => v.length > 0);
  return undefined;
}
