// Kubernetes front-proxy headers (`--requestheader-*`): X-Remote-User, X-Remote-Uid, one
// X-Remote-Group per group, X-Remote-Extra-<key>. Extra keys are percent-escaped as kube does
// (url.PathEscape, unescaped by the receiver) and, further, every character that is not legal in
// a header name is escaped too, so `:` or `/` in a key can never break the header.
import type { UserInfo } from '@authtrail/strategies';

export const DECISION_ID_HEADER = 'x-authtrail-decision-id';

// Every character (code point, hence the `u` flag) that may not stand in a header name.
const HEADER_NAME_UNSAFE = /[^A-Za-z0-9!#$&'*+.^_`|~-]/gu;

const percentEncodeUtf8 = (character: string): string => {
  let out = '';
  for (const byte of Buffer.from(character, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
};

// One regular-expression pass (a per-character loop cost ~9 µs a forward-auth answer with a
// service-account token's four keys: bench/profile's forward-auth-jwt).
export function escapeExtraKey(key: string): string {
  return key.toLowerCase().replace(HEADER_NAME_UNSAFE, percentEncodeUtf8);
}

const VISIBLE_ASCII = /^[\x20-\x7e]*$/;

/** Header values must be visible ASCII: anything else (unicode names, control characters) is percent-encoded. */
export function headerValue(value: string): string {
  return VISIBLE_ASCII.test(value) ? value : encodeURIComponent(value);
}

// A credential-cache entry answers with the same (immutable) UserInfo object again: its headers
// are built once. Only for cache entries: remembering a user seen once costs more than building.
const headersOfCachedUser = new WeakMap<UserInfo, Readonly<Record<string, string | string[]>>>();

/** The identity headers of `user`; `cached`: it is a credential-cache entry's (decision.result.cached). */
export function remoteUserHeaders(user: UserInfo, cached = false): Readonly<Record<string, string | string[]>> {
  if (!cached) return buildRemoteUserHeaders(user);
  let headers = headersOfCachedUser.get(user);
  if (headers === undefined) {
    headers = Object.freeze(buildRemoteUserHeaders(user));
    headersOfCachedUser.set(user, headers);
  }
  return headers;
}

function buildRemoteUserHeaders(user: UserInfo): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = { 'x-remote-user': headerValue(user.username) };
  if (user.uid !== undefined && user.uid !== '') headers['x-remote-uid'] = headerValue(user.uid);
  if (user.groups.length > 0) headers['x-remote-group'] = user.groups.map(headerValue);
  for (const [key, values] of Object.entries(user.extra)) {
    if (values.length > 0) headers[extraHeaderName(key)] = values.map(headerValue);
  }
  return headers;
}

// Extra keys come from a small set (kube's own, the configured claim mappings), so each header
// name is built once; bounded, since whatever a token may carry is not a set we choose.
const EXTRA_NAMES_KEPT = 256;
const extraHeaderNames = new Map<string, string>();

function extraHeaderName(key: string): string {
  let name = extraHeaderNames.get(key);
  if (name === undefined) {
    name = `x-remote-extra-${escapeExtraKey(key)}`;
    if (extraHeaderNames.size < EXTRA_NAMES_KEPT) extraHeaderNames.set(key, name);
  }
  return name;
}
