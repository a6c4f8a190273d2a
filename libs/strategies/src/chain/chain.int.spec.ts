// The decorators composed over the real strategies, as the authn composition root does.
import { bootstrapSecretsYaml, findSecrets, mintBootstrapToken } from '@authtrail/testing';
import { createAnonymousStrategy } from '../anonymous/anonymous.strategy';
import { createBasicAuthStrategy } from '../basic-auth/basic-auth.strategy';
import { createBootstrapTokenStrategy } from '../bootstrap-token/bootstrap-token.strategy';
import { basic, bearer, requestView } from '../shared/request-view.fixture';
import { publicView, tempFolder } from '../shared/temp-files.fixture';
import { createStaticTokenStrategy } from '../static-token/static-token.strategy';
import type { Strategy } from '../strategy';
import { cached } from './cached';
import { firstMatch, type ChainStrategy } from './first-match';
import { withGroups } from './with-groups';

describe('a chain of real strategies', () => {
  const files = tempFolder('chain');
  const STATIC = 'static-token-value-0123456789';
  const PASSWORD = 'plain-password-0123456789';
  const bootstrap = mintBootstrapToken();
  const expiredBootstrap = mintBootstrapToken({ expiration: '2020-01-01T00:00:00Z' });
  let members: Strategy[];
  let chain: ChainStrategy;

  beforeAll(async () => {
    members = [
      await createStaticTokenStrategy({ id: 'static-token', tokenFile: files.file(`${STATIC},alice,1,dev\n`) }),
      await createBootstrapTokenStrategy({ id: 'bootstrap-token', secretsFile: files.file(bootstrapSecretsYaml([bootstrap.manifest, expiredBootstrap.manifest])) }),
      await createBasicAuthStrategy({ id: 'basic-auth', passwordFile: files.file(`${PASSWORD},bob,2\n`) }),
    ];
    chain = cached(withGroups(firstMatch(members, { anonymous: createAnonymousStrategy({ id: 'anonymous', paths: ['/healthz'] }) })), { successTTLms: 10_000, failureTTLms: 0 });
  });
  afterAll(async () => {
    await chain.close?.();
    files.remove();
  });

  it.each<[string, string | undefined, string, Record<string, unknown>, string[]]>([
    ['a static token authenticates at the first strategy, with system:authenticated added', bearer(STATIC), '/', { kind: 'authenticated', user: { username: 'alice', groups: ['dev', 'system:authenticated'] } }, ['static-token:authenticated']],
    ['a bootstrap token passes the static-token rejection and authenticates', bearer(bootstrap.token), '/', { kind: 'authenticated', user: { username: `system:bootstrap:${bootstrap.id}`, groups: ['system:bootstrappers', 'system:authenticated'] } }, ['static-token:rejected', 'bootstrap-token:authenticated']],
    ['an expired bootstrap token is refused with the specific reason, not unknown_token', bearer(expiredBootstrap.token), '/', { kind: 'rejected', reason: 'bootstrap_token_expired' }, ['static-token:rejected', 'bootstrap-token:rejected', 'basic-auth:abstained']],
    ['an unknown bearer token is a 401, never anonymous, even on an anonymous path', bearer('nobody-knows-this-token'), '/healthz', { kind: 'rejected', reason: 'unknown_token' }, ['static-token:rejected', 'bootstrap-token:abstained', 'basic-auth:abstained']],
    ['a wrong password is a 401, never anonymous', basic('bob', 'wrong-password-0123'), '/healthz', { kind: 'rejected', reason: 'invalid_password' }, ['static-token:abstained', 'bootstrap-token:abstained', 'basic-auth:rejected']],
    ['no credential on an allowed path is anonymous, without system:authenticated', undefined, '/healthz', { kind: 'authenticated', user: { username: 'system:anonymous', groups: ['system:unauthenticated'] } }, ['static-token:abstained', 'bootstrap-token:abstained', 'basic-auth:abstained', 'anonymous:authenticated']],
    ['no credential elsewhere is no_credentials', undefined, '/api', { kind: 'rejected', reason: 'no_credentials' }, ['static-token:abstained', 'bootstrap-token:abstained', 'basic-auth:abstained', 'anonymous:abstained']],
  ])('%s', async (_name, authorization, path, expected, trace) => {
    const result = await chain.authenticateWithTrace(requestView({ authorization, path }));
    expect(result.outcome).toMatchObject(expected);
    expect(result.attempts.map((a) => `${a.strategy}:${a.outcome}`)).toEqual(trace);
    expect(findSecrets(publicView(result), [STATIC, PASSWORD, bootstrap.secret, expiredBootstrap.secret, 'nobody-knows-this-token', 'wrong-password-0123'])).toEqual([]);
  });
});
