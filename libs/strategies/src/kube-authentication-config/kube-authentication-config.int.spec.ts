// kube-apiserver's AuthenticationConfiguration file end to end: the Kubernetes documentation's
// examples load as printed and decide the documentation's tokens (signed here by a test issuer
// at the documentation's issuer URL), the JWT authenticators' rules, start-up errors, hot reload
// with kube's reload metrics, and the anonymous section in a chain composed as authn composes it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { ecKeyPair, ed25519KeyPair, hs256WithPublicKey, rsaKeyPair, signJwt, startOidcProvider, unsignedJwt, type TestKeyPair } from '@authtrail/testing';
import type { AuthOutcome, Strategy } from '../strategy';
import { cached } from '../chain/cached';
import { firstMatch } from '../chain/first-match';
import { withGroups } from '../chain/with-groups';
import { bearer, requestView } from '../shared/request-view.fixture';
import { eventually, recordingLogger, tempFolder } from '../shared/temp-files.fixture';
import { inMemoryIssuers } from './testdata/in-memory-issuers';
import {
  AuthenticationConfigurationError,
  registerAuthenticationConfigurationMetrics,
  startAuthenticationConfiguration,
  type AuthenticationConfigurationController,
  type AuthenticationConfigurationOptions,
} from './index';

const folder = tempFolder('kube-authn-config');
const controllers: AuthenticationConfigurationController[] = [];
afterAll(async () => {
  await Promise.all(controllers.map((c) => c.close()));
  folder.remove();
});

const testdata = (name: string) => readFileSync(join(__dirname, 'testdata', name), 'utf8');
const payload = (name: string) => JSON.parse(testdata(name)) as Record<string, unknown>;
const HEAD = 'apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\n';

async function start(text: string, options: Partial<AuthenticationConfigurationOptions> = {}) {
  const controller = await startAuthenticationConfiguration({ file: folder.file(text, `${Math.random().toString(36).slice(2)}.yaml`), watch: false, reloadIntervalMs: 50, jwksCooldownMs: 0, ...options });
  controllers.push(controller);
  return controller;
}

const request = (token: string, path = '/api/v1/namespaces') => requestView({ authorization: bearer(token), path });

function summary(outcome: AuthOutcome) {
  return outcome.kind === 'rejected' || outcome.kind === 'errored' ? { kind: outcome.kind, reason: outcome.reason } : { kind: outcome.kind };
}

