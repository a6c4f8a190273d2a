import { checkDiscoveryDocument, discoveryUrlOf } from './oidc-discovery';

const ISSUER = 'https://idp.example.com/realms/main';

describe('checkDiscoveryDocument', () => {
  it.each([
    ['a document naming the issuer with an https jwks_uri is accepted', { issuer: ISSUER, jwks_uri: `${ISSUER}/certs` }, 'discovered'],
    ['a document naming another issuer is issuer_mismatch', { issuer: 'https://evil.example.com', jwks_uri: `${ISSUER}/certs` }, 'issuer_mismatch'],
    ['an issuer differing only by a trailing slash is issuer_mismatch', { issuer: `${ISSUER}/`, jwks_uri: `${ISSUER}/certs` }, 'issuer_mismatch'],
    ['a plain-http jwks_uri off loopback is refused', { issuer: ISSUER, jwks_uri: 'http://idp.example.com/certs' }, 'upstream_unavailable'],
    ['a missing jwks_uri is refused', { issuer: ISSUER }, 'upstream_unavailable'],
    ['a document that is not an object is refused', 'hello', 'upstream_unavailable'],
  ])('%s', (_name, document, expected) => {
    const checked = checkDiscoveryDocument(document, ISSUER);
    expect(checked.kind === 'discovered' ? 'discovered' : checked.reason).toBe(expected);
  });

  it('looks for the document under the issuer unless a discovery URL is configured', () => {
    expect([discoveryUrlOf(`${ISSUER}/`, undefined), discoveryUrlOf(ISSUER, 'https://other/doc')]).toEqual([
      `${ISSUER}/.well-known/openid-configuration`,
      'https://other/doc',
    ]);
  });
});
