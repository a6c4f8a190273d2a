// Cheap structural pre-checks of a compact JWS before any key is touched. Pure; never throws.
//
// The rule that separates "not a JWT" (abstain: another strategy's token) from "a broken JWT"
// (reject with malformed_credentials): a token is JWT-shaped when it has exactly three
// dot-separated segments and its first segment starts with `eyJ` (base64url of `{"`). Static
// tokens, bootstrap tokens (one dot) and opaque tokens are therefore never claimed; anything
// JWT-shaped whose header or payload does not decode to a JSON object is malformed.
//
// Every token of one signer carries the same header, byte for byte: a small bounded memo keyed by
// the encoded header segment remembers the headers that passed every header check, decoded and
// frozen, so a token of a known signer skips the header's base64url decode and JSON.parse. The
// payload and the signature are checked on every call, hit or miss.

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

export interface CompactJwtParser {
  parse(token: string): ParsedJwt;
  /** Headers remembered now: never more than the parser's limit. */
  memoSize(): number;
}

/** Distinct headers remembered by `parseCompactJwt`: a deployment trusts a handful of signers. */
export const HEADER_MEMO_LIMIT = 64;
/** Longer encoded headers are never remembered (a real one is about 100 characters). */
export const HEADER_MEMO_MAX_SEGMENT = 512;

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const NOT_JWT: ParsedJwt = Object.freeze({ kind: 'not-jwt' });
const NOT_BASE64URL: ParsedJwt = Object.freeze({ kind: 'malformed', message: 'token segments are not base64url' });

/**
 * A parser whose header memo holds at most `memoLimit` headers (0: no memo). Past the limit the
 * oldest header is forgotten, so distinct headers (an attacker's) cannot grow memory.
 */
export function compactJwtParser(memoLimit: number): CompactJwtParser {
  const memo = new Map<string, JwtHeader>();

  const remember = (encodedHeader: string, header: JwtHeader): JwtHeader => {
    if (memoLimit <= 0 || encodedHeader.length > HEADER_MEMO_MAX_SEGMENT || !isFlat(header)) return header;
    if (memo.size >= memoLimit) memo.delete(memo.keys().next().value as string);
    const frozen = Object.freeze(header);
    // The segment is a slice of the token (of the request header): a copy keeps neither alive.
    memo.set(copyOf(encodedHeader), frozen);
    return frozen;
  };

  return {
    parse(token) {
      const firstDot = token.indexOf('.');
      const secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
      // `eyJ` contains no dot: checking the token's start checks its first segment's.
      if (secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0 || !token.startsWith('eyJ')) return NOT_JWT;
      const encodedHeader = token.slice(0, firstDot);
      const encodedPayload = token.slice(firstDot + 1, secondDot);
      const signature = token.slice(secondDot + 1);
      // A remembered header is this very string, which passed the base64url check before.
      let header = encodedHeader.length <= HEADER_MEMO_MAX_SEGMENT ? memo.get(encodedHeader) : undefined;
      if (header === undefined && !BASE64URL.test(encodedHeader)) return NOT_BASE64URL;
      if (!BASE64URL.test(encodedPayload) || !BASE64URL.test(signature)) return NOT_BASE64URL;
      if (header === undefined) {
        const checked = checkedHeader(encodedHeader);
        if (typeof checked === 'string') return { kind: 'malformed', message: checked };
        header = remember(encodedHeader, checked);
      }
      const claims = decodeJsonObject(encodedPayload);
      if (claims === undefined) return { kind: 'malformed', message: 'token payload is not a JSON object' };
      return { kind: 'jwt', header, claims };
    },
    memoSize: () => memo.size,
  };
}

const parser = compactJwtParser(HEADER_MEMO_LIMIT);

export function parseCompactJwt(token: string): ParsedJwt {
  return parser.parse(token);
}

/** How many headers `parseCompactJwt` remembers now (at most HEADER_MEMO_LIMIT). */
export function headerMemoSize(): number {
  return parser.memoSize();
}

/** The decoded header when it passes every header check, else why not. */
function checkedHeader(encodedHeader: string): JwtHeader | string {
  const header = decodeJsonObject(encodedHeader);
  if (header === undefined) return 'token header is not a JSON object';
  if (typeof header['alg'] !== 'string' || header['alg'].length === 0) return 'token header has no alg';
  if (header['kid'] !== undefined && typeof header['kid'] !== 'string') return 'token header kid is not a string';
  // RFC 7515 §4.1.11: a JWS that marks extensions critical is invalid to a verifier that does not
  // implement them, and this one implements none (b64=false signing input included).
  if (header['crit'] !== undefined) return 'token header lists critical extensions (crit), none are supported';
  return header as JwtHeader;
}

/** Only headers of primitive values are shared: freezing them freezes all of them. */
function isFlat(header: JwtHeader): boolean {
  for (const name in header) {
    const value = header[name];
    if (typeof value === 'object' && value !== null) return false;
  }
  return true;
}

/** A string of its own, not a slice that keeps its (much longer) parent alive. */
function copyOf(value: string): string {
  return Buffer.from(value, 'latin1').toString('latin1');
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
