// Test fixture: OpenID issuers served in memory through the strategies' `fetch` dependency, so the
// documentation's issuer URL (`https://example.com`) can be used as printed. Discovery at
// `<issuer>/.well-known/openid-configuration` (or a separate discovery URL), keys at
// `<issuer>/openid/v1/jwks`; tokens signed with keys generated per run.
import { jwksOf, signJwt, type TestKeyPair } from '@authtrail/testing';
import type { Fetch } from '../../jwt/http-fetch';

interface ServedIssuer {
  keys: readonly TestKeyPair[];
}

export function inMemoryIssuers() {
  const issuers = new Map<string, ServedIssuer>();
  const routes = new Map<string, () => unknown>();
  const requests = new Map<string, number>();
  const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  const fetch: Fetch = async (url) => {
    requests.set(url, (requests.get(url) ?? 0) + 1);
    const route = routes.get(url);
    return route ? json(route()) : new Response('not found', { status: 404 });
  };
  return {
    fetch,
    /** Requests served per URL. */
    requests,
    /** Serves `issuer` with `keys` (first signs); `discoveryURL` when not under the issuer. */
    add(issuer: string, keys: readonly TestKeyPair[], options: { readonly discoveryURL?: string } = {}) {
      const served: ServedIssuer = { keys };
      issuers.set(issuer, served);
      const jwksUri = `${issuer}/openid/v1/jwks`;
      routes.set(options.discoveryURL ?? `${issuer}/.well-known/openid-configuration`, () => ({ issuer, jwks_uri: jwksUri }));
      routes.set(jwksUri, () => jwksOf(...served.keys));
      return {
        sign: (claims: Record<string, unknown>, key: TestKeyPair | undefined = served.keys[0]) => {
          if (!key) throw new Error('no signing key');
          return signJwt(claims, key);
        },
      };
    },
  };
}
