// OpenID Connect discovery (OpenID Connect Discovery 1.0 §4): the document must name exactly
// the configured issuer (§4.3: otherwise a compromised or misconfigured endpoint could point
// us at someone else's keys), and its jwks_uri must be https (plain http only on loopback).
import type { ReasonCode } from '@authtrail/events';
import { describeFetchError } from '../jwt/key-resolver';
import type { Fetch } from '../jwt/http-fetch';
import { HTTPS_OR_LOOPBACK_URL } from './oidc.config';

export type Discovery =
  | { readonly kind: 'discovered'; readonly jwksUri: URL }
  | { readonly kind: 'failed'; readonly reason: ReasonCode; readonly message: string };

const SAFE_URL = new RegExp(HTTPS_OR_LOOPBACK_URL);

export function discoveryUrlOf(issuerUrl: string, discoveryURL: string | undefined): string {
  return discoveryURL ?? `${issuerUrl.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

export async function discover(issuerUrl: string, discoveryURL: string | undefined, fetch: Fetch, timeoutMs: number): Promise<Discovery> {
  let document: unknown;
  try {
    const response = await fetch(discoveryUrlOf(issuerUrl, discoveryURL), { signal: AbortSignal.timeout(timeoutMs) });
    if (response.status !== 200) return { kind: 'failed', reason: 'upstream_unavailable', message: `discovery answered HTTP ${response.status}` };
    document = await response.json();
  } catch (error) {
    return { kind: 'failed', reason: 'upstream_unavailable', message: `discovery unavailable: ${describeFetchError(error)}` };
  }
  return checkDiscoveryDocument(document, issuerUrl);
}

/** Pure check of a discovery document against the configured issuer. */
export function checkDiscoveryDocument(document: unknown, issuerUrl: string): Discovery {
  if (typeof document !== 'object' || document === null) return { kind: 'failed', reason: 'upstream_unavailable', message: 'discovery document is not a JSON object' };
  const { issuer, jwks_uri: jwksUri } = document as Record<string, unknown>;
  if (issuer !== issuerUrl) return { kind: 'failed', reason: 'issuer_mismatch', message: 'discovery document names another issuer' };
  if (typeof jwksUri !== 'string' || !SAFE_URL.test(jwksUri)) {
    return { kind: 'failed', reason: 'upstream_unavailable', message: 'discovery document has no https jwks_uri' };
  }
  return { kind: 'discovered', jwksUri: new URL(jwksUri) };
}
