import { randomInt } from 'node:crypto';
import { stringify } from 'yaml';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomString(length: number): string {
  return Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

export interface BootstrapTokenRequest {
  readonly ttlMs: number;
  readonly extraGroups?: readonly string[];
  readonly description?: string;
  readonly now: Date;
}

/** A kubeadm-style bootstrap token (`[a-z0-9]{6}.[a-z0-9]{16}`) and its Secret manifest. */
export function createBootstrapToken(request: BootstrapTokenRequest): { token: string; tokenId: string; expiration: string; secretYaml: string } {
  const tokenId = randomString(6);
  const tokenSecret = randomString(16);
  const expiration = new Date(request.now.getTime() + request.ttlMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const stringData: Record<string, string> = {
    'token-id': tokenId,
    'token-secret': tokenSecret,
    expiration,
    'usage-bootstrap-authentication': 'true',
    'usage-bootstrap-signing': 'true',
  };
  if (request.description) stringData['description'] = request.description;
  if (request.extraGroups && request.extraGroups.length > 0) stringData['auth-extra-groups'] = request.extraGroups.join(',');
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `bootstrap-token-${tokenId}`, namespace: 'kube-system' },
    type: 'bootstrap.kubernetes.io/token',
    stringData,
  };
  return { token: `${tokenId}.${tokenSecret}`, tokenId, expiration, secretYaml: stringify(secret) };
}

/** Kubernetes' rule for auth-extra-groups (k8s.io/cluster-bootstrap/token/util). */
export const BOOTSTRAP_GROUP_PATTERN = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
