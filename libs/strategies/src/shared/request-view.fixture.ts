// Test fixture: a request view with defaults, for the specs of this lib.
import type { X509Certificate } from 'node:crypto';
import type { RequestView } from '../strategy';

export function requestView(overrides: {
  readonly authorization?: string;
  readonly headers?: Record<string, string | undefined>;
  readonly peerCertificates?: readonly X509Certificate[];
  readonly path?: string;
  readonly audiences?: readonly string[];
  readonly tls?: boolean;
} = {}): RequestView {
  return {
    headers: { ...(overrides.authorization !== undefined ? { authorization: overrides.authorization } : {}), ...overrides.headers },
    peerCertificates: overrides.peerCertificates ?? [],
    sourceIp: '127.0.0.1',
    method: 'GET',
    path: overrides.path ?? '/',
    audiences: overrides.audiences ?? [],
    tls: overrides.tls ?? true,
  };
}

export const bearer = (token: string): string => `Bearer ${token}`;
export const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
