import { hash as argon2Hash } from '@node-rs/argon2';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { findSecrets } from '@authtrail/testing';
import { FileLoadError } from '../shared/file-reloader';
import { basic, bearer, requestView } from '../shared/request-view.fixture';
import { publicView, recordingLogger, tempFolder } from '../shared/temp-files.fixture';
import type { AuthOutcome } from '../strategy';
import { createBasicAuthStrategy, type BasicAuthStrategy } from './basic-auth.strategy';
import { scryptPhc } from './password-hash';

// Passwords are generated per run; hashes use low costs to keep the suite fast.
const PASSWORDS = {
  argon: `argon-${Math.random().toString(36).slice(2)}`,
  scrypt: `scrypt-${Math.random().toString(36).slice(2)}`,
  bcrypt: `bcrypt-${Math.random().toString(36).slice(2)}`,
  plain: `plain-${Math.random().toString(36).slice(2)}`,
};
const WRONG = 'wrong-password-attempt-42';

describe('basic-auth strategy', () => {
  const files = tempFolder('basic-auth');
  const logger = recordingLogger();
  let strategy: BasicAuthStrategy;
  let csv: string;
  /**
   * Without the plaintext entry: an unknown name's dummy hash is drawn from the file's own schemes,
   * so with a plaintext entry it could cost no KDF slot at all (key-dependent, so random per run).
   */
  let hashedCsv: string;
  const extra: BasicAuthStrategy[] = [];

  beforeAll(async () => {
    const bcrypt = await bcryptHash(PASSWORDS.bcrypt, 4);
    const hashed = [
      // PHC strings contain commas (m=..,t=..,p=..), so the column is quoted as CSV requires.
      `"${await argon2Hash(PASSWORDS.argon, { memoryCost: 1024, timeCost: 1, parallelism: 1 })}",ann,uid-a,"dev,ops"`,
      `"${await scryptPhc(PASSWORDS.scrypt, { ln: 10 })}",sam,uid-s`,
      `${bcrypt},bea,uid-b,dev`,
      `${bcrypt.replace(/^\$2b\$/, () => '$2y$')},yann,uid-y`,
    ];
    hashedCsv = hashed.join('\n');
    csv = [...hashed, `${PASSWORDS.plain},pat,uid-p,legacy`].join('\n');
    strategy = await createBasicAuthStrategy({ id: 'basic-auth', passwordFile: files.file(csv) }, { logger });
  });
  afterAll(async () => {
    await Promise.all([strategy, ...extra].map((s) => s.close?.()));
    files.remove();
  });

  it.each<[string, () => string | undefined, Partial<Record<string, unknown>>]>([
    ['an argon2id password authenticates with the user, uid and groups', () => basic('ann', PASSWORDS.argon), { kind: 'authenticated', user: { username: 'ann', uid: 'uid-a', groups: ['dev', 'ops'], extra: {} }, credential: { passwordStorage: 'argon2id' } }],
    ['a scrypt password authenticates', () => basic('sam', PASSWORDS.scrypt), { kind: 'authenticated', user: { username: 'sam' }, credential: { passwordStorage: 'scrypt' } }],
    ['a bcrypt $2b$ password authenticates', () => basic('bea', PASSWORDS.bcrypt), { kind: 'authenticated', credential: { passwordStorage: 'bcrypt' } }],
    ['a bcrypt $2y$ password authenticates', () => basic('yann', PASSWORDS.bcrypt), { kind: 'authenticated', user: { username: 'yann' } }],
    ['a plaintext password authenticates and is flagged as plaintext', () => basic('pat', PASSWORDS.plain), { kind: 'authenticated', credential: { passwordStorage: 'plaintext' } }],
    ['a wrong argon2id password is rejected with invalid_password and the claimed user', () => basic('ann', WRONG), { kind: 'rejected', reason: 'invalid_password', claimedUsername: 'ann', message: 'invalid user name or password' }],
    ['a wrong scrypt password is rejected with invalid_password', () => basic('sam', WRONG), { kind: 'rejected', reason: 'invalid_password' }],
    ['a wrong bcrypt password is rejected with invalid_password', () => basic('bea', WRONG), { kind: 'rejected', reason: 'invalid_password' }],
    ['a wrong plaintext password is rejected with invalid_password', () => basic('pat', WRONG), { kind: 'rejected', reason: 'invalid_password' }],
    ['another user\'s password is rejected', () => basic('ann', PASSWORDS.plain), { kind: 'rejected', reason: 'invalid_password' }],
    ['an unknown user gets the same answer as a wrong password (no user enumeration)', () => basic('nobody', PASSWORDS.argon), { kind: 'rejected', reason: 'invalid_password', message: 'invalid user name or password' }],
    ['basic credentials without a colon are malformed', () => `Basic ${Buffer.from('ann').toString('base64')}`, { kind: 'rejected', reason: 'malformed_credentials' }],
    ['garbage base64 is malformed', () => 'Basic ***', { kind: 'rejected', reason: 'malformed_credentials' }],
    ['truncated base64 is malformed', () => basic('ann', PASSWORDS.argon).slice(0, -1), { kind: 'rejected', reason: 'malformed_credentials' }],
    ['a bearer token abstains', () => bearer('abc'), { kind: 'abstained' }],
    ['no Authorization header abstains', () => undefined, { kind: 'abstained' }],
  ])('%s', async (_name, authorization, expected) => {
    expect(await strategy.authenticate(requestView({ authorization: authorization() }))).toMatchObject(expected);
  });

  it.each([
    ['a known user with a wrong password names the account in clear (claimedUsername), and no credential subject', 'ann', { claimedUsername: 'ann' }],
    ['an unknown user name is only typedUsername (it may be a password typed in the wrong field), and no credential subject', 'nobody', { typedUsername: 'nobody' }],
  ])('%s', async (_sentence, user, named) => {
    const outcome = await strategy.authenticate(requestView({ authorization: basic(user, WRONG) }));
    expect(outcome).toEqual({ kind: 'rejected', reason: 'invalid_password', message: 'invalid user name or password', credential: { type: 'basic-auth' }, ...named });
  });

  it('a password typed as the user name is never a claimedUsername nor a credential subject, only typedUsername', async () => {
    const outcome = await strategy.authenticate(requestView({ authorization: basic(PASSWORDS.argon, PASSWORDS.argon) }));
    expect(outcome).toEqual({ kind: 'rejected', reason: 'invalid_password', message: 'invalid user name or password', credential: { type: 'basic-auth' }, typedUsername: PASSWORDS.argon });
  });

  it('never shows a password outside secretForFingerprint, in outcomes or logs', async () => {
    const outcomes: AuthOutcome[] = [];
    for (const [user, password] of [['ann', PASSWORDS.argon], ['ann', WRONG], ['nobody', WRONG], ['pat', PASSWORDS.plain], ['pat', WRONG]] as const) {
      outcomes.push(await strategy.authenticate(requestView({ authorization: basic(user, password) })));
    }
    expect(findSecrets(publicView(outcomes) + logger.lines.join('\n'), [...Object.values(PASSWORDS), WRONG])).toEqual([]);
    // Failures carry no fingerprint input at all: attempted passwords are not fingerprinted.
    expect(outcomes.filter((o) => o.kind === 'rejected').every((o) => o.kind === 'rejected' && o.credential?.secretForFingerprint === undefined)).toBe(true);
  });

  it('refuses KDF work beyond the concurrency and queue bounds with throttled', async () => {
    const bounded = await createBasicAuthStrategy({ id: 'basic-auth', passwordFile: files.file(csv), maxConcurrentHashes: 1, maxQueuedHashes: 1 });
    extra.push(bounded);
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => bounded.authenticate(requestView({ authorization: basic('ann', WRONG) }))));
    const reasons = outcomes.map((o) => (o.kind === 'rejected' ? o.reason : o.kind));
    expect(reasons.filter((r) => r === 'invalid_password')).toHaveLength(2); // one running, one queued
    expect(reasons.filter((r) => r === 'throttled')).toHaveLength(4);
    expect(bounded.hashing()).toEqual({ active: 0, queued: 0 });
  });

  it('spends KDF work on unknown users too: they queue for the same slots (dummy hash)', async () => {
    const bounded = await createBasicAuthStrategy({ id: 'basic-auth', passwordFile: files.file(hashedCsv), maxConcurrentHashes: 1, maxQueuedHashes: 0 });
    extra.push(bounded);
    const [known, unknown] = await Promise.all([
      bounded.authenticate(requestView({ authorization: basic('ann', WRONG) })),
      bounded.authenticate(requestView({ authorization: basic('nobody', WRONG) })),
    ]);
    expect(known).toMatchObject({ kind: 'rejected', reason: 'invalid_password' });
    expect(unknown).toMatchObject({ kind: 'rejected', reason: 'throttled' });
  });

  it('a throttled attempt follows the same rule: the account in clear, an unknown name only typed', async () => {
    const bounded = await createBasicAuthStrategy({ id: 'basic-auth', passwordFile: files.file(hashedCsv), maxConcurrentHashes: 1, maxQueuedHashes: 0 });
    extra.push(bounded);
    const [, known, unknown] = await Promise.all([
      bounded.authenticate(requestView({ authorization: basic('sam', WRONG) })),
      bounded.authenticate(requestView({ authorization: basic('ann', WRONG) })),
      bounded.authenticate(requestView({ authorization: basic('nobody', WRONG) })),
    ]);
    const throttled = { kind: 'rejected', reason: 'throttled', message: 'too many password checks in progress; retry later' };
    expect(known).toEqual({ ...throttled, claimedUsername: 'ann' });
    expect(unknown).toEqual({ ...throttled, typedUsername: 'nobody' });
  });

  it('does not spend KDF slots on plaintext entries', async () => {
    const bounded = await createBasicAuthStrategy({ id: 'basic-auth', passwordFile: files.file(csv), maxConcurrentHashes: 1, maxQueuedHashes: 0 });
    extra.push(bounded);
    const outcomes = await Promise.all([1, 2, 3].map(() => bounded.authenticate(requestView({ authorization: basic('pat', PASSWORDS.plain) }))));
    expect(outcomes.map((o) => o.kind)).toEqual(['authenticated', 'authenticated', 'authenticated']);
  });

  it.each([
    ['an argon2i hash is refused (argon2id only)', '"$argon2i$v=19$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA",u,1', 'line 1: unsupported hash scheme'],
    ['an unknown PHC scheme is refused rather than taken as plaintext', '$md5$abc$def,u,1', 'line 1: unsupported hash scheme'],
    ['an argon2id memory cost above 256 MiB is refused', '"$argon2id$v=19$m=1048576,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA",u,1', 'line 1: argon2id parameters out of bounds'],
    ['a bcrypt cost above 15 is refused', `$2b$20$${'a'.repeat(53)},u,1`, 'line 1: bcrypt cost out of bounds'],
    ['a scrypt N·r above 256 MiB is refused', '"$scrypt$ln=20,r=16,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA",u,1', 'line 1: scrypt parameters out of bounds'],
    ['a row with two columns is refused', 'secretpw,u', 'line 1: expected at least 3 columns'],
    ['an unquoted argon2id column (split at its commas) is refused with a hint', '$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA,u,1', 'quote the column'],
  ])('%s', async (_name, content, message) => {
    const error = await createBasicAuthStrategy({ id: 'basic-auth', passwordFile: files.file(content) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileLoadError);
    expect(String(error)).toContain(message);
    expect(String(error)).not.toContain('secretpw');
  });
});
