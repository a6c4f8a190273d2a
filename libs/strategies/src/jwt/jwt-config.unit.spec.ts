// The service-account and oidc config schemas, through the registry as the config loader uses them.
import { validateStrategyConfig } from '../registry';

const sa = { id: 'service-account', issuers: ['https://kubernetes.default.svc'], keyFiles: ['/etc/sa.pub'] };
const oidc = {
  id: 'oidc',
  issuer: { url: 'https://idp.example.com', audiences: ['authtrail'] },
  claimMappings: { username: { claim: 'email', prefix: '' }, groups: { claim: 'groups', prefix: 'oidc:' } },
};

describe('service-account and oidc config schemas', () => {
  it.each([
    ['a minimal service-account section is valid', 'service-account', sa, []],
    ['an unknown service-account key is named with its path', 'service-account', { ...sa, keyfile: 'x' }, ['authn.strategies[4].keyfile']],
    ['HS256 in the service-account algorithms is refused', 'service-account', { ...sa, algorithms: ['HS256'] }, ['authn.strategies[4].algorithms[0]']],
    ['a leeway above 300 seconds is refused', 'service-account', { ...sa, leewaySeconds: 3600 }, ['authn.strategies[4].leewaySeconds']],
    ['service-account without issuers is refused', 'service-account', { id: 'service-account', keyFiles: ['k'] }, ['authn.strategies[4].issuers']],
    ['a minimal oidc section is valid', 'oidc', oidc, []],
    ['an unknown oidc issuer key is named with its path', 'oidc', { ...oidc, issuer: { ...oidc.issuer, audience: 'x' } }, ['authn.strategies[4].issuer.audience']],
    ['a clock skew above 60 seconds is refused', 'oidc', { ...oidc, clockSkew: '90s' }, ['authn.strategies[4].clockSkew']],
    ['a clock skew of 60 seconds is accepted', 'oidc', { ...oidc, clockSkew: '60s' }, []],
    ['a plain-http issuer off loopback is refused', 'oidc', { ...oidc, issuer: { ...oidc.issuer, url: 'http://idp.example.com' } }, ['authn.strategies[4].issuer.url']],
    ['a plain-http loopback issuer is accepted', 'oidc', { ...oidc, issuer: { ...oidc.issuer, url: 'http://127.0.0.1:5556/dex' } }, []],
    ['a username mapping without prefix is refused', 'oidc', { ...oidc, claimMappings: { username: { claim: 'email' } } }, ['authn.strategies[4].claimMappings.username.prefix']],
    ['an extra key without a domain is refused', 'oidc', { ...oidc, claimMappings: { ...oidc.claimMappings, extra: [{ key: 'tenant', claim: 't' }] } }, ['authn.strategies[4].claimMappings.extra[0].key']],
    ['none in the oidc algorithms is refused', 'oidc', { ...oidc, algorithms: ['none'] }, ['authn.strategies[4].algorithms[0]']],
    ['a service-account lifetime cap of 48h is accepted', 'service-account', { ...sa, maxTokenLifetime: '48h' }, []],
    ['a service-account lifetime cap of 0s is refused: it would refuse every token', 'service-account', { ...sa, maxTokenLifetime: '0s' }, ['authn.strategies[4].maxTokenLifetime']],
    ['a lifetime cap that is not a duration is refused', 'service-account', { ...sa, maxTokenLifetime: 'forever' }, ['authn.strategies[4].maxTokenLifetime']],
    ['legacy tokens are opted in with acceptLegacyTokens: true', 'service-account', { ...sa, acceptLegacyTokens: true }, []],
    ['an oidc lifetime cap of 1h is accepted', 'oidc', { ...oidc, maxTokenLifetime: '1h' }, []],
    ['an oidc lifetime cap in milliseconds is refused', 'oidc', { ...oidc, maxTokenLifetime: '500ms' }, ['authn.strategies[4].maxTokenLifetime']],
  ])('%s', (_name, id, raw, paths) => {
    expect(validateStrategyConfig(id, raw, 'authn.strategies[4]').map((issue) => issue.path)).toEqual(paths);
  });
});
