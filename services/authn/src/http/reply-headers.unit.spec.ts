import fc from 'fast-check';
import { escapeExtraKey, headerValue, remoteUserHeaders } from './reply-headers';

// RFC 9110 token characters: all a header name may hold.
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]*$/;

describe('front-proxy headers', () => {
  it.each([
    ['a domain-prefixed key escapes the slash as kube does', 'authentication.kubernetes.io/credential-id', 'authentication.kubernetes.io%2Fcredential-id'],
    ['a colon (not legal in header names) is escaped', 'a:b', 'a%3Ab'],
    ['upper case is folded (header names are case-insensitive)', 'Team', 'team'],
    ['a percent sign is escaped so unescaping is exact', '50%', '50%25'],
    ['a character outside the BMP is escaped as its four UTF-8 bytes', 'k😀', 'k%F0%9F%98%80'],
  ])('%s', (_name, key, expected) => expect(escapeExtraKey(key)).toBe(expected));

  it('any key escapes to a legal header name that unescapes to the lower-cased key', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (key) => {
        const escaped = escapeExtraKey(key);
        expect(escaped).toMatch(HEADER_NAME);
        expect(decodeURIComponent(escaped)).toBe(key.toLowerCase());
      }),
    );
  });

  it('non-ASCII values are percent-encoded, ASCII is kept', () => {
    expect(headerValue('jöe')).toBe('j%C3%B6e');
    expect(headerValue('joe@example.com')).toBe('joe@example.com');
    expect(remoteUserHeaders({ username: 'u', groups: [], extra: { e: [] } })).toEqual({ 'x-remote-user': 'u' });
  });

  it('the headers of a service-account user, built again for each answer', () => {
    const extraKey = 'authentication.kubernetes.io/pod-name';
    const user = (pod: string) => ({ username: 'system:serviceaccount:ns:sa', uid: 'u-1', groups: ['g1', 'g2'], extra: { [extraKey]: [pod] } });
    const expected = (pod: string) => ({
      'x-remote-user': 'system:serviceaccount:ns:sa',
      'x-remote-uid': 'u-1',
      'x-remote-group': ['g1', 'g2'],
      'x-remote-extra-authentication.kubernetes.io%2Fpod-name': [pod],
    });
    expect(remoteUserHeaders(user('pod-1'))).toEqual(expected('pod-1'));
    expect(remoteUserHeaders(user('pod-2'))).toEqual(expected('pod-2'));
  });

  it('a cache entry’s user answered again gets the headers built for it, unchangeable; a user not cached gets them built', () => {
    const user = { username: 'alice', groups: ['dev'], extra: {} };
    const first = remoteUserHeaders(user, true);
    expect(remoteUserHeaders(user, true)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(remoteUserHeaders(user)).not.toBe(first);
    expect(remoteUserHeaders(user)).toEqual(first);
    // Another object with other content is never answered with the first one's headers.
    expect(remoteUserHeaders({ ...user, username: 'bob' }, true)).toEqual({ 'x-remote-user': 'bob', 'x-remote-group': ['dev'] });
  });

  it('keys beyond the ones kept escaped are still escaped', () => {
    const extra = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k/${i}`, ['v']]));
    const headers = remoteUserHeaders({ username: 'u', groups: [], extra });
    expect(Object.keys(headers).filter((name) => name.startsWith('x-remote-extra-'))).toEqual(Array.from({ length: 300 }, (_, i) => `x-remote-extra-k%2F${i}`));
  });
});
