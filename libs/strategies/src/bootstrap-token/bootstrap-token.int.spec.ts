import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { bootstrapSecretsYaml, findSecrets, mintBootstrapToken, type TestBootstrapToken } from '@authtrail/testing';
import { FileLoadError } from '../shared/file-reloader';
import { basic, bearer, requestView } from '../shared/request-view.fixture';
import { eventually, publicView, recordingLogger, tempFolder } from '../shared/temp-files.fixture';
import type { AuthOutcome, Strategy } from '../strategy';
import { createBootstrapTokenStrategy } from './bootstrap-token.strategy';

const NOW = new Date('2026-06-01T12:00:00Z');

const tokens = {
  valid: mintBootstrapToken({ id: 'abcdef' }),
  stringData: mintBootstrapToken({ id: 'str123', encoding: 'stringData', extraGroups: ['system:bootstrappers:worker', 'system:bootstrappers:a-b', 'system:bootstrappers:worker'] }),
  futureExpiry: mintBootstrapToken({ id: 'future', expiration: '2026-07-01T00:00:00Z' }),
  expired: mintBootstrapToken({ id: 'old001', expiration: '2026-05-01T00:00:00Z' }),
  unparsableExpiry: mintBootstrapToken({ id: 'bad001', expiration: 'next tuesday' }),
  noUsage: mintBootstrapToken({ id: 'nouse1', usageAuthentication: null }),
  usageFalse: mintBootstrapToken({ id: 'nouse2', usageAuthentication: 'false' }),
  badGroup: mintBootstrapToken({ id: 'group1', extraGroups: ['system:masters'] }),
  idMismatch: mintBootstrapToken({ id: 'idmis1', tokenIdField: 'zzzzzz' }),
  wrongName: mintBootstrapToken({ id: 'named1', name: 'my-token' }),
};
const garbageData = mintBootstrapToken({ id: 'garbag' });
const truncatedData = mintBootstrapToken({ id: 'trunc1' });
const otherType = mintBootstrapToken({ id: 'type01' });

function corrupt(token: TestBootstrapToken, data: Record<string, string>): Record<string, unknown> {
  return { ...token.manifest, data: { ...(token.manifest['data'] as object), ...data } };
}

const SECRETS = bootstrapSecretsYaml([
  ...Object.values(tokens).map((t) => t.manifest),
  corrupt(garbageData, { 'token-secret': '%%%not base64%%%' }),
  corrupt(truncatedData, { 'token-secret': Buffer.from(truncatedData.secret).toString('base64').slice(0, -3) }),
  { ...otherType.manifest, type: 'Opaque' },
]);

