// Fills a read model with real traffic, the way production does it: each planned request goes
// through the real authn app (strategies, policy, decision service, event builder with its
// normalisation) whose clock is set to the request's planned time; the decision events go
// through the in-process bus; the real projector projects them into Postgres. Nothing is
// written to a table by hand, so a query test sees exactly the rows production writes.
//
// Used by fill-read-model.ts (a process that fixtures of other projects spawn: they may not
// import the services, this tool may).
import { loadConfig, type AuthtrailConfig } from '@authtrail/config';
import { createLogger, startAuthn } from '@authtrail/authn';
import { createInProcessBus, type EventBus, type Subscriber } from '@authtrail/event-bus';
import { controlEvent, eventSource, newEventId, TOPICS, toBusRecord, type ControlPayload } from '@authtrail/events';
import { projectorConfigOf, publisherDeadLetters, startProjector } from '@authtrail/projector';
import { openReadModel, readCheckpoints, runMigrations, type ReadModelDb } from '@authtrail/read-model';
import { createStrategy, validateStrategyConfig } from '@authtrail/strategies';
import { plannedDeliveryPublisher } from './planned-delivery';
import type { PlannedRequest, TrafficPlan } from '@authtrail/testing';
import { controlEventType } from './traffic-plan';

export interface FilledResponse {
  readonly status: number;
  /** `X-Authtrail-Decision-Id` of the answer: the id of the decision event. */
  readonly decisionId: string | null;
}

export interface FillResult {
  /** Per boot, per request, in plan order. */
  readonly boots: readonly (readonly FilledResponse[])[];
  /** Records the projector consumed up to (per topic and partition, the next offset). */
  readonly checkpoints: Readonly<Record<string, string>>;
}

export interface FillOptions {
  readonly databaseUrl: string;
  /** How long the projector may take to catch up. */
  readonly projectTimeoutMs?: number;
  /** Where authn and projector log (default: nowhere below `warn`, on stderr). */
  readonly logLevel?: 'silent' | 'error' | 'warn' | 'info' | 'debug';
}

const READY_TIMEOUT_MS = 30_000;

export async function fillReadModel(plan: TrafficPlan, options: FillOptions): Promise<FillResult> {
  // The real config loader: strategy sections are validated exactly as at a real start.
  const config = loadConfig({ argv: ['--config', plan.configFile], env: {}, validateStrategy: validateStrategyConfig });
  await runMigrations(options.databaseUrl);
  const db = await openReadModel(options.databaseUrl, { poolSize: 2, applicationName: 'authtrail-fill-read-model' });
  // Decisions persist too: a second run appends after the first, and the projector resumes
  // from the checkpoints the first run left in Postgres.
  const bus = createInProcessBus({ dataDir: plan.busDir ?? config.dataDir, persistTopics: [TOPICS.control, TOPICS.decisions] });
  try {
    const boots: FilledResponse[][] = [];
    for (const boot of plan.boots) boots.push(await runBoot(config, bus, boot.requests, options));
    await publishControlEvents(bus, plan);
    const checkpoints = await project(config, bus, db, options.projectTimeoutMs ?? 60_000);
    return { boots, checkpoints };
  } finally {
    await bus.close();
    await db.destroy();
  }
}

/** One authn process start: requests in order at their planned times, then a graceful stop. */
async function runBoot(config: AuthtrailConfig, bus: EventBus, requests: readonly PlannedRequest[], options: FillOptions): Promise<FilledResponse[]> {
  // Authn starts at its first request's time: what it publishes at start (the initial policy
  // from policy.file, a producer status) is dated like the traffic.
  const first = requests[0]?.time;
  let clock = first ? new Date(first) : new Date();
  const publisher = plannedDeliveryPublisher(bus.publisher);
  const authn = await startAuthn(config, {
    publisher,
    subscriber: bus.subscriber,
    logger: createLogger(options.logLevel ?? 'warn', process.stderr),
    registry: { createStrategy },
    now: () => clock,
  });
  const responses: FilledResponse[] = [];
  try {
    await untilReady(authn.app);
    for (const request of requests) {
      clock = request.time ? new Date(request.time) : new Date();
      publisher.setDelivery(request.delivery ?? 'delivered');
      const body = request.body;
      const response = await authn.app.inject({
        method: request.method as 'GET',
        url: request.url,
        headers: { ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...request.headers },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
        remoteAddress: request.remoteAddress ?? '127.0.0.1',
      });
      publisher.setDelivery('delivered');
      const id = response.headers['x-authtrail-decision-id'];
      responses.push({ status: response.statusCode, decisionId: typeof id === 'string' ? id : null });
    }
  } finally {
    await authn.close();
  }
  return responses;
}

async function untilReady(app: { inject(options: { method: 'GET'; url: string }): Promise<{ statusCode: number }> }): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while ((await app.inject({ method: 'GET', url: '/readyz' })).statusCode !== 200) {
    if (Date.now() > deadline) throw new Error(`authn was not ready within ${READY_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Control events with the libs/events builder, as the GraphQL mutations publish them. */
async function publishControlEvents(bus: EventBus, plan: TrafficPlan): Promise<void> {
  const source = eventSource('fill-read-model', 'testdata');
  for (const planned of plan.control ?? []) {
    const time = new Date(planned.time);
    const payload = { type: controlEventType(planned.type), data: planned.data } as unknown as ControlPayload;
    await bus.publisher.publish(toBusRecord(TOPICS.control, controlEvent({ id: newEventId(time), time, source, ...payload })));
  }
}

/** Runs the real projector until its checkpoints cover every record on its topics. */
async function project(config: AuthtrailConfig, bus: EventBus, db: ReadModelDb, timeoutMs: number): Promise<Record<string, string>> {
  const projectorConfig = projectorConfigOf(config.projector);
  const ends = await topicEnds(bus.subscriber, projectorConfig.topics);
  const projector = await startProjector(projectorConfig, { db, subscriber: bus.subscriber, deadLetters: publisherDeadLetters(bus.publisher) });
  try {
    const partitions = [...ends.keys()].map((key) => {
      const [topic, partition] = key.split('#') as [string, string];
      return { topic, partition: Number(partition) };
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stored = await readCheckpoints(db, projectorConfig.groupId, partitions);
      const behind = partitions.filter(({ topic, partition }) => {
        const checkpoint = stored.find((c) => c.topic === topic && c.partition === partition);
        return !checkpoint || BigInt(checkpoint.nextOffset) < (ends.get(`${topic}#${partition}`) ?? 0n);
      });
      if (behind.length === 0) return Object.fromEntries(stored.map((c) => [`${c.topic}#${c.partition}`, c.nextOffset]));
      if (Date.now() > deadline) throw new Error(`the projector did not catch up within ${timeoutMs} ms: ${behind.map((p) => `${p.topic}#${p.partition}`).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await projector.stop();
  }
}

/** Per `topic#partition`, the offset after its last record. */
async function topicEnds(subscriber: Subscriber, topics: readonly string[]): Promise<Map<string, bigint>> {
  const ends = new Map<string, bigint>();
  for (const topic of topics) {
    await subscriber.readToEnd(topic, (record) => {
      const key = `${topic}#${record.partition}`;
      const next = BigInt(record.offset) + 1n;
      if (next > (ends.get(key) ?? 0n)) ends.set(key, next);
    });
  }
  return ends;
}
