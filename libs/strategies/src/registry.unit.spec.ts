import type { StrategyConfigValidator } from '@authtrail/config';
import { requestView } from './shared/request-view.fixture';
import { tempFolder } from './shared/temp-files.fixture';
import { createStrategy, knownStrategyIds, StrategyConfigError, validateStrategyConfig } from './registry';

describe('strategy registry', () => {
  const files = tempFolder('registry');
  afterAll(() => files.remove());

  it('knows the strategies of this lib', () => {
    expect(knownStrategyIds()).toEqual(expect.arrayContaining(['static-token', 'bootstrap-token', 'basic-auth', 'x509', 'anonymous']));
  });

  it('plugs into the config loader as its strategy validator', () => {
    const validator: StrategyConfigValidator = validateStrategyConfig;
    expect(validator('anonymous', { id: 'anonymous' }, 'authn.strategies[0]')).toEqual([]);
  });

  it.each<[string, string, unknown, { path: string; message: string }[]]>([
    ['a valid static-token section has no issues', 'static-token', { id: 'static-token', tokenFile: './tokens.csv' }, []],
    ['a mistyped key fails with its path and a suggestion', 'static-token', { id: 'static-token', tokenFile: 'a', tokenfile: 'b' }, [{ path: 'authn.strategies[2].tokenfile', message: 'unknown key "tokenfile" (did you mean "tokenFile"?)' }]],
    ['an unknown key without a near match fails with its path', 'x509', { id: 'x509', clientCAFile: 'ca.pem', ocsp: true }, [{ path: 'authn.strategies[2].ocsp', message: 'unknown key "ocsp"' }]],
    ['a missing required key fails with its path', 'basic-auth', { id: 'basic-auth' }, [{ path: 'authn.strategies[2].passwordFile', message: 'required key is missing' }]],
    ['a wrongly typed value fails with its path', 'bootstrap-token', { id: 'bootstrap-token', secretsFile: 's.yaml', reloadIntervalMs: 'often' }, [{ path: 'authn.strategies[2].reloadIntervalMs', message: 'must be integer' }]],
    ['an out-of-range value fails with its path', 'basic-auth', { id: 'basic-auth', passwordFile: 'p', maxConcurrentHashes: 0 }, [{ path: 'authn.strategies[2].maxConcurrentHashes', message: 'must be >= 1' }]],
    ['an item of a list fails with its index', 'anonymous', { id: 'anonymous', paths: ['/ok', 'relative'] }, [{ path: 'authn.strategies[2].paths[1]', message: 'must match pattern "^/"' }]],
    ['an unknown strategy id fails on the id', 'kerberos', { id: 'kerberos' }, [{ path: 'authn.strategies[2].id', message: expect.stringContaining('unknown strategy "kerberos" (known: static-token, ') as unknown as string }]],
    ['a section that is not a mapping fails', 'anonymous', 'yes', [{ path: 'authn.strategies[2]', message: 'must be object' }]],
  ])('%s', (_name, id, raw, issues) => {
    expect(validateStrategyConfig(id, raw, 'authn.strategies[2]')).toEqual(issues);
  });

  it('creates a strategy from a valid section', async () => {
    const strategy = await createStrategy({ id: 'static-token', tokenFile: files.file('tok-1234567890,alice,1\n') });
    expect(await strategy.authenticate(requestView({ authorization: 'Bearer tok-1234567890' }))).toMatchObject({ kind: 'authenticated', user: { username: 'alice' } });
    await strategy.close?.();
  });

  it('refuses to create from an invalid section with every issue', async () => {
    const error = await createStrategy({ id: 'anonymous', path: ['/x'] }, {}, 'authn.strategies[0]').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StrategyConfigError);
    expect((error as StrategyConfigError).issues).toEqual([{ path: 'authn.strategies[0].path', message: 'unknown key "path"' }]);
  });
});
