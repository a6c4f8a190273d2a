// Cheap structural pre-checks of a compact JWS before any key is touched. Pure; never throws.
//
// The rule that separates "not a JWT" (abstain: another strategy's token) from "a broken JWT"
// (reject with malformed_credentials): a token is JWT-shaped when it has exactly three
// dot-separated segments and its first segment starts with `eyJ` (base64url of `{"`). Static
// tokens, bootstrap tokens (one dot) and opaque tokens are therefore never claimed; anything
// JWT-shaped whose header or payload does not decode to a JSON object is malformed.

export interface JwtHeader {
  readonly alg: string;
  readonly kid?: string;
  readonly typ?: string;
  readonly [name: string]: unknown;
}

export type JwtClaims = Readonly<Record<string, unknown>>;

export type ParsedJwt =
  | { readonly kind: 'not-jwt' }
  | { readonly kind: 'malformed'; readonly message: string }
  | { readonly kind: 'jwt'; readonly header: JwtHeader; readonly claims: JwtClaims };

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function parseCompactJwt(token: string): ParsedJwt {
  const segments = token.split('.');
  const [encodedHeader = '', encodedPayload = '', signature = ''] = segments;
  if (segments.length !== 3 || !encodedHeader.startsWith('eyJ')) return { kind: 'not-jwt' };
  if (!BASE64URL.test(encodedHeader) || !BASE64URL.test(encodedPayload) || !BASE64URL.test(signature)) {
    return { kind: 'malformed', message: 'token segments are not base64url' };
  }
  const header = decodeJsonObject(encodedHeader);
  if (header === undefined) return { kind: 'malformed', message: 'token header is not a JSON object' };
  if (typeof header['alg'] !== 'string' || header['alg'].length === 0) {
    return { kind: 'malformed', message: 'token header has no alg' };
  }
  if (header['kid'] !== undefined && typeof header['kid'] !== 'string') {
    return { kind: 'malformed', message: 'token header kid is not a string' };
  }
  // RFC 7515 §4.1.11: a JWS that marks extensions critical is invalid to a verifier that does not
  // implement them, and this one implements none (b64=false signing input included).
  if (header['crit'] !== undefined) return { kind: 'malformed', message: 'token header lists critical extensions (crit), none are supported' };
  const claims = decodeJsonObject(encodedPayload);
  if (claims === undefined) return { kind: 'malformed', message: 'token payload is not a JSON object' };
  return { kind: 'jwt', header: header as JwtHeader, claims };
}

function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  // base64url has no valid encoding of length 4n+1.
  if (segment.length === 0 || segment.length % 4 === 1) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
