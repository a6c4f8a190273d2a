// The steps every JWT strategy takes before its own rules, as pure functions: find a Bearer
// JWT in the request, check the algorithm against the pinned list, describe the credential for
// the event. Routing by issuer happens in each strategy (abstain on a foreign issuer).
import type { ReasonCode } from '@authtrail/events';
import { authorizationOf } from '../http/authorization-header';
import type { CredentialDescription, CredentialType } from '../strategy';
import { parseCompactJwt, type JwtClaims, type JwtHeader } from './compact-jwt.parser';
import { isAsymmetricAlgorithm, type JwsAlgorithm } from './jwt-algorithms';
import { audiencesOf, bounded, dateClaim, stringClaim } from './jwt-claims';

/** Longest token we look at: a header that large is not a JWT any issuer here mints. */
export const MAX_JWT_LENGTH = 16 * 1024;

export type BearerJwt =
  | { readonly kind: 'none' }
  | { readonly kind: 'malformed'; readonly message: string }
  | { readonly kind: 'jwt'; readonly token: string; readonly header: JwtHeader; readonly claims: JwtClaims };

type Headers = Readonly<Record<string, string | undefined>>;

// One parse per request (#19 item 1): the service-account strategy, AuthenticationConfiguration's
// routing by issuer and each issuer's verifier all read the same Bearer JWT. The first to ask
// parses it; the others take that result. The memo rides on the request's headers object under a
// symbol, not enumerable (spreads, JSON and logs never see it), so it lives exactly as long as the
// request and nothing long-lived keeps the token.
const PARSED = Symbol('authtrail.bearerJwt');
type MemoHolder = { [PARSED]?: { readonly authorization: string; readonly presented: BearerJwt } };

/** The request's Bearer JWT, parsed once per headers object (kept while its authorization header stays). */
export function bearerJwt(headers: Headers): BearerJwt {
  const authorization = headers['authorization'];
  const memo = (headers as MemoHolder)[PARSED];
  if (memo !== undefined && memo.authorization === authorization) return memo.presented;
  const presented = parsedBearerJwt(headers);
  // Only a JWT is worth remembering: telling "none" or "malformed" costs less than the memo.
  if (presented.kind === 'jwt' && authorization !== undefined && Object.isExtensible(headers)) {
    Object.defineProperty(headers, PARSED, { value: { authorization, presented }, writable: true, configurable: true });
  }
  return presented;
}

function parsedBearerJwt(headers: Headers): BearerJwt {
  const authorization = authorizationOf(headers);
  if (authorization.kind === 'malformed' && authorization.scheme === 'bearer') return { kind: 'malformed', message: authorization.problem };
  if (authorization.kind !== 'bearer') return { kind: 'none' };
  const { token } = authorization;
  if (token.length > MAX_JWT_LENGTH) return token.startsWith('eyJ') ? { kind: 'malformed', message: 'token is too large' } : { kind: 'none' };
  const parsed = parseCompactJwt(token);
  switch (parsed.kind) {
    case 'not-jwt':
      return { kind: 'none' };
    case 'malformed':
      return parsed;
    case 'jwt':
      return { kind: 'jwt', token, header: parsed.header, claims: parsed.claims };
    default: {
      const _exhaustive: never = parsed;
      return _exhaustive;
    }
  }
}

export type AlgorithmCheck = { readonly kind: 'ok'; readonly alg: JwsAlgorithm } | { readonly kind: 'refused'; readonly reason: ReasonCode; readonly message: string };

/** `none` and HS* never pass, whatever the configuration says. */
export function checkAlgorithm(alg: string, allowed: readonly JwsAlgorithm[]): AlgorithmCheck {
  if (!isAsymmetricAlgorithm(alg) || !allowed.includes(alg)) {
    return { kind: 'refused', reason: 'unsupported_algorithm', message: `algorithm ${bounded(alg, 16)} is not accepted` };
  }
  return { kind: 'ok', alg };
}

/** The event's view of a JWT credential; the token itself only as fingerprint input. */
export function jwtCredential(type: CredentialType, token: string, claims: JwtClaims, audiences?: readonly string[]): CredentialDescription {
  // Built property by property, in the order the event lists them: no throw-away objects to spread.
  const credential: { -readonly [K in keyof CredentialDescription]: CredentialDescription[K] } = { type, secretForFingerprint: token };
  const jti = stringClaim(claims, 'jti');
  if (jti) credential.publicId = bounded(jti);
  const iss = stringClaim(claims, 'iss');
  if (iss) credential.issuer = bounded(iss);
  const sub = stringClaim(claims, 'sub');
  if (sub) credential.subject = bounded(sub);
  const aud = audiences ?? audiencesOf(claims);
  if (aud) credential.audiences = boundedAudiences(aud);
  const issuedAt = dateClaim(claims, 'iat');
  if (issuedAt) credential.issuedAt = issuedAt;
  const expiresAt = dateClaim(claims, 'exp');
  if (expiresAt) credential.expiresAt = expiresAt;
  return credential;
}

/**
 * `jwtCredential(type, token, claims, audiences)` from an already built
 * `jwtCredential(type, token, claims)` whose token has a well-formed `aud` (so the credential lists
 * audiences, in the same place): the claims are not read again.
 */
export function withGrantedAudiences(credential: CredentialDescription, audiences: readonly string[]): CredentialDescription {
  return { ...credential, audiences: boundedAudiences(audiences) };
}

function boundedAudiences(audiences: readonly string[]): readonly string[] {
  return audiences.slice(0, 16).map((a) => bounded(a));
}