describe('the Kubernetes documentation examples, signed by a test issuer at https://example.com', () => {
  const network = inMemoryIssuers();
  const issuer = network.add('https://example.com', [rsaKeyPair({ kid: 'doc-key' })]);
  // The page's payloads expire in December 2023: decide each one hour after it was issued.
  const validPayload = payload('doc-valid-token.payload.json');
  const userPayload = payload('doc-fails-user-validation.payload.json');
  const hourAfter = (claims: Record<string, unknown>) => () => new Date((Number(claims['iat']) + 3600) * 1000);
  const docOptions = { fetch: network.fetch, now: hourAfter(validPayload) };

  it('"Valid token": the payload exactly as printed is refused for its audience, as kube-apiserver would (aud kubernetes, the file accepts my-app)', async () => {
    const kube = await start(testdata('doc-valid-token.yaml'), docOptions);
    const outcome = await kube.jwt.authenticate(request(issuer.sign(validPayload)));
    expect(summary(outcome)).toEqual({ kind: 'rejected', reason: 'audience_mismatch' });
  });

  it('"Valid token": the same payload issued for my-app gives the documented UserInfo, plus the credential-id kube-apiserver adds for a jti', async () => {
    const kube = await start(testdata('doc-valid-token.yaml'), docOptions);
    const claims: Record<string, unknown> = { ...validPayload, aud: 'my-app' };
    const outcome = await kube.jwt.authenticate(request(issuer.sign(claims)));
    const documented = JSON.parse(testdata('doc-valid-token.userinfo.json')) as { username: string; uid: string; groups: string[]; extra: Record<string, string[]> };
    expect(outcome).toEqual({
      kind: 'authenticated',
      user: { ...documented, extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${String(claims['jti'])}`], ...documented.extra } },
      credential: expect.objectContaining({ type: 'oidc', issuer: 'https://example.com', subject: 'auth', publicId: claims['jti'], audiences: ['my-app'] }),
      audiences: ['my-app'],
    });
  });

  it('"Fails claim validation": the token has no hd claim, so the rule cannot hold and the token is refused', async () => {
    const kube = await start(testdata('doc-fails-claim-validation.yaml'), docOptions);
    const outcome = await kube.jwt.authenticate(request(issuer.sign({ ...validPayload, aud: 'my-app' })));
    expect(outcome).toMatchObject({ kind: 'rejected', reason: 'missing_claim', message: expect.stringMatching(/^oidc: error evaluating claim validation expression: .*hd/i), claimedUsername: 'auth' });
  });

  it('"Fails claim validation": an hd of another domain fails the rule with its message', async () => {
    const kube = await start(testdata('doc-fails-claim-validation.yaml'), docOptions);
    const outcome = await kube.jwt.authenticate(request(issuer.sign({ ...validPayload, aud: 'my-app', hd: 'other.example' })));
    expect(outcome).toMatchObject({
      kind: 'rejected',
      reason: 'missing_claim',
      message: `oidc: error evaluating claim validation expression: validation expression 'claims.hd == "example.com"' failed: the hd claim must be set to example.com`,
    });
    const passing = await kube.jwt.authenticate(request(issuer.sign({ ...validPayload, aud: 'my-app', hd: 'example.com' })));
    expect(passing).toMatchObject({ kind: 'authenticated', user: { username: 'foo:external-user' } });
  });

  it('"Fails user validation": system:foo is refused by the user validation rule', async () => {
    const kube = await start(testdata('doc-fails-user-validation.yaml'), { ...docOptions, now: hourAfter(userPayload) });
    const outcome = await kube.jwt.authenticate(request(issuer.sign({ ...userPayload, aud: 'my-app' })));
    expect(outcome).toMatchObject({
      kind: 'rejected',
      reason: 'policy_denied',
      message: "oidc: error evaluating user info validation rule: validation expression '!user.username.startsWith('system:')' failed: username cannot used reserved system: prefix",
    });
  });

  it('the anonymous example: /livez, /readyz and /healthz are anonymous, other paths and presented tokens are not', async () => {
    const kube = await start(testdata('doc-anonymous.yaml'), docOptions);
    expect(kube.configuresAnonymous).toBe(true);
    const chain = firstMatch([kube.jwt], kube.anonymous ? { anonymous: kube.anonymous } : {});
    const anonymousUser = { username: 'system:anonymous', groups: ['system:unauthenticated'], extra: {} };
    for (const path of ['/livez', '/readyz', '/healthz', '/livez?verbose']) {
      expect(await chain.authenticate(requestView({ path }))).toMatchObject({ kind: 'authenticated', user: anonymousUser });
    }
    for (const path of ['/livez/', '/livezz', '/api/v1/secrets', '/', '/live%7Az']) {
      expect(summary(await chain.authenticate(requestView({ path })))).toEqual({ kind: 'rejected', reason: 'no_credentials' });
    }
    // A file without jwt authenticators leaves tokens to other strategies: nothing claims it here,
    // and a presented-but-unknown credential is still not anonymous.
    const trace = await chain.authenticateWithTrace(requestView({ path: '/livez', authorization: 'Bearer not-a-jwt' }));
    expect(trace.outcome).toMatchObject({ kind: 'authenticated', user: anonymousUser });
    const withBadJwt = firstMatch([kube.jwt, rejectingStrategy()], kube.anonymous ? { anonymous: kube.anonymous } : {});
    expect(summary(await withBadJwt.authenticate(request(issuer.sign(validPayload), '/livez')))).toEqual({ kind: 'rejected', reason: 'unknown_token' });
  });
});

/** Stands for any strategy that owns and refuses the credential (a static-token file, say). */
function rejectingStrategy(): Strategy {
  return { id: 'static-token', authenticate: async (view) => (view.headers['authorization'] ? { kind: 'rejected', reason: 'unknown_token', message: 'unknown token' } : { kind: 'abstained' }) };
}

describe('JWT authenticators', () => {
  const network = inMemoryIssuers();
  const key = rsaKeyPair({ kid: 'k1' });
  const ecKey = ecKeyPair({ kid: 'k2' });
  const idp = network.add('https://idp.example', [key, ecKey]);
  const nowSeconds = Math.floor(Date.now() / 1000);
  const claims = (overrides: Record<string, unknown> = {}) => ({ iss: 'https://idp.example', aud: 'authtrail', sub: 'u-1', iat: nowSeconds - 10, exp: nowSeconds + 600, ...overrides });
  const file = (body: string) => `${HEAD}jwt:\n- issuer:\n    url: https://idp.example\n${body}`;

  it('audienceMatchPolicy MatchAny: a token for any one of the audiences is accepted, and its audiences are the ones it was issued for', async () => {
    const kube = await start(file('    audiences: [authtrail, kubernetes]\n    audienceMatchPolicy: MatchAny\n  claimMappings:\n    username: { claim: sub, prefix: "idp:" }\n'), { fetch: network.fetch });
    expect(await kube.jwt.authenticate(request(idp.sign(claims({ aud: ['kubernetes', 'other'] }))))).toMatchObject({ kind: 'authenticated', user: { username: 'idp:u-1' }, audiences: ['kubernetes'] });
    expect(await kube.jwt.authenticate(request(idp.sign(claims({ aud: 'authtrail' }))))).toMatchObject({ kind: 'authenticated', audiences: ['authtrail'] });
    expect(summary(await kube.jwt.authenticate(request(idp.sign(claims({ aud: ['other'] })))))).toEqual({ kind: 'rejected', reason: 'audience_mismatch' });
  });

  it('claim + requiredValue: the claim must be present and equal, as a string', async () => {
    const kube = await start(file('    audiences: [authtrail]\n  claimValidationRules:\n  - { claim: hd, requiredValue: example.com }\n  claimMappings:\n    username: { claim: sub, prefix: "" }\n'), { fetch: network.fetch });
    expect((await kube.jwt.authenticate(request(idp.sign(claims({ hd: 'example.com' }))))).kind).toBe('authenticated');
    expect(await kube.jwt.authenticate(request(idp.sign(claims())))).toMatchObject({ kind: 'rejected', reason: 'missing_claim', message: 'oidc: required claim hd not present in ID token' });
    expect(await kube.jwt.authenticate(request(idp.sign(claims({ hd: 'evil.example' }))))).toMatchObject({ kind: 'rejected', reason: 'missing_claim', message: 'oidc: required claim hd value does not match' });
    expect(await kube.jwt.authenticate(request(idp.sign(claims({ hd: ['example.com'] }))))).toMatchObject({ kind: 'rejected', reason: 'missing_claim' });
  });

  it('claim mappings: prefixes, a string groups claim, uid by claim, extra values (empty ones dropped), sets in rules', async () => {
    const kube = await start(
      file(
        [
          '    audiences: [authtrail]',
          '  claimValidationRules:',
          `  - expression: 'sets.contains(claims.amr, ["mfa"])'`,
          '    message: multi-factor login required',
          '  claimMappings:',
          '    username: { claim: preferred_username, prefix: "idp:" }',
          '    groups: { claim: groups, prefix: "idp:" }',
          '    uid: { claim: sub }',
          '    extra:',
          "    - { key: example.com/roles, valueExpression: 'claims.?roles.orValue([])' }",
          "    - { key: example.com/empty, valueExpression: '\"\"' }",
          '  userValidationRules:',
          "  - { expression: \"user.groups.all(g, !g.startsWith('system:'))\", message: no system groups }",
          '',
        ].join('\n'),
      ),
      { fetch: network.fetch },
    );
    const token = idp.sign(claims({ preferred_username: 'jane', groups: 'admins', roles: ['a', '', 'b'], amr: ['pwd', 'mfa'], jti: 'id-7' }));
    expect(await kube.jwt.authenticate(request(token))).toMatchObject({
      kind: 'authenticated',
      user: { username: 'idp:jane', uid: 'u-1', groups: ['idp:admins'], extra: { 'authentication.kubernetes.io/credential-id': ['JTI=id-7'], 'example.com/roles': ['a', 'b'] } },
    });
    const withoutMfa = await kube.jwt.authenticate(request(idp.sign(claims({ preferred_username: 'jane', amr: ['pwd'] }))));
    expect(withoutMfa).toMatchObject({ kind: 'rejected', reason: 'missing_claim', message: expect.stringContaining('failed: multi-factor login required') });
    const noUid = await kube.jwt.authenticate(request(idp.sign(claims({ preferred_username: 'jane', amr: ['mfa'], sub: undefined }))));
    expect(noUid).toMatchObject({ kind: 'rejected', reason: 'missing_claim', message: 'oidc: parse uid claim "sub": claim not present' });
    const badGroups = await kube.jwt.authenticate(request(idp.sign(claims({ preferred_username: 'jane', amr: ['mfa'], groups: [1] }))));
    expect(badGroups).toMatchObject({ kind: 'rejected', reason: 'missing_claim' });
  });

  it('a username from the email claim needs email_verified: true (as the oidc strategy, stricter than Kubernetes)', async () => {
    const kube = await start(file('    audiences: [authtrail]\n  claimMappings:\n    username: { claim: email, prefix: "" }\n'), { fetch: network.fetch });
    expect(await kube.jwt.authenticate(request(idp.sign(claims({ email: 'jane@example.com', email_verified: true }))))).toMatchObject({ kind: 'authenticated', user: { username: 'jane@example.com' } });
    expect(summary(await kube.jwt.authenticate(request(idp.sign(claims({ email: 'jane@example.com' })))))).toEqual({ kind: 'rejected', reason: 'email_not_verified' });
  });

  it('another issuer abstains; a forged signature, an expired token, none, HS256 and EdDSA are refused', async () => {
    const kube = await start(file('    audiences: [authtrail]\n  claimMappings:\n    username: { claim: sub, prefix: "" }\n'), { fetch: network.fetch });
    const stranger: TestKeyPair = rsaKeyPair({ kid: 'k1' });
    const cases: [string, string, ReturnType<typeof summary>][] = [
      ['another issuer', idp.sign(claims({ iss: 'https://other.example' })), { kind: 'abstained' }],
      ['a forged signature', signJwt(claims(), stranger), { kind: 'rejected', reason: 'bad_signature' }],
      ['an expired token', idp.sign(claims({ iat: nowSeconds - 7200, exp: nowSeconds - 3600 })), { kind: 'rejected', reason: 'token_expired' }],
      ['alg none', unsignedJwt(claims()), { kind: 'rejected', reason: 'unsupported_algorithm' }],
      ['HS256 keyed with the public key', hs256WithPublicKey(claims(), key), { kind: 'rejected', reason: 'unsupported_algorithm' }],
      ['EdDSA (not among kube-apiserver\'s algorithms)', signJwt(claims(), ed25519KeyPair({ kid: 'ed' })), { kind: 'rejected', reason: 'unsupported_algorithm' }],
      ['ES256 by the issuer', idp.sign(claims(), ecKey), { kind: 'authenticated' }],
      ['ES256 by a stranger with the issuer\'s kid', signJwt(claims(), ecKeyPair({ kid: 'k2' })), { kind: 'rejected', reason: 'bad_signature' }],
    ];
    for (const [name, token, expected] of cases) expect([name, summary(await kube.jwt.authenticate(request(token)))]).toEqual([name, expected]);
  });

  it('several authenticators: each token goes to the one of its issuer; discoveryURL is used when set', async () => {
    const second = network.add('https://second.example', [rsaKeyPair({ kid: 's1' })], { discoveryURL: 'https://discovery.internal/second/.well-known/openid-configuration' });
    const kube = await start(
      `${HEAD}jwt:\n` +
        '- issuer: { url: "https://idp.example", audiences: [authtrail] }\n  claimMappings: { username: { claim: sub, prefix: "first:" } }\n' +
        '- issuer: { url: "https://second.example", discoveryURL: "https://discovery.internal/second/.well-known/openid-configuration", audiences: [authtrail] }\n  claimMappings: { username: { claim: sub, prefix: "second:" } }\n',
      { fetch: network.fetch },
    );
    expect(await kube.jwt.authenticate(request(idp.sign(claims())))).toMatchObject({ kind: 'authenticated', user: { username: 'first:u-1' } });
    expect(await kube.jwt.authenticate(request(second.sign(claims({ iss: 'https://second.example' }))))).toMatchObject({ kind: 'authenticated', user: { username: 'second:u-1' } });
    expect(network.requests.get('https://discovery.internal/second/.well-known/openid-configuration')).toBeGreaterThanOrEqual(1);
    expect(network.requests.get('https://second.example/.well-known/openid-configuration')).toBeUndefined();
  });

  it('an issuer that cannot be reached errors (never rejects), so kube-apiserver does not cache the answer', async () => {
    const kube = await start(`${HEAD}jwt:\n- issuer: { url: "https://down.example", audiences: [authtrail] }\n  claimMappings: { username: { claim: sub, prefix: "" } }\n`, { fetch: network.fetch });
    const token = signJwt(claims({ iss: 'https://down.example' }), key);
    expect(summary(await kube.jwt.authenticate(request(token)))).toEqual({ kind: 'errored', reason: 'upstream_unavailable' });
  });
});

describe('a real OpenID Connect provider over HTTPS, trusted through certificateAuthority in the file', () => {
  it('authenticates its id-tokens with CEL mappings', async () => {
    const provider = await startOidcProvider();
    try {
      const ca = (provider.ca ?? '').trim().split('\n').map((line) => `      ${line}`).join('\n');
      const kube = await start(
        `${HEAD}jwt:\n- issuer:\n    url: ${provider.issuer}\n    audiences: [${provider.clientId}]\n    certificateAuthority: |\n${ca}\n  claimMappings:\n    username: { expression: '"oidc:" + claims.sub' }\n    groups: { expression: 'claims.groups.map(g, "oidc:" + g)' }\n`,
      );
      const token = await provider.issueIdToken({ sub: 'u-42', claims: { groups: ['dev', 'ops'] } });
      expect(await kube.jwt.authenticate(request(token))).toMatchObject({ kind: 'authenticated', user: { username: 'oidc:u-42', groups: ['oidc:dev', 'oidc:ops'] }, audiences: [provider.clientId] });
      // Without the CA the same provider is not trusted: the authenticator errors.
      const untrusted = await start(`${HEAD}jwt:\n- issuer:\n    url: ${provider.issuer}\n    audiences: [${provider.clientId}]\n  claimMappings:\n    username: { claim: sub, prefix: "" }\n`);
      expect(summary(await untrusted.jwt.authenticate(request(token)))).toEqual({ kind: 'errored', reason: 'upstream_unavailable' });
    } finally {
      await provider.stop();
    }
  });
});

describe('start-up: a file kube-apiserver would refuse stops authn with its messages', () => {
  it('validation errors name the file and every field', async () => {
    const error = await start(`${HEAD}jwt:\n- issuer: { url: "http://idp.example", audiences: [] }\n  claimMappings: { username: { claim: sub } }\n`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationConfigurationError);
    const { errors, message } = error as AuthenticationConfigurationError;
    expect(errors).toEqual([
      'jwt[0].issuer.url: Invalid value: "http://idp.example": URL scheme must be https',
      'jwt[0].issuer.audiences: Required value: at least one jwt[0].issuer.audiences is required',
      'jwt[0].claimMappings.username.prefix: Required value: prefix is required when claim is set. It can be set to an empty string to disable prefixing',
    ]);
    expect(message).toMatch(/^\/.*\.yaml: invalid authentication configuration: \[jwt\[0\]\.issuer\.url: Invalid value: "http:\/\/idp\.example": URL scheme must be https, jwt\[0\]/);
  });

  it('a file that does not decode says so, as kube-apiserver does', async () => {
    const error = (await start('apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\njwt:\n- issuer:\n    uri: https://idp\n').catch((e: unknown) => e)) as AuthenticationConfigurationError;
    expect(error.message).toMatch(/^failed to load authentication configuration from file ".*\.yaml": strict decoding error: unknown field "jwt\[0\]\.issuer\.uri"$/);
  });

  it('a missing file is named', async () => {
    const error = (await startAuthenticationConfiguration({ file: join(folder.dir, 'absent.yaml'), watch: false }).catch((e: unknown) => e)) as AuthenticationConfigurationError;
    expect(error).toBeInstanceOf(AuthenticationConfigurationError);
    expect(error.message).toContain('absent.yaml');
    expect(error.message).toContain('ENOENT');
  });

  it('anonymous cannot be configured both in the file and in authn.anonymous (kube: --anonymous-auth)', async () => {
    const error = (await start(testdata('doc-anonymous.yaml'), { anonymousConfiguredElsewhere: true }).catch((e: unknown) => e)) as AuthenticationConfigurationError;
    expect(error.errors).toEqual(['anonymous: Forbidden: authn.anonymous cannot be set when anonymous field is configured in authentication configuration file']);
    // Without the section, authn.anonymous stays in charge.
    const kube = await start(`${HEAD}jwt: []\n`, { anonymousConfiguredElsewhere: true });
    expect(kube.configuresAnonymous).toBe(false);
    expect(kube.anonymous).toBeUndefined();
  });
});

describe('reload', () => {
  const network = inMemoryIssuers();
  const first = network.add('https://first.example', [rsaKeyPair({ kid: 'f' })]);
  const second = network.add('https://second.example', [rsaKeyPair({ kid: 's' })]);
  const nowSeconds = Math.floor(Date.now() / 1000);
  const claims = (iss: string) => ({ iss, aud: 'authtrail', sub: 'u-1', iat: nowSeconds - 10, exp: nowSeconds + 600 });
  const fileFor = (issuer: string, prefix: string) => `${HEAD}jwt:\n- issuer: { url: "${issuer}", audiences: [authtrail] }\n  claimMappings: { username: { claim: sub, prefix: "${prefix}" } }\n`;

  it('a valid change replaces the authenticators; an invalid one keeps them and counts a failure; both show in kube\'s metrics', async () => {
    const logger = recordingLogger();
    const initialText = fileFor('https://first.example', 'one:');
    const path = folder.file(initialText, 'reloaded.yaml');
    const startedAt = Math.floor(Date.now() / 1000);
    let clock = startedAt * 1000;
    const kube = await startAuthenticationConfiguration({ file: path, watch: false, reloadIntervalMs: 20, fetch: network.fetch, logger, now: () => new Date(clock) });
    controllers.push(kube);
    const registry = new Registry();
    registerAuthenticationConfigurationMetrics(registry, kube, 'authn-0');
    const firstToken = first.sign(claims('https://first.example'));
    const secondToken = second.sign(claims('https://second.example'));
    expect(await kube.jwt.authenticate(request(firstToken))).toMatchObject({ kind: 'authenticated', user: { username: 'one:u-1' } });
    expect(summary(await kube.jwt.authenticate(request(secondToken)))).toEqual({ kind: 'abstained' });
    const initialHash = kube.status().configHash;
    expect(kube.status().reloads).toEqual({ success: 0, failure: 0 });

    // Valid change: the second issuer replaces the first.
    clock += 60_000;
    folder.replace(path, fileFor('https://second.example', 'two:'));
    expect(await eventually(() => kube.status().reloads.success === 1)).toBe(true);
    expect(await kube.jwt.authenticate(request(secondToken))).toMatchObject({ kind: 'authenticated', user: { username: 'two:u-1' } });
    expect(summary(await kube.jwt.authenticate(request(firstToken)))).toEqual({ kind: 'abstained' });
    expect(kube.status().configHash).not.toBe(initialHash);

    // Invalid change: kept, counted, logged with kube's message.
    clock += 60_000;
    folder.replace(path, fileFor('http://third.example', 'three:'));
    expect(await eventually(() => kube.status().reloads.failure === 1)).toBe(true);
    expect(await kube.jwt.authenticate(request(secondToken))).toMatchObject({ kind: 'authenticated', user: { username: 'two:u-1' } });
    expect(logger.lines.join('\n')).toContain('jwt[0].issuer.url: Invalid value: \\"http://third.example\\": URL scheme must be https');

    const text = await registry.metrics();
    const idHash = `sha256:${createHash('sha256').update('authn-0').digest('hex')}`;
    const configHash = `sha256:${createHash('sha256').update(fileFor('https://second.example', 'two:')).digest('hex')}`;
    expect(text).toContain(`apiserver_authentication_config_controller_automatic_reloads_total{status="success",apiserver_id_hash="${idHash}"} 1`);
    expect(text).toContain(`apiserver_authentication_config_controller_automatic_reloads_total{status="failure",apiserver_id_hash="${idHash}"} 1`);
    expect(text).toContain(`apiserver_authentication_config_controller_automatic_reload_last_timestamp_seconds{status="success",apiserver_id_hash="${idHash}"} ${startedAt + 60}`);
    expect(text).toContain(`apiserver_authentication_config_controller_automatic_reload_last_timestamp_seconds{status="failure",apiserver_id_hash="${idHash}"} ${startedAt + 120}`);
    expect(text).toContain(`apiserver_authentication_config_controller_last_config_info{apiserver_id_hash="${idHash}",hash="${configHash}"} 1`);

    // Same content again: no reload at all. Fixed content: success.
    folder.replace(path, fileFor('http://third.example', 'three:'));
    folder.replace(path, fileFor('https://first.example', 'again:'));
    expect(await eventually(() => kube.status().reloads.success === 2)).toBe(true);
    expect(kube.status().reloads.failure).toBe(1);
    expect(await kube.jwt.authenticate(request(firstToken))).toMatchObject({ kind: 'authenticated', user: { username: 'again:u-1' } });
  });

  it('the anonymous section cannot change on reload (kube: "changed from initial configuration file")', async () => {
    const logger = recordingLogger();
    const path = folder.file(testdata('doc-anonymous.yaml'), 'anonymous-reload.yaml');
    const kube = await startAuthenticationConfiguration({ file: path, watch: false, reloadIntervalMs: 20, logger });
    controllers.push(kube);
    folder.replace(path, `${HEAD}anonymous:\n  enabled: true\n`);
    expect(await eventually(() => kube.status().reloads.failure === 1)).toBe(true);
    expect(logger.lines.join('\n')).toContain('anonymous: Forbidden: changed from initial configuration file');
    expect((await kube.anonymous?.authenticate(requestView({ path: '/api' })))?.kind).toBe('abstained');
  });
});

describe('composed as authn composes its chain', () => {
  it('cached(withGroups(firstMatch([...strategies, file jwt], { anonymous: file anonymous }))): JWT users get system:authenticated, anonymous does not', async () => {
    const network = inMemoryIssuers();
    const idp = network.add('https://idp.example', [rsaKeyPair({ kid: 'k' })]);
    const kube = await start(`${HEAD}jwt:\n- issuer: { url: "https://idp.example", audiences: [authtrail] }\n  claimMappings: { username: { claim: sub, prefix: "idp:" } }\nanonymous:\n  enabled: true\n  conditions: [{ path: /healthz }]\n`, { fetch: network.fetch });
    const chain = cached(withGroups(firstMatch([rejectingStrategy(), kube.jwt], kube.anonymous ? { anonymous: kube.anonymous } : {}), ['system:authenticated']), { successTTLms: 10_000, failureTTLms: 0 });
    const nowSeconds = Math.floor(Date.now() / 1000);
    const token = idp.sign({ iss: 'https://idp.example', aud: 'authtrail', sub: 'u-9', iat: nowSeconds, exp: nowSeconds + 600 });
    expect(await chain.authenticateWithTrace(request(token))).toMatchObject({
      outcome: { kind: 'authenticated', user: { username: 'idp:u-9', groups: ['system:authenticated'] } },
      attempts: [
        { strategy: 'static-token', outcome: 'rejected' },
        { strategy: 'oidc', outcome: 'authenticated' },
      ],
    });
    expect(await chain.authenticate(requestView({ path: '/healthz' }))).toMatchObject({ kind: 'authenticated', user: { username: 'system:anonymous', groups: ['system:unauthenticated'] } });
    expect(summary(await chain.authenticate(requestView({ path: '/metrics' })))).toEqual({ kind: 'rejected', reason: 'no_credentials' });
  });
});
