// A revocation made under a fingerprint key that is being rotated out still refuses the credential
// on every path of authn, cache hit or not (issue #19 found authn's own decisions fingerprinted
// under the writing key only: with the cache off, the revoked token was accepted).
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@authtrail/config';
import { createInProcessBus, type EventBus } from '@authtrail/event-bus';
import { CREDENTIAL_REVOKED_EVENT_TYPE, TOPICS, controlEvent, newEventId, toBusRecord } from '@authtrail/events';
import { createStrategy, validateStrategyConfig } from '@authtrail/strategies';
import { waitFor } from '@authtrail/testing';
import { createLogger } from './observability/logger';
import { startAuthn, type RunningAuthn } from './start-authn';

const TOKEN = `st-${randomBytes(12).toString('hex')}`;
const oldKey = randomBytes(32);
const newKey = randomBytes(32);

let dir: string;
let bus: EventBus;
const running: RunningAuthn[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'authn-fingerprint-rotation-'));
  writeFileSync(join(dir, 'tokens.csv'), `${TOKEN},alice,uid-alice,"devs"\n`);
  bus = createInProcessBus({ persistTopics: [TOPICS.control] });
});

afterAll(async () => {
  for (const authn of running) await authn.close();
  await bus.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(name: string, successTTL: string): Promise<RunningAuthn> {
  writeFileSync(
    join(dir, `${name}.yaml`),
    [`dataDir: ./${name}`, 'authn:', '  http: { port: 0, host: 127.0.0.1 }', `  cache: { successTTL: ${successTTL}, failureTTL: 0s }`, '  strategies:', '    - { id: static-token, tokenFile: tokens.csv }'].join('\n'),
  );
  // The new key writes, the old one is kept for the rotation.
  const keys = `new:${newKey.toString('base64')},old:${oldKey.toString('base64')}`;
  const config = loadConfig({ argv: ['--config', join(dir, `${name}.yaml`)], env: { AUTHTRAIL_FINGERPRINT_KEY: keys, AUTHTRAIL_INSTANCE: name }, validateStrategy: validateStrategyConfig });
  const authn = await startAuthn(config, { publisher: bus.publisher, subscriber: bus.subscriber, logger: createLogger('silent'), registry: { createStrategy } });
  running.push(authn);
  await waitFor('authn ready', async () => ((await fetch(`${authn.http.url}/readyz`)).status === 200 ? true : undefined));
  return authn;
}

const review = async (authn: RunningAuthn) => {
  const response = await fetch(`${authn.http.url}/apis/authentication.k8s.io/v1/tokenreviews`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: TOKEN } }),
  });
  return ((await response.json()) as { status: { authenticated?: boolean } }).status.authenticated === true;
};

it('a token revoked under the old key is refused with the cache off and on, on the first request and on a hit', async () => {
  const uncached = await start('uncached', '0s');
  const cached = await start('cached', '10s');
  expect([await review(uncached), await review(cached)]).toEqual([true, true]);

  // Revoked by its fingerprint under the key being rotated out, as an admin holding an old event would.
  const oldFingerprint = `hmac-sha256:old:${createHmac('sha256', oldKey).update(TOKEN).digest('hex')}`;
  const time = new Date();
  await bus.publisher.publish(toBusRecord(TOPICS.control, controlEvent({ id: newEventId(time), time, source: '/authtrail/test/admin', type: CREDENTIAL_REVOKED_EVENT_TYPE, data: { revocationId: randomUUID(), fingerprint: oldFingerprint, revokedBy: 'admin' } })));

  for (const authn of [uncached, cached]) {
    await waitFor('the revocation applied', async () => ((await review(authn)) ? undefined : true));
    expect([await review(authn), await review(authn)]).toEqual([false, false]);
  }
});
