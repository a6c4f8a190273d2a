// What a forward-auth answer that speaks Kubernetes' front-proxy convention (`--requestheader-*`)
// carries for a bound service-account token, as kube-apiserver maps its claims: the user, its
// uid, one group per line and the token's bound objects as extras. The JWT floors of bench/peers
// answer with these, so their responses are the size authtrail's are (its answer also names the
// decision); bench/peers checks them against authtrail's answer for the same token.
import type { JwtClaims } from './floor-work';

interface BoundServiceAccountClaims {
  readonly sub?: string;
  readonly jti?: string;
  readonly 'kubernetes.io'?: {
    readonly namespace?: string;
    readonly serviceaccount?: { readonly uid?: string };
    readonly pod?: { readonly name?: string; readonly uid?: string };
    readonly node?: { readonly name?: string; readonly uid?: string };
  };
}

const EXTRA = 'x-remote-extra-authentication.kubernetes.io%2F';

export function serviceAccountFrontProxyHeaders(claims: JwtClaims): Record<string, string | string[]> {
  const { sub = '', jti, 'kubernetes.io': kube = {} } = claims as BoundServiceAccountClaims;
  const headers: Record<string, string | string[]> = { 'x-remote-user': sub };
  if (kube.serviceaccount?.uid) headers['x-remote-uid'] = kube.serviceaccount.uid;
  headers['x-remote-group'] = ['system:serviceaccounts', `system:serviceaccounts:${kube.namespace ?? ''}`, 'system:authenticated'];
  const extras: [string, string | undefined][] = [
    ['credential-id', jti === undefined ? undefined : `JTI=${jti}`],
    ['node-name', kube.node?.name],
    ['node-uid', kube.node?.uid],
    ['pod-name', kube.pod?.name],
    ['pod-uid', kube.pod?.uid],
  ];
  for (const [key, value] of extras) if (value !== undefined) headers[`${EXTRA}${key}`] = [value];
  return headers;
}
