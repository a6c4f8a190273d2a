// Issue #19 item 1, "one parse of the token": every JWT strategy of a chain reads the request's
// Bearer JWT through bearerJwt, which parses it once per request. Counted here on the parser
// itself, through the chains authn builds: service-account, then AuthenticationConfiguration's
// JWT authenticators (routing by issuer, then the issuer's verifier).
import { boundServiceAccountClaims, rsaKeyPair, signJwt } from '@authtrail/testing';
import type { ServiceAccountConfig } from '../service-account/service-account.config';
import { createServiceAccountStrategy } from '../service-account/service-account.strategy';
import { startAuthenticationConfiguration } from '../kube-authentication-config';
import { inMemoryIssuers } from '../kube-authentication-config/testdata/in-memory-issuers';
import { firstMatch } from '../chain/first-match';
import { validateStrategyConfig } from '../registry';
import { bearer, requestView } from '../shared/request-view.fixture';
import { tempFolder } from '../shared/temp-files.fixture';
import type { Strategy } from '../strategy';
import { bearerJwt } from './bearer-jwt';
import * as parser from './compact-jwt.parser';

jest.mock('./compact-jwt.parser', () => {
  const actual = jest.requireActual<typeof import('./compact-jwt.parser')>('./compact-jwt.parser');
  return { ...actual, parseCompactJwt: jest.fn(actual.parseCompactJwt) };
});
const parses = parser.parseCompactJwt as jest.MockedFunction<typeof parser.parseCompactJwt>;

const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const IDP = 'https://idp.example';
const folder = tempFolder('one-parse');
const saKey = rsaKeyPair();
const network = inMemoryIssuers();
const idp = network.add(IDP, [rsaKeyPair({ kid: 'idp-1' })]);
const nowSeconds = Math.floor(Date.now() / 1000);
const idToken = (sub: string) => idp.sign({ iss: IDP, aud: 'authtrail', sub, iat: nowSeconds - 10, exp: nowSeconds + 600 });
const saToken = (name: string) => signJwt(boundServiceAccountClaims({ issuer: SA_ISSUER, audiences: [SA_ISSUER], name }), saKey);
const closers: (() => Promise<void>)[] = [];

afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  folder.remove();
});
beforeEach(() => parses.mockClear());

describe('bearerJwt', () => {
  it('parses a request\'s token once however often it is asked, and hands every caller the same result', () => {
    const headers = { authorization: bearer(idToken('u-1')) };
    const first = bearerJwt(headers);
    expect(first).toMatchObject({ kind: 'jwt', claims: { sub: 'u-1', iss: IDP } });
    expect(bearerJwt(headers)).toBe(first);
    expect(bearerJwt(headers)).toBe(first);
    expect(parses).toHaveBeenCalledTimes(1);
  });

  it('parses again for the next request: nothing outside the request keeps its token', () => {
    const authorization = bearer(idToken('u-2'));
    bearerJwt({ authorization });
    bearerJwt({ authorization });
    expect(parses).toHaveBeenCalledTimes(2);
  });

  it('reads a changed authorization header anew', () => {
    const headers: Record<string, string> = { authorization: bearer(idToken('first')) };
    expect(bearerJwt(headers)).toMatchObject({ claims: { sub: 'first' } });
    headers['authorization'] = bearer(idToken('second'));
    expect(bearerJwt(headers)).toMatchObject({ claims: { sub: 'second' } });
    headers['authorization'] = 'Basic dTpw';
    expect(bearerJwt(headers)).toEqual({ kind: 'none' });
  });

  it('leaves no trace on the headers that keys, JSON or a spread would show', () => {
    const authorization = bearer(idToken('u-3'));
    const headers = { authorization, 'user-agent': 'kubectl' };
    bearerJwt(headers);
    expect(Object.keys(headers)).toEqual(['authorization', 'user-agent']);
    expect(JSON.stringify(headers)).toBe(JSON.stringify({ authorization, 'user-agent': 'kubectl' }));
    expect(Object.getOwnPropertySymbols({ ...headers })).toEqual([]);
  });

  it('still answers for headers that cannot be extended (each ask parses)', () => {
    const headers = Object.freeze({ authorization: bearer(idToken('u-4')) });
    expect(bearerJwt(headers)).toMatchObject({ kind: 'jwt', claims: { sub: 'u-4' } });
    expect(bearerJwt(headers)).toMatchObject({ kind: 'jwt', claims: { sub: 'u-4' } });
    expect(parses).toHaveBeenCalledTimes(2);
  });
});

describe('a chain of JWT strategies parses a token once per decision', () => {
  let chain: Strategy;

  beforeAll(async () => {
    const config = { id: 'service-account', issuers: [SA_ISSUER], keyFiles: [folder.file(saKey.publicPem, 'sa.pub')], audiences: [SA_ISSUER] } as ServiceAccountConfig;
    const issues = validateStrategyConfig('service-account', config, 'authn.strategies[0]');
    if (issues.length > 0) throw new Error(JSON.stringify(issues));
    const serviceAccount = await createServiceAccountStrategy(config);
    closers.push(async () => serviceAccount.close?.());
    const kube = await startAuthenticationConfiguration({
      file: folder.file(`apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\njwt:\n- issuer:\n    url: ${IDP}\n    audiences: [authtrail]\n  claimMappings:\n    username: { claim: sub, prefix: "idp:" }\n`, 'authn-config.yaml'),
      watch: false,
      reloadIntervalMs: 50,
      jwksCooldownMs: 0,
      fetch: network.fetch,
    });
    closers.push(() => kube.close());
    chain = firstMatch([serviceAccount, kube.jwt]);
  });

  it('an id-token: service-account passes it on, the configuration routes it by issuer, its verifier checks it', async () => {
    const outcome = await chain.authenticate(requestView({ authorization: bearer(idToken('jane')) }));
    expect(outcome).toMatchObject({ kind: 'authenticated', user: { username: 'idp:jane' } });
    expect(parses).toHaveBeenCalledTimes(1);
  });

  it('a service-account token: decided by the first strategy, parsed once', async () => {
    const outcome = await chain.authenticate(requestView({ authorization: bearer(saToken('builder')) }));
    expect(outcome).toMatchObject({ kind: 'authenticated', user: { username: 'system:serviceaccount:default:builder' } });
    expect(parses).toHaveBeenCalledTimes(1);
  });

  it('a forged id-token is still refused, and each request is parsed for itself', async () => {
    const token = idToken('mallory');
    const [head, , signature] = token.split('.');
    const forged = `${head}.${Buffer.from(JSON.stringify({ iss: IDP, aud: 'authtrail', sub: 'admin', iat: nowSeconds, exp: nowSeconds + 600 })).toString('base64url')}.${signature}`;
    expect(await chain.authenticate(requestView({ authorization: bearer(forged) }))).toMatchObject({ kind: 'rejected', reason: 'bad_signature' });
    expect(await chain.authenticate(requestView({ authorization: bearer(token) }))).toMatchObject({ kind: 'authenticated', user: { username: 'idp:mallory' } });
    expect(parses).toHaveBeenCalledTimes(2);
  });
});
