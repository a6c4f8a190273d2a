// Reads the service-account identity out of verified claims. Pure; never throws.
// Bound tokens (TokenRequest API) carry a private `kubernetes.io` claim; legacy Secret tokens
// carry flat `kubernetes.io/serviceaccount/*` claims (k8s.io/kubernetes pkg/serviceaccount).
import type { JwtClaims } from '../jwt/compact-jwt.parser';

export interface ServiceAccountIdentity {
  readonly kind: 'bound' | 'legacy';
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly pod?: { readonly name: string; readonly uid: string };
  readonly node?: { readonly name: string; readonly uid?: string };
  readonly secretName?: string;
}

export type ServiceAccountClaims =
  | { readonly kind: 'identity'; readonly identity: ServiceAccountIdentity }
  | { readonly kind: 'invalid'; readonly message: string };

const LEGACY = 'kubernetes.io/serviceaccount/';

/** Whether the claims look like a Kubernetes service-account token (of any issuer). */
export function hasServiceAccountClaims(claims: JwtClaims): boolean {
  return claims['kubernetes.io'] !== undefined || claims[`${LEGACY}namespace`] !== undefined;
}

export function serviceAccountIdentity(claims: JwtClaims, legacy: boolean): ServiceAccountClaims {
  const identity = legacy ? legacyIdentity(claims) : boundIdentity(claims);
  if (identity.kind === 'invalid') return identity;
  const expected = serviceAccountUsername(identity.identity.namespace, identity.identity.name);
  // kube-apiserver refuses a token whose subject disagrees with its service-account claims.
  if (claims['sub'] !== expected) return { kind: 'invalid', message: 'sub does not name the service account of the token' };
  return identity;
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

function boundIdentity(claims: JwtClaims): ServiceAccountClaims {
  const k8s = objectOf(claims['kubernetes.io']);
  if (!k8s) return { kind: 'invalid', message: 'token has no kubernetes.io claim' };
  const namespace = nonEmpty(k8s['namespace']);
  const account = objectOf(k8s['serviceaccount']);
  const name = nonEmpty(account?.['name']);
  const uid = nonEmpty(account?.['uid']);
  if (!namespace || !name || !uid) return { kind: 'invalid', message: 'kubernetes.io claim lacks namespace or serviceaccount name/uid' };
  const pod = reference(k8s['pod']);
  const node = reference(k8s['node']);
  const secret = reference(k8s['secret']);
  if (pod === 'invalid' || node === 'invalid' || secret === 'invalid') {
    return { kind: 'invalid', message: 'kubernetes.io claim has a malformed pod, node or secret reference' };
  }
  if (pod && pod.uid === undefined) return { kind: 'invalid', message: 'kubernetes.io pod reference has no uid' };
  // Set field by field: no throw-away objects to spread (`reference` already built node's).
  const identity: { -readonly [K in keyof ServiceAccountIdentity]: ServiceAccountIdentity[K] } = { kind: 'bound', namespace, name, uid };
  if (pod?.uid !== undefined) identity.pod = { name: pod.name, uid: pod.uid };
  if (node) identity.node = node;
  if (secret) identity.secretName = secret.name;
  return { kind: 'identity', identity };
}

function legacyIdentity(claims: JwtClaims): ServiceAccountClaims {
  const namespace = nonEmpty(claims[`${LEGACY}namespace`]);
  const name = nonEmpty(claims[`${LEGACY}service-account.name`]);
  const uid = nonEmpty(claims[`${LEGACY}service-account.uid`]);
  const secretName = nonEmpty(claims[`${LEGACY}secret.name`]);
  if (!namespace || !name || !uid || !secretName) {
    return { kind: 'invalid', message: 'legacy token lacks namespace, service-account name/uid or secret name' };
  }
  return { kind: 'identity', identity: { kind: 'legacy', namespace, name, uid, secretName } };
}

function objectOf(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function reference(value: unknown): { name: string; uid?: string } | undefined | 'invalid' {
  if (value === undefined) return undefined;
  const object = objectOf(value);
  const name = nonEmpty(object?.['name']);
  if (!object || !name) return 'invalid';
  const uid = object['uid'];
  if (uid !== undefined && typeof uid !== 'string') return 'invalid';
  return uid ? { name, uid } : { name };
}
