import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKafkaBus, type EventBus } from '@authtrail/event-bus';
import { encodeEvent, PRODUCER_STATUS_EVENT_TYPE, type AuthtrailEvent, type DecisionEvent } from '@authtrail/events';
import { openReadModel, readProjectorHealth, runMigrations, type ReadModelDb } from '@authtrail/read-model';
import { createTestDatabase, testKafka, testKafkaBrokers, uniqueTopic } from '@authtrail/testing';
import type { Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { decisionEvent, eventSource } from '@authtrail/events';
import { ALLOWED_DECISION } from '../testdata/decision.fixtures';
import { generateEvents, isDecision } from '../testdata/event-generator';
import { createTopics, produceEvents, queryRows, snapshotReadModels, waitUntilCaughtUp, type TestTopics } from '../testdata/projector.harness';
import { publisherDeadLetters } from './bus-dead-letters';
import { DEAD_LETTER_HEADERS } from '@authtrail/events';
import { resolveProjectorConfig } from './projector.config';
import { startProjector, type RunningProjector } from './projector';
import { replayFromDatabase, replayFromKafka } from './replay';

const kafka = testKafka('projector-int');

interface Env {
  readonly url: string;
  readonly db: ReadModelDb;
  readonly bus: EventBus;
  readonly topics: TestTopics;
  readonly config: ReturnType<typeof resolveProjectorConfig>;
  readonly spool: string;
}

async function setUp(name: string): Promise<Env> {
  const url = await createTestDatabase(name);
  await runMigrations(url);
  const db = await openReadModel(url);
  const topics = { decisions: uniqueTopic(`${name}.decisions`), control: uniqueTopic(`${name}.control`), deadLetter: uniqueTopic(`${name}.dlq`) };
  await createTopics(kafka, topics);
  const spool = mkdtempSync(path.join(tmpdir(), 'projector-spool-'));
  const bus = createKafkaBus({ brokers: testKafkaBrokers(), clientId: `${name}-test`, mode: 'strict', spoolDir: spool });
  const config = resolveProjectorConfig({ groupId: uniqueTopic(`${name}.group`), topics: [topics.decisions, topics.control], deadLetterTopic: topics.deadLetter });
  return { url, db, bus, topics, config, spool };
}

async function tearDown(env: Env | undefined, projector?: RunningProjector): Promise<void> {
  await projector?.stop();
  await env?.bus.close();
  await env?.db.destroy();
  if (env) rmSync(env.spool, { recursive: true, force: true });
}

describe('projector on real Kafka and Postgres', () => {
  let producer: Producer;
  beforeAll(async () => {
    producer = kafka.producer();
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
  });

  describe('50,000 events with deliberate duplicates', () => {
    let env: Env;
    let projector: RunningProjector;
    const N = 50_000;
    const events = generateEvents(N, { seed: 7 });
    // Every 20th event sent a second time (after the first pass), and a block sent twice in a row.
    const duplicates = [...events.filter((_, i) => i % 20 === 0), ...events.slice(1000, 1200)];

    beforeAll(async () => {
      env = await setUp('count');
      projector = await startProjector(env.config, { db: env.db, subscriber: env.bus.subscriber, deadLetters: publisherDeadLetters(env.bus.publisher), registry: new Registry() });
      await produceEvents(producer, env.topics, events);
      await produceEvents(producer, env.topics, duplicates);
      await waitUntilCaughtUp(env.url, env.config.groupId, kafka, env.config.topics, 120_000);
    }, 180_000);
    afterAll(() => tearDown(env, projector));

    const decisions = events.filter(isDecision);

    it('the decision table holds each event once', async () => {
      const [row] = await queryRows<{ n: number; distinct: number }>(env.url, `SELECT count(*)::int AS n, count(DISTINCT id)::int AS distinct FROM decision`);
      expect(row).toEqual({ n: decisions.length, distinct: decisions.length });
      expect(projector.stats().projected).toBe(events.length);
      expect(projector.stats().duplicates).toBe(duplicates.length);
    });

    it('identity counts match counts computed from the events', async () => {
      const expected = new Map<string, { s: number; f: number }>();
      for (const e of decisions) {
        if (!e.data.user) continue;
        const c = expected.get(e.data.user.username) ?? { s: 0, f: 0 };
        if (e.data.decision === 'allow') c.s += 1;
        else c.f += 1;
        expected.set(e.data.user.username, c);
      }
      const rows = await queryRows<{ username: string; s: number; f: number }>(env.url, `SELECT username, success_count::int AS s, failure_count::int AS f FROM identity`);
      expect(new Map(rows.map((r) => [r.username, { s: r.s, f: r.f }]))).toEqual(expected);
    });

    it('credential use, failure and distinct-IP counts match the events', async () => {
      const expected = new Map<string, { u: number; f: number; ips: Set<string> }>();
      for (const e of decisions) {
        const fp = e.data.credential?.fingerprint;
        if (!fp) continue;
        const c = expected.get(fp) ?? { u: 0, f: 0, ips: new Set<string>() };
        if (e.data.decision === 'allow') c.u += 1;
        else c.f += 1;
        if (e.data.request.sourceIp) c.ips.add(e.data.request.sourceIp);
        expected.set(fp, c);
      }
      const rows = await queryRows<{ fingerprint: string; u: number; f: number; ips: number }>(env.url, `SELECT fingerprint, use_count::int AS u, failure_count::int AS f, distinct_source_ips AS ips FROM credential`);
      expect(new Map(rows.map((r) => [r.fingerprint, `${r.u}/${r.f}/${r.ips}`]))).toEqual(new Map([...expected].map(([fp, c]) => [fp, `${c.u}/${c.f}/${c.ips.size}`])));
    });

    it('failure buckets count every denied decision once, per minute and dimensions', async () => {
      const expected = new Map<string, number>();
      for (const e of decisions) {
        if (e.data.decision !== 'deny') continue;
        const minute = new Date(Math.floor(Date.parse(e.time) / 60_000) * 60_000).toISOString();
        const key = [minute, e.data.request.sourceIp ?? '-', e.data.reason, e.data.user?.username ?? e.data.claimedUsername ?? '-', e.data.credential?.fingerprint ?? '-', e.data.claimedUsernameHash ?? '-'].join('|');
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      const rows = await queryRows<{ k: string; n: number }>(
        env.url,
        `SELECT concat_ws('|', to_char(minute AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), coalesce(host(source_ip), '-'), reason, coalesce(username, '-'), coalesce(credential_fingerprint, '-'), coalesce(username_hash, '-')) AS k, count::int AS n FROM failure_bucket`,
      );
      expect(new Map(rows.map((r) => [r.k, r.n]))).toEqual(expected);
    });

    it('producer sequence gaps per (instance, boot) equal the sequence numbers the generator skipped', async () => {
      // Sequences start at 1 in every boot: what a boot handed out is 1..max, or 1..lastSequence
      // of its status events when that is more (events lost with the crashed boot).
      const seqs = new Map<string, { max: number; n: number }>();
      for (const e of events) {
        const [key, last, received] = isDecision(e)
          ? [`${e.data.instance}/${e.data.boot}`, e.data.sequence, 1]
          : e.type === PRODUCER_STATUS_EVENT_TYPE
            ? [`${e.data.instance}/${e.data.boot}`, e.data.lastSequence, 0]
            : [undefined, 0, 0];
        if (key === undefined) continue;
        const s = seqs.get(key) ?? { max: 0, n: 0 };
        seqs.set(key, { max: Math.max(s.max, last), n: s.n + received });
      }
      const expected = new Map([...seqs].map(([key, s]) => [key, s.max - s.n]));
      expect(new Set([...seqs.keys()].map((k) => k.split('/')[0])).size).toBeLessThan(seqs.size);
      const health = await readProjectorHealth(env.db);
      expect(new Map(health.producers.map((p) => [`${p.instance}/${p.boot}`, p.missing]))).toEqual(expected);
      expect([...expected.values()].some((gaps) => gaps > 0)).toBe(true);
      expect(health.partitions.every((p) => p.lag === '0')).toBe(true);
    });

    it('policy versions and revocations match the control events', async () => {
      const controls = events.filter((e) => !isDecision(e));
      const policies = controls.filter((e) => e.type === 'authtrail.control.policy.applied.v1').length;
      const revoked = controls.filter((e) => e.type === 'authtrail.control.credential.revoked.v1');
      const lifted = new Set(controls.flatMap((e) => (e.type === 'authtrail.control.revocation.lifted.v1' ? [e.data.revocationId] : [])));
      const activeFingerprints = new Set(revoked.flatMap((e) => (e.type === 'authtrail.control.credential.revoked.v1' && !lifted.has(e.data.revocationId) && e.data.fingerprint ? [e.data.fingerprint] : [])));
      const usedFingerprints = new Set(decisions.flatMap((e) => (e.data.credential?.fingerprint ? [e.data.credential.fingerprint] : [])));
      const [row] = await queryRows<{ p: number; r: number; l: number; c: number }>(
        env.url,
        `SELECT (SELECT count(*) FROM policy_version)::int AS p, (SELECT count(*) FROM revocation)::int AS r,
                (SELECT count(*) FROM revocation WHERE lifted_at IS NOT NULL)::int AS l, (SELECT count(*) FROM credential WHERE revoked)::int AS c`,
      );
      expect(row).toEqual({ p: policies, r: revoked.length, l: lifted.size, c: [...activeFingerprints].filter((f) => usedFingerprints.has(f)).length });
    });

    it('replay from the decision table rebuilds identical read models', async () => {
      const before = await snapshotReadModels(env.url);
      const progress: number[] = [];
      const result = await replayFromDatabase(env.db, { pageSize: 10_000, onProgress: (p) => progress.push(p.done) });
      expect(result.events).toBe(events.length);
      expect(progress.at(-1)).toBe(decisions.length);
      expect(await snapshotReadModels(env.url)).toEqual(before);
    }, 60_000);

    it('replay from Kafka from the beginning rebuilds identical read models, and the projector resumes after it', async () => {
      const before = await snapshotReadModels(env.url);
      await projector.stop();
      const result = await replayFromKafka(env.db, env.bus.subscriber, env.config);
      expect(result.events).toBe(events.length);
      expect(await snapshotReadModels(env.url)).toEqual(before);
      projector = await startProjector(env.config, { db: env.db, subscriber: env.bus.subscriber, deadLetters: publisherDeadLetters(env.bus.publisher), registry: new Registry() });
      const late = decisionEvent({ id: '019acea0-1f3b-7abc-8def-00000000beef', time: new Date('2026-12-01T00:00:00.000Z'), source: eventSource('authn', 'late'), data: { ...ALLOWED_DECISION, instance: 'late' } });
      await produceEvents(producer, env.topics, [late]);
      await waitUntilCaughtUp(env.url, env.config.groupId, kafka, env.config.topics);
      expect(projector.stats().projected).toBe(1);
      const [row] = await queryRows<{ n: number }>(env.url, `SELECT count(*)::int AS n FROM decision`);
      expect(row.n).toBe(decisions.length + 1);
    }, 90_000);
  });

  describe('poison records', () => {
    let env: Env;
    let projector: RunningProjector;
    beforeAll(async () => {
      env = await setUp('poison');
      projector = await startProjector(env.config, { db: env.db, subscriber: env.bus.subscriber, deadLetters: publisherDeadLetters(env.bus.publisher), registry: new Registry() });
    });
    afterAll(() => tearDown(env, projector));

    it('a malformed record and an unknown type land in the dead-letter topic with the reason, and later good records are projected', async () => {
      const good = (n: number): AuthtrailEvent =>
        decisionEvent({ id: `019acea0-1f3b-7abc-8def-${String(n).padStart(12, '0')}`, time: new Date(Date.UTC(2026, 10, 29, 0, 0, n)), source: eventSource('authn', 'pod-7'), data: { ...ALLOWED_DECISION, sequence: n } });
      const unknownType = { ...(good(9) as DecisionEvent), type: 'authtrail.authn.mystery.v1' };
      // All on one partition (same key), in this order: good, garbage, unknown type, good.
      await producer.send({
        topic: env.topics.decisions,
        acks: -1,
        messages: [
          { key: 'alice', value: encodeEvent(good(1)) },
          { key: 'alice', value: Buffer.from('{"specversion":"1.0", this is not json') },
          { key: 'alice', value: Buffer.from(JSON.stringify(unknownType)) },
          { key: 'alice', value: encodeEvent(good(2)) },
        ],
      });
      await waitUntilCaughtUp(env.url, env.config.groupId, kafka, [env.topics.decisions]);
      const rows = await queryRows<{ id: string }>(env.url, `SELECT id FROM decision ORDER BY time`);
      expect(rows.map((r) => r.id)).toEqual([good(1).id, good(2).id]);

      const letters = await env.bus.subscriber.readToEnd(env.topics.deadLetter, () => undefined);
      expect(letters).toBe(2);
      const reasons: string[] = [];
      await env.bus.subscriber.readToEnd(env.topics.deadLetter, (r) => void reasons.push(r.headers[DEAD_LETTER_HEADERS.code]));
      expect(reasons.sort()).toEqual(['invalid_json', 'unknown_type']);
      const health = await readProjectorHealth(env.db);
      expect(health.partitions.reduce((sum, p) => sum + Number(p.deadLettered), 0)).toBe(2);
      expect(projector.stats().deadLettered).toBe(2);
      const metrics = await projector.metrics.deadLetters.get();
      expect(metrics.values.map((v) => [v.labels.reason, v.value]).sort()).toEqual([['invalid_json', 1], ['unknown_type', 1]]);
    }, 60_000);
  });
});
