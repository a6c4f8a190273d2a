import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { findSecrets } from '@authtrail/testing';
import { bearer, basic, requestView } from '../shared/request-view.fixture';
import { eventually, publicView, recordingLogger, tempFolder } from '../shared/temp-files.fixture';
import { FileLoadError } from '../shared/file-reloader';
import { requestFingerprints } from '../shared/request-fingerprints';
import type { Strategy } from '../strategy';
import { createStaticTokenStrategy } from './static-token.strategy';

const NOW = new Date('2026-06-01T12:00:00Z');
const TOKENS = {
  alice: 'alice-token-0123456789abcdef',
  bob: 'bob-token-0123456789abcdef',
  expired: 'expired-token-0123456789',
  future: 'future-token-0123456789',
};
const CSV = [
  `${TOKENS.alice},alice,uid-1,"dev,ops"`,
  `${TOKENS.bob},bob,uid-2`,
  `${TOKENS.expired},carol,uid-3,"",2026-01-01T00:00:00Z`,
  `${TOKENS.future},dave,uid-4,ops,2027-01-01T00:00:00+02:00`,
].join('\n');

describe('static-token strategy', () => {
  const files = tempFolder('static-token');
  const opened: Strategy[] = [];
  const open = async (content: string, logger = recordingLogger()) => {
    const strategy = await createStaticTokenStrategy({ id: 'static-token', tokenFile: files.file(content), reloadIntervalMs: 100 }, { now: () => NOW, logger });
    opened.push(strategy);
    return strategy;
  };
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close?.()));
    files.remove();
  });

  it.each([
    ['a listed token authenticates with its user, uid and quoted groups', bearer(TOKENS.alice), { kind: 'authenticated', user: { username: 'alice', uid: 'uid-1', groups: ['dev', 'ops'], extra: {} } }],
    ['a token without groups authenticates with none', bearer(TOKENS.bob), { kind: 'authenticated', user: { username: 'bob', uid: 'uid-2', groups: [], extra: {} } }],
    ['a token whose expiry is in the future authenticates and reports the expiry', bearer(TOKENS.future), { kind: 'authenticated', credential: { expiresAt: new Date('2026-12-31T22:00:00Z') } }],
    ['an expired token is rejected with token_expired', bearer(TOKENS.expired), { kind: 'rejected', reason: 'token_expired', claimedUsername: 'carol' }],
    ['an unknown token is rejected with unknown_token', bearer('not-a-listed-token'), { kind: 'rejected', reason: 'unknown_token', message: 'token not recognised' }],
    ['a bearer token with a space is rejected as malformed', 'Bearer two words', { kind: 'rejected', reason: 'malformed_credentials' }],
    ['an empty bearer token is rejected as malformed', 'Bearer ', { kind: 'rejected', reason: 'malformed_credentials' }],
    ['basic credentials are not its kind: abstain', basic('alice', TOKENS.alice), { kind: 'abstained' }],
    ['no Authorization header: abstain', undefined, { kind: 'abstained' }],
  ])('%s', async (_name, authorization, expected) => {
    const strategy = await open(CSV);
    expect(await strategy.authenticate(requestView({ authorization }))).toMatchObject(expected);
  });

  describe("keyed by the service's fingerprint", () => {
    // A stand-in for the service's HMAC that counts its calls: what matters is how often a request pays it.
    const countingFingerprints = () => {
      const hashed: string[] = [];
      const fingerprint = (secret: string) => {
        hashed.push(secret);
        return `hmac-sha256:test:${createHmac('sha256', 'test-key').update(secret).digest('hex')}`;
      };
      return { hashed, fingerprints: { fingerprint } };
    };
    const openWith = async (fingerprints: { fingerprint: (secret: string) => string }) => {
      const strategy = await createStaticTokenStrategy({ id: 'static-token', tokenFile: files.file(CSV), reloadIntervalMs: 100 }, { now: () => NOW, logger: recordingLogger(), fingerprints });
      opened.push(strategy);
      return strategy;
    };

    it.each([
      ['a listed token', TOKENS.alice, { kind: 'authenticated', user: { username: 'alice', uid: 'uid-1', groups: ['dev', 'ops'], extra: {} } }],
      ['an expired token', TOKENS.expired, { kind: 'rejected', reason: 'token_expired', claimedUsername: 'carol' }],
      ['an unknown token', 'not-a-listed-token', { kind: 'rejected', reason: 'unknown_token' }],
    ])('%s gets the same outcome, and the request hashes the token once for the strategy and every later asker', async (_name, token, expected) => {
      const { hashed, fingerprints } = countingFingerprints();
      const strategy = await openWith(fingerprints);
      const atLoad = hashed.length;
      expect(atLoad).toBe(4); // one per line of the file
      const view = requestView({ authorization: bearer(token) });
      expect(await strategy.authenticate(view)).toMatchObject(expected);
      // The cache key and the event ask the same request for the same token's fingerprint.
      const memo = requestFingerprints(view, fingerprints);
      expect(memo.fingerprint(token)).toBe(fingerprints.fingerprint(token));
      expect(hashed.slice(atLoad)).toEqual([token, token]); // the strategy's one, then this test's own direct call
    });
  });

  it('describes the credential by uid and hands the token only as fingerprint input', async () => {
    const outcome = await (await open(CSV)).authenticate(requestView({ authorization: bearer(TOKENS.alice) }));
    expect(outcome.kind === 'authenticated' && outcome.credential).toEqual({ type: 'static-token', secretForFingerprint: TOKENS.alice, publicId: 'uid-1', subject: 'alice' });
  });

  it('never puts a token in an outcome or message outside secretForFingerprint', async () => {
    const strategy = await open(CSV);
    const outcomes = await Promise.all(
      [TOKENS.alice, TOKENS.expired, 'unknown-secret-value-123', 'two words'].map((t) => strategy.authenticate(requestView({ authorization: bearer(t) }))),
    );
    expect(findSecrets(publicView(outcomes), [...Object.values(TOKENS), 'unknown-secret-value-123'])).toEqual([]);
  });

  it('reloads the file when it is rewritten in place, without a restart', async () => {
    const logger = recordingLogger();
    const path = files.file(`${TOKENS.alice},alice,uid-1\n`, 'in-place.csv');
    const strategy = await createStaticTokenStrategy({ id: 'static-token', tokenFile: path, reloadIntervalMs: 100 }, { logger });
    opened.push(strategy);
    writeFileSync(path, `${TOKENS.bob},bob,uid-2\n`);
    const ask = (t: string) => strategy.authenticate(requestView({ authorization: bearer(t) }));
    expect(await eventually(async () => (await ask(TOKENS.bob)).kind === 'authenticated')).toBe(true);
    expect((await ask(TOKENS.alice)).kind).toBe('rejected');
    expect(findSecrets(logger.lines.join('\n'), Object.values(TOKENS))).toEqual([]);
  });

  it('reloads the file when it is replaced by rename (editors, ConfigMaps)', async () => {
    const path = files.file(`${TOKENS.alice},alice,uid-1\n`, 'renamed.csv');
    const strategy = await createStaticTokenStrategy({ id: 'static-token', tokenFile: path, reloadIntervalMs: 100 });
    opened.push(strategy);
    files.replace(path, `${TOKENS.alice},alice,uid-1,admins\n`);
    expect(
      await eventually(async () => {
        const o = await strategy.authenticate(requestView({ authorization: bearer(TOKENS.alice) }));
        return o.kind === 'authenticated' && o.user.groups.includes('admins');
      }),
    ).toBe(true);
  });

  it('keeps the last good table when the file becomes invalid, and logs why without the tokens', async () => {
    const logger = recordingLogger();
    const path = files.file(`${TOKENS.alice},alice,uid-1\n`, 'broken.csv');
    const strategy = await createStaticTokenStrategy({ id: 'static-token', tokenFile: path, reloadIntervalMs: 100 }, { logger });
    opened.push(strategy);
    writeFileSync(path, `${TOKENS.bob},"bob\n`);
    expect(await eventually(() => logger.lines.some((l) => l.includes('keeping the last good version')))).toBe(true);
    expect((await strategy.authenticate(requestView({ authorization: bearer(TOKENS.alice) }))).kind).toBe('authenticated');
    expect(logger.lines.join('\n')).toContain('quoted field not terminated');
    expect(findSecrets(logger.lines.join('\n'), Object.values(TOKENS))).toEqual([]);
  });

  it('refuses to start on an invalid file with an error that names the line, not the token', async () => {
    const error = await open(`${TOKENS.alice},alice\n`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileLoadError);
    expect(String(error)).toContain('line 1: expected at least 3 columns');
    expect(findSecrets(String(error), [TOKENS.alice])).toEqual([]);
  });

  it('refuses to start when the file is missing', async () => {
    await expect(createStaticTokenStrategy({ id: 'static-token', tokenFile: `${files.dir}/absent.csv` })).rejects.toThrow(/cannot read file \(ENOENT\)/);
  });
});
