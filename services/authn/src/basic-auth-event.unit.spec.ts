// Issue #14 item 3 through the production path: the real basic-auth strategy, composed by the
// real composition root (cache included), decided by the app, serialized as it goes to Kafka.
// A password typed into the user field must end up nowhere in the event — only its keyed hash.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthnConfig } from '@authtrail/config';
import { createFingerprinter } from '@authtrail/events';
import { createStrategy } from '@authtrail/strategies';
import { recordingPublisher, testApp } from './app.fixture';
import { composeChain } from '@authtrail/authentication';
import { createLogger } from './observability/logger';

const fingerprinter = createFingerprinter({ keys: [{ id: 'k1', secret: randomBytes(32) }] });
const ANN_PASSWORD = `ann-${randomBytes(8).toString('hex')}`;

const authn = (passwordFile: string): AuthnConfig => ({
  http: { port: 0, host: '127.0.0.1' },
  trustedProxies: [],
  anonymous: { enabled: false },
  // Failures cached too: a cache hit must record the same as the miss.
  cache: { successTTL: 10_000, failureTTL: 10_000, maxEntries: 100 },
  strategies: [{ id: 'basic-auth', passwordFile }],
  limits: { bodyLimit: 65_536, maxHeaderSize: 16_384, requestTimeout: 10_000, keepAliveTimeout: 5_000, connectionTimeout: 30_000, shutdownGrace: 1_000 },
});

describe('a failed basic-auth decision, serialized as published', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authn-basic-event-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function decide(user: string, password: string, times = 1) {
    const passwordFile = join(dir, `passwords-${randomBytes(4).toString('hex')}.csv`);
    // Plaintext keeps the test fast; the name rules do not depend on the hash scheme.
    writeFileSync(passwordFile, `${ANN_PASSWORD},ann,uid-a,dev\n`);
    const fingerprint = (secret: string) => fingerprinter.fingerprint(secret);
    const composed = await composeChain(authn(passwordFile), { createStrategy }, {}, { fingerprint });
    const publisher = recordingPublisher();
    const { app } = testApp({ chain: composed.chain, publisher, fingerprint, usernameHash: (name) => fingerprinter.usernameHash(name), logger: createLogger('silent') });
    const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    for (let i = 0; i < times; i += 1) await app.inject({ method: 'POST', url: '/v1/authenticate', payload: { headers: { authorization } } });
    await app.close();
    await composed.close();
    // Everything that reaches Kafka: the record key and the whole CloudEvent.
    return publisher.records.map((record) => ({ written: `${record.key}\n${JSON.stringify(JSON.parse(record.value.toString('utf8')))}`, event: JSON.parse(record.value.toString('utf8')) }));
  }

  it('a password typed as the user name appears nowhere in the event, its key or its subject; its hash does (miss and cache hit)', async () => {
    const typed = `pw-typed-as-user-${randomBytes(8).toString('hex')}`;
    const records = await decide(typed, 'anything', 2);
    expect(records).toHaveLength(2);
    for (const { written, event } of records) {
      expect(written).not.toContain(typed);
      expect(written).toContain(fingerprinter.usernameHash(typed));
      expect(event.data).toMatchObject({ decision: 'deny', reason: 'invalid_password', claimedUsernameHash: fingerprinter.usernameHash(typed), credential: { type: 'basic-auth' } });
      expect(event.data.claimedUsername).toBeUndefined();
      expect(event.data.credential.subject).toBeUndefined();
    }
  });

  it('a known account with a wrong password is named in clear with its hash; the password is nowhere', async () => {
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const [record] = await decide('ann', wrong);
    expect(record?.written).not.toContain(wrong);
    expect(record?.written).not.toContain(ANN_PASSWORD);
    expect(record?.event.data).toMatchObject({ claimedUsername: 'ann', claimedUsernameHash: fingerprinter.usernameHash('ann') });
    expect(record?.event.data.credential.subject).toBeUndefined();
  });

  it('an allow records how the matched password is stored, on the miss and on the cache hit; the password is nowhere', async () => {
    const records = await decide('ann', ANN_PASSWORD, 2);
    expect(records).toHaveLength(2);
    for (const { written, event } of records) {
      expect(written).not.toContain(ANN_PASSWORD);
      // The file above stores ann's password in plaintext: what policy's rejectPlaintextPasswords looks at.
      expect(event.data).toMatchObject({ decision: 'allow', user: { username: 'ann' }, credential: { type: 'basic-auth', passwordStorage: 'plaintext' } });
    }
  });
});