describe('bootstrap-token strategy', () => {
  const files = tempFolder('bootstrap');
  const logger = recordingLogger();
  let strategy: Strategy;
  const extra: Strategy[] = [];
  beforeAll(async () => {
    strategy = await createBootstrapTokenStrategy({ id: 'bootstrap-token', secretsFile: files.file(SECRETS), reloadIntervalMs: 100 }, { now: () => NOW, logger });
  });
  afterAll(async () => {
    await Promise.all([strategy, ...extra].map((s) => s.close?.()));
    files.remove();
  });
  const ask = (authorization?: string) => strategy.authenticate(requestView({ authorization }));

  it.each<[string, string | undefined, Partial<Record<string, unknown>>]>([
    ['a valid token (data, base64) authenticates as system:bootstrap:<id> in system:bootstrappers', bearer(tokens.valid.token), { kind: 'authenticated', user: { username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers'], extra: {} } }],
    ['stringData works and extra groups are added sorted and deduplicated', bearer(tokens.stringData.token), { kind: 'authenticated', user: { username: 'system:bootstrap:str123', groups: ['system:bootstrappers', 'system:bootstrappers:a-b', 'system:bootstrappers:worker'], extra: {} } }],
    ['a token expiring in the future authenticates and reports its expiry', bearer(tokens.futureExpiry.token), { kind: 'authenticated', credential: { expiresAt: new Date('2026-07-01T00:00:00Z') } }],
    ['an expired token is rejected with bootstrap_token_expired', bearer(tokens.expired.token), { kind: 'rejected', reason: 'bootstrap_token_expired' }],
    ['an unparsable expiration counts as expired, as in Kubernetes', bearer(tokens.unparsableExpiry.token), { kind: 'rejected', reason: 'bootstrap_token_expired' }],
    ['a token without the usage flag is rejected with bootstrap_token_not_for_authentication', bearer(tokens.noUsage.token), { kind: 'rejected', reason: 'bootstrap_token_not_for_authentication' }],
    ['usage-bootstrap-authentication other than "true" is refused too', bearer(tokens.usageFalse.token), { kind: 'rejected', reason: 'bootstrap_token_not_for_authentication' }],
    ['an extra group outside system:bootstrappers: makes the Secret unusable', bearer(tokens.badGroup.token), { kind: 'rejected', reason: 'unknown_token', message: 'bootstrap token group1 has invalid auth-extra-groups' }],
    ['a token-id key that differs from the Secret name is refused', bearer(tokens.idMismatch.token), { kind: 'rejected', reason: 'unknown_token' }],
    ['a Secret not named bootstrap-token-<id> is not found', bearer(tokens.wrongName.token), { kind: 'rejected', reason: 'unknown_token', message: 'no bootstrap token with id named1' }],
    ['a Secret of another type is not found', bearer(otherType.token), { kind: 'rejected', reason: 'unknown_token' }],
    ['a Secret whose data is garbage base64 is skipped', bearer(garbageData.token), { kind: 'rejected', reason: 'unknown_token' }],
    ['a Secret whose data is truncated base64 is skipped', bearer(truncatedData.token), { kind: 'rejected', reason: 'unknown_token' }],
    ['a wrong secret for a known id is rejected with unknown_token', bearer(`abcdef.${'0'.repeat(16)}`), { kind: 'rejected', reason: 'unknown_token', message: 'bootstrap token abcdef has a different secret' }],
    ['an unknown id is rejected with unknown_token', bearer('zzzzzz.0123456789abcdef'), { kind: 'rejected', reason: 'unknown_token' }],
    ['a bearer token not of the bootstrap form abstains (another strategy may own it)', bearer('eyJhbGciOi.eyJzdWIi.sig'), { kind: 'abstained' }],
    ['upper-case letters are not of the bootstrap form: abstain', bearer('ABCDEF.0123456789abcdef'), { kind: 'abstained' }],
    ['a secret one character short is not of the bootstrap form: abstain', bearer('abcdef.0123456789abcde'), { kind: 'abstained' }],
    ['a malformed bearer header is rejected as malformed', 'Bearer abcdef.0123456789abcdef extra', { kind: 'rejected', reason: 'malformed_credentials' }],
    ['basic credentials abstain', basic('a', 'b'), { kind: 'abstained' }],
    ['no credentials abstain', undefined, { kind: 'abstained' }],
  ])('%s', async (_name, authorization, expected) => {
    expect(await ask(authorization)).toMatchObject(expected);
  });

  it('describes the credential by token id and passes the token only as fingerprint input', async () => {
    const outcome = await ask(bearer(tokens.valid.token));
    expect(outcome.kind === 'authenticated' && outcome.credential).toEqual({ type: 'bootstrap-token', secretForFingerprint: tokens.valid.token, publicId: 'abcdef', subject: 'system:bootstrap:abcdef' });
  });

  it('logs skipped Secrets by document, never their values', () => {
    const log = logger.lines.join('\n');
    expect(log).toContain('data.token-secret is not valid base64; skipped');
    expect(log).toContain('type is not bootstrap.kubernetes.io/token; skipped');
    expect(findSecrets(log, [...Object.values(tokens), garbageData, truncatedData].map((t) => t.secret))).toEqual([]);
  });

  it('no outcome carries a secret outside secretForFingerprint', async () => {
    const all = [...Object.values(tokens), garbageData, truncatedData, otherType];
    const outcomes: AuthOutcome[] = [];
    for (const t of all) outcomes.push(await ask(bearer(t.token)));
    expect(findSecrets(publicView(outcomes), all.map((t) => t.secret))).toEqual([]);
  });

  it('accepts a kind: List of Secrets', async () => {
    const t = mintBootstrapToken();
    const s = await createBootstrapTokenStrategy({ id: 'bootstrap-token', secretsFile: files.file(stringify({ apiVersion: 'v1', kind: 'List', items: [t.manifest] })) });
    extra.push(s);
    expect((await s.authenticate(requestView({ authorization: bearer(t.token) }))).kind).toBe('authenticated');
  });

  it('picks up a new Secret when the file changes', async () => {
    const first = mintBootstrapToken();
    const second = mintBootstrapToken();
    const path = files.file(bootstrapSecretsYaml([first.manifest]));
    const s = await createBootstrapTokenStrategy({ id: 'bootstrap-token', secretsFile: path, reloadIntervalMs: 100 });
    extra.push(s);
    writeFileSync(path, bootstrapSecretsYaml([first.manifest, second.manifest]));
    expect(await eventually(async () => (await s.authenticate(requestView({ authorization: bearer(second.token) }))).kind === 'authenticated')).toBe(true);
  });

  it('refuses to start on a YAML syntax error, naming the position but not the content', async () => {
    const t = mintBootstrapToken();
    const error = await createBootstrapTokenStrategy({ id: 'bootstrap-token', secretsFile: files.file(`${bootstrapSecretsYaml([t.manifest])}  bad: [${t.secret}\n`) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileLoadError);
    expect(String(error)).toMatch(/document 1, line \d+, column \d+: YAML/);
    expect(findSecrets(String(error), [t.secret, Buffer.from(t.secret).toString('base64')])).toEqual([]);
  });
});
