import { escapeExtraKey, headerValue, remoteUserHeaders } from './reply-headers';

describe('front-proxy headers', () => {
  it.each([
    ['a domain-prefixed key escapes the slash as kube does', 'authentication.kubernetes.io/credential-id', 'authentication.kubernetes.io%2Fcredential-id'],
    ['a colon (not legal in header names) is escaped', 'a:b', 'a%3Ab'],
    ['upper case is folded (header names are case-insensitive)', 'Team', 'team'],
    ['a percent sign is escaped so unescaping is exact', '50%', '50%25'],
  ])('%s', (_name, key, expected) => expect(escapeExtraKey(key)).toBe(expected));

  it('non-ASCII values are percent-encoded, ASCII is kept', () => {
    expect(headerValue('jöe')).toBe('j%C3%B6e');
    expect(headerValue('joe@example.com')).toBe('joe@example.com');
    expect(remoteUserHeaders({ username: 'u', groups: [], extra: { e: [] } })).toEqual({ 'x-remote-user': 'u' });
  });
});
