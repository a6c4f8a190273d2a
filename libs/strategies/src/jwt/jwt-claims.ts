// Pure checks over registered JWT claims (RFC 7519 §4.1). `now` is passed in.
import type { ReasonCode } from '@authtrail/events';
import type { JwtClaims } from './compact-jwt.parser';

export type ClaimCheck = { readonly kind: 'ok' } | { readonly kind: 'failed'; readonly reason: ReasonCode; readonly message: string };

const OK: ClaimCheck = { kind: 'ok' };

/**
 * exp / nbf with `leewaySeconds` either way. `requireExp`: bound service-account and OIDC tokens
 * must expire; legacy service-account tokens never do.
 */
export function checkTimes(claims: JwtClaims, nowSeconds: number, leewaySeconds: number, requireExp: boolean): ClaimCheck {
  const { exp, nbf } = claims;
  if (exp !== undefined && !isNumericDate(exp)) return { kind: 'failed', reason: 'malformed_credentials', message: 'exp is not a NumericDate' };
  if (nbf !== undefined && !isNumericDate(nbf)) return { kind: 'failed', reason: 'malformed_credentials', message: 'nbf is not a NumericDate' };
  if (exp === undefined && requireExp) return { kind: 'failed', reason: 'missing_claim', message: 'token has no exp' };
  if (exp !== undefined && nowSeconds > exp + leewaySeconds) return { kind: 'failed', reason: 'token_expired', message: 'token has expired' };
  if (nbf !== undefined && nowSeconds + leewaySeconds < nbf) return { kind: 'failed', reason: 'token_not_yet_valid', message: 'token is not valid yet' };
  return OK;
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** `aud` as a list: a string, an array of strings, or absent (empty). Undefined when malformed. */
export function audiencesOf(claims: JwtClaims): readonly string[] | undefined {
  const { aud } = claims;
  if (aud === undefined) return [];
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud) && aud.every((a): a is string => typeof a === 'string')) return aud;
  return undefined;
}

/** Elements of `a` that are also in `b`, in `a`'s order, without duplicates. */
export function intersect(a: readonly string[], b: readonly string[]): readonly string[] {
  return [...new Set(a.filter((x) => b.includes(x)))];
}

export function stringClaim(claims: JwtClaims, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' ? value : undefined;
}

/** NumericDate claim as a Date, when it is one. */
export function dateClaim(claims: JwtClaims, name: string): Date | undefined {
  const value = claims[name];
  return isNumericDate(value) ? new Date(value * 1000) : undefined;
}

/** Caps attacker-controlled strings before they reach messages or events. */
export function bounded(value: string, max = 256): string {
  return value.length <= max ? value : `${value.slice(0, max)}…`;
}
