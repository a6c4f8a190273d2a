// The JWT floors of bench/peers answer as authtrail's forward-auth does: the headers they build
// from a token's claims must be those authn builds from the user its service-account strategy
// and chain find in the same token.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServiceAccountStrategy, firstMatch, withGroups, type Strategy } from '@authtrail/strategies';
import { boundServiceAccountClaims, rsaKeyPair, signJwt } from '@authtrail/testing';
import { remoteUserHeaders } from '../../services/authn/src/http/reply-headers';
import { claimsOf } from './floor-work';
import { serviceAccountFrontProxyHeaders } from './front-proxy-headers';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
let dir: string;
let strategy: Strategy;
const key = rsaKeyPair({ alg: 'RS256' });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'front-proxy-headers-'));
  writeFileSync(join(dir, 'sa.pub'), key.publicPem);
  strategy = await createServiceAccountStrategy({ id: 'service-account', issuers: [ISSUER], keyFiles: [join(dir, 'sa.pub')], audiences: [ISSUER] });
});
afterAll(async () => {
  await strategy.close?.();
  rmSync(dir, { recursive: true, force: true });
});

const userOf = async (token: string) => {
  const view = { headers: { authorization: `Bearer ${token}` }, peerCertificates: [], sourceIp: '127.0.0.1', method: 'GET', path: '/', audiences: [], tls: false };
  const { outcome } = await withGroups(firstMatch([strategy])).authenticateWithTrace(view);
  if (outcome.kind !== 'authenticated') throw new Error(`the token was not authenticated: ${outcome.kind}`);
  return outcome.user;
};

it.each([
  ['bound to a pod and its node', {}],
  ['bound to nothing', { pod: null, node: null }],
])('a service-account token %s: the floors answer with the headers authn answers with', async (_name, binding) => {
  const token = signJwt(boundServiceAccountClaims({ issuer: ISSUER, audiences: [ISSUER], namespace: 'ci', name: 'builder', ...binding }), key);
  const authn = remoteUserHeaders(await userOf(token));
  expect(serviceAccountFrontProxyHeaders(claimsOf(token))).toEqual(authn);
  expect(authn['x-remote-user']).toBe('system:serviceaccount:ci:builder');
});
