// Pure checks over registered JWT claims (RFC 7519 §4.1). `now` is passed in.
import type { ReasonCode } from '@authtrail/events';
import type { JwtClaims } from './compact-jwt.parser';

export type ClaimCheck = { readonly kind: 'ok' } | { readonly kind: 'failed'; readonly reason: ReasonCode; readonly message: string };

const OK: ClaimCheck = { kind: 'ok' };

/** The last second a JavaScript Date can hold (year 275760): later NumericDates are refused. */
const MAX_NUMERIC_DATE = 8.64e12;

export interface TimeRules {
  /** Clock skew tolerated either way on exp, nbf and iat. */
  readonly leewaySeconds: number;
  /** Bound service-account and OIDC tokens must expire; legacy service-account tokens never do. */
  readonly requireExp: boolean;
  /** Longest accepted `exp − iat`; without `iat`, `exp − now` (plus the leeway). */
  readonly maxLifetimeSeconds: number;
}

/**
 * exp / nbf / iat with the leeway either way, then the lifetime cap. Claims that are not
 * numbers, negative or beyond any date (`exp: 1e300`) are `malformed_credentials`; `iat` in the
 * future is `token_not_yet_valid`, as kube-apiserver (go-jose `ErrIssuedInTheFuture`); a
 * lifetime over the cap is `malformed_credentials`: no issuer here mints such a token.
 */
export function checkTimes(claims: JwtClaims, nowSeconds: number, rules: TimeRules): ClaimCheck {
  const { leewaySeconds, maxLifetimeSeconds } = rules;
  const times = timeClaims(claims);
  if ('malformed' in times) return { kind: 'failed', reason: 'malformed_credentials', message: `${times.malformed} is not a NumericDate in range` };
  const { exp, nbf, iat } = times;
  if (exp === undefined && rules.requireExp) return { kind: 'failed', reason: 'missing_claim', message: 'token has no exp' };
  if (exp !== undefined && nowSeconds > exp + leewaySeconds) return { kind: 'failed', reason: 'token_expired', message: 'token has expired' };
  if (nbf !== undefined && nowSeconds + leewaySeconds < nbf) return { kind: 'failed', reason: 'token_not_yet_valid', message: 'token is not valid yet' };
  if (iat !== undefined && nowSeconds + leewaySeconds < iat) return { kind: 'failed', reason: 'token_not_yet_valid', message: 'token is issued in the future' };
  if (exp !== undefined) {
    // Without iat the remaining lifetime is the least the token claims; the leeway absorbs skew.
    const lifetime = iat !== undefined ? exp - iat : exp - nowSeconds - leewaySeconds;
    if (lifetime > maxLifetimeSeconds) {
      return { kind: 'failed', reason: 'malformed_credentials', message: `token lifetime exceeds the maximum of ${maxLifetimeSeconds} seconds` };
    }
  }
  return OK;
}

type TimeClaims = { exp?: number; nbf?: number; iat?: number };

/** exp, nbf and iat as numbers (absent ones left out), or the first that is not a NumericDate. */
function timeClaims(claims: JwtClaims): TimeClaims | { readonly malformed: keyof TimeClaims } {
  const times: TimeClaims = {};
  for (const name of ['exp', 'nbf', 'iat'] as const) {
    const value = claims[name];
    if (value === undefined) continue;
    if (!isNumericDate(value)) return { malformed: name };
    times[name] = value;
  }
  return times;
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_NUMERIC_DATE;
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
