// authn started while Kafka is unreachable (issue #18 item 6): the control topic is waited for
// with backoff and a log line per attempt; until policy and revocations are loaded every
// authentication is a 503 `upstream_unavailable` (recorded as such) and /readyz names what is
// missing; once the broker comes, authn becomes ready without a restart. `authn.startDegraded`
// authenticates at once instead. The broker is this file's own, started late on ports picked first.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '@authtrail/config';
import { createKafkaBus } from '@authtrail/event-bus';
import { decodeEvent, TOPICS } from '@authtrail/events';
import { createStrategy, validateStrategyConfig } from '@authtrail/strategies';
import { containsSecret, freePort, startKafkaBroker, waitFor, type RunningKafkaBroker } from '@authtrail/testing';
import pino from 'pino';
import { startAuthn, type RunningAuthn } from './start-authn';

const TOKEN = `st-${randomBytes(12).toString('hex')}`;
const FINGERPRINT_KEY = randomBytes(32).toString('base64');

let dir: string;
let kafkaPort: number;
let controllerPort: number;
let broker: RunningKafkaBroker | undefined;
const cleanups: (() => Promise<unknown>)[] = [];

/** A pino logger whose JSON lines are kept for the assertions. */
function capturingLogger(lines: string[]) {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return pino({ level: 'info' }, stream);
}

async function startAgainstKafka(name: string, startDegraded: boolean, lines: string[]): Promise<{ authn: RunningAuthn; bus: ReturnType<typeof createKafkaBus> }> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `dataDir: ./${name}-data`,
      'authn:',
      `  instance: ${name}`,
      '  http: { port: 0, host: 127.0.0.1 }',
      `  startDegraded: ${startDegraded}`,
      '  limits: { shutdownGrace: 1s }',
      '  strategies:',
      '    - { id: static-token, tokenFile: ./tokens.csv }',
      'events:',
      `  kafka: { brokers: ["127.0.0.1:${kafkaPort}"] }`,
      'fingerprint:',
      `  keys: [{ id: k1, secret: "${FINGERPRINT_KEY}" }]`,
      '',
    ].join('\n'),
  );
  const config = loadConfig({ argv: ['--config', file], env: {}, validateStrategy: validateStrategyConfig });
  const logger = capturingLogger(lines);
  const bus = createKafkaBus({
    brokers: config.events.kafka?.brokers ?? [],
    clientId: `boot-${name}`,
    spoolDir: join(dir, `${name}-spool`),
    closeTimeoutMs: 500,
    bootRetry: { initialDelayMs: 200, maxDelayMs: 1_000 },
    logger: logger.child({ component: 'event-bus' }),
  });
  const authn = await startAuthn(config, { publisher: bus.publisher, subscriber: bus.subscriber, logger, registry: { createStrategy } });
  const stop = async () => {
    await authn.close();
    await bus.close();
  };
  cleanups.push(stop);
  return { authn, bus };
}

const authenticate = (authn: RunningAuthn) =>
  fetch(`${authn.http.url}/v1/authenticate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ headers: { authorization: `Bearer ${TOKEN}` } }) });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'authn-kafka-boot-'));
  writeFileSync(join(dir, 'tokens.csv'), `${TOKEN},alice,u-1,"devs"\n`);
  kafkaPort = await freePort();
  do controllerPort = await freePort();
  while (controllerPort === kafkaPort);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await broker?.destroy();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('authn with Kafka unreachable at boot', () => {
  it('authn.startDegraded: true authenticates at once, without policy and revocations, while /readyz stays 503', async () => {
    const lines: string[] = [];
    const { authn } = await startAgainstKafka('degraded', true, lines);
    const answer = await authenticate(authn);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ authenticated: true, user: { username: 'alice' } });
    expect((await fetch(`${authn.http.url}/readyz`)).status).toBe(503);
  });

  it('refuses with 503 upstream_unavailable and names what is missing in /readyz, retries Kafka with a growing delay, and becomes ready once the broker comes', async () => {
    const lines: string[] = [];
    const { authn, bus } = await startAgainstKafka('strict-start', false, lines);

    const readyz = await fetch(`${authn.http.url}/readyz`);
    expect(readyz.status).toBe(503);
    const body = (await readyz.json()) as { status: string; missing: string[]; reason: string };
    expect(body.status).toBe('not ready');
    expect(body.missing).toEqual(['policy', 'revocations']);
    expect(body.reason).toMatch(/control topic/);

    const refused = await authenticate(authn);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ reason: 'upstream_unavailable', message: expect.stringMatching(/^not ready: policy and revocations not loaded/) });
    const refusedId = refused.headers.get('x-authtrail-decision-id');
    expect(refusedId).toBeTruthy();

    // One line per failed attempt, each naming the next delay; the delays grow.
    const retries = await waitFor(
      'three Kafka retry lines',
      async () => {
        const found = lines.map((l) => JSON.parse(l) as { msg: string; step?: string; attempt?: number; nextDelayMs?: number }).filter((l) => l.step === `read ${TOPICS.control} to its end` && l.attempt !== undefined);
        return found.length >= 3 ? found : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(retries[0].msg).toMatch(new RegExp(`^Kafka unreachable \\(read ${TOPICS.control.replaceAll('.', '\\.')} to its end\\): attempt 1 failed, retrying in \\d+\\.\\d s$`));
    expect(retries.slice(0, 3).map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(retries[2].nextDelayMs).toBeGreaterThan(retries[0].nextDelayMs ?? Infinity);

    broker = await startKafkaBroker({ dataDir: join(dir, 'kafka'), port: kafkaPort, controllerPort, log: () => undefined });
    await waitFor('authn ready after the broker came', async () => ((await fetch(`${authn.http.url}/readyz`)).status === 200 ? true : undefined), { timeoutMs: 90_000 });

    const allowed = await authenticate(authn);
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toMatchObject({ authenticated: true, user: { username: 'alice' } });

    // The refusal reached Kafka too, with its own reason (buffered while the broker was down).
    await bus.publisher.flush(30_000);
    const events: { id: string; reason: unknown; httpStatus: unknown }[] = [];
    await bus.subscriber.readToEnd(TOPICS.decisions, (record) => {
      const decoded = decodeEvent(record.value);
      if (decoded.ok && 'decision' in (decoded.event.data as object)) {
        const data = decoded.event.data as { reason: unknown; httpStatus: unknown };
        events.push({ id: decoded.event.id, reason: data.reason, httpStatus: data.httpStatus });
      }
    });
    expect(events).toContainEqual({ id: refusedId, reason: 'upstream_unavailable', httpStatus: 503 });
    expect(containsSecret(lines.join('\n'), [TOKEN, FINGERPRINT_KEY])).toBe(false);
  }, 150_000);
});
