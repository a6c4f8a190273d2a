// Parses the Authorization header the way kube-apiserver does (`bearertoken` and Go's
// `Request.BasicAuth`), into a typed result. Total: no input throws.
//
// Rules: surrounding whitespace is trimmed; the scheme is case-insensitive; `Bearer` takes exactly
// one token (an empty token or a token with whitespace is malformed, not "absent", so a
// presented-but-broken credential is never treated as anonymous); `Basic` takes strict, padded
// standard base64 of UTF-8 `user:password` (split at the first colon).

export type AuthorizationHeader =
  | { readonly kind: 'absent' }
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  /** A scheme no strategy here handles (Digest, Negotiate, ...). */
  | { readonly kind: 'other'; readonly scheme: string }
  /** A Bearer or Basic credential that cannot be read. `problem` never contains the credential. */
  | { readonly kind: 'malformed'; readonly scheme: 'bearer' | 'basic'; readonly problem: string };

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

const WHITESPACE = /\s/;

export function parseAuthorizationHeader(value: string | undefined): AuthorizationHeader {
  // The common spelling, `Bearer <token>` with nothing around it, in one scan of the token: what
  // the general rules below give for it, without trimming and searching the header first.
  if (value !== undefined && value.startsWith('Bearer ') && value.length > 7) {
    const token = value.slice(7);
    if (!WHITESPACE.test(token)) return { kind: 'bearer', token };
  }
  const header = (value ?? '').trim();
  if (header === '') return { kind: 'absent' };
  const space = header.search(/\s/);
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const rest = space < 0 ? '' : header.slice(space + 1);

  if (scheme === 'bearer') {
    if (rest === '') return { kind: 'malformed', scheme, problem: 'empty bearer token' };
    if (/\s/.test(rest)) return { kind: 'malformed', scheme, problem: 'bearer token contains whitespace' };
    return { kind: 'bearer', token: rest };
  }
  if (scheme === 'basic') {
    if (rest === '') return { kind: 'malformed', scheme, problem: 'empty basic credentials' };
    if (!STRICT_BASE64.test(rest)) return { kind: 'malformed', scheme, problem: 'basic credentials are not valid base64' };
    let decoded: string;
    try {
      decoded = utf8.decode(Buffer.from(rest, 'base64'));
    } catch {
      return { kind: 'malformed', scheme, problem: 'basic credentials are not valid UTF-8' };
    }
    const colon = decoded.indexOf(':');
    if (colon < 0) return { kind: 'malformed', scheme, problem: 'basic credentials have no colon' };
    return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return { kind: 'other', scheme: scheme.slice(0, 32) };
}

/** The Authorization header of a request view (names are lower-cased by contract). */
export function authorizationOf(headers: Readonly<Record<string, string | undefined>>): AuthorizationHeader {
  return parseAuthorizationHeader(headers['authorization']);
}
