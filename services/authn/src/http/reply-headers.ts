// Kubernetes front-proxy headers (`--requestheader-*`): X-Remote-User, X-Remote-Uid, one
// X-Remote-Group per group, X-Remote-Extra-<key>. Extra keys are percent-escaped as kube does
// (url.PathEscape, unescaped by the receiver) and, further, every character that is not legal in
// a header name is escaped too, so `:` or `/` in a key can never break the header.
import type { UserInfo } from '@authtrail/strategies';

export const DECISION_ID_HEADER = 'x-authtrail-decision-id';

const HEADER_NAME_SAFE = /[A-Za-z0-9!#$&'*+.^_`|~-]/;

export function escapeExtraKey(key: string): string {
  let out = '';
  for (const ch of key.toLowerCase()) {
    out += HEADER_NAME_SAFE.test(ch) ? ch : [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

/** Header values must be visible ASCII: anything else (unicode names, control characters) is percent-encoded. */
export function headerValue(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}

export function remoteUserHeaders(user: UserInfo): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = { 'x-remote-user': headerValue(user.username) };
  if (user.uid !== undefined && user.uid !== '') headers['x-remote-uid'] = headerValue(user.uid);
  if (user.groups.length > 0) headers['x-remote-group'] = user.groups.map(headerValue);
  for (const [key, values] of Object.entries(user.extra)) {
    if (values.length > 0) headers[`x-remote-extra-${escapeExtraKey(key)}`] = values.map(headerValue);
  }
  return headers;
}
