// Strict mode against a broker that stalls (SIGSTOP, later SIGCONT): every answer a caller got
// must match the topic — a record on the topic was resolved for its caller, a refused one is not
// there. The stall (12 s) outlasts the strict deadline (1 s) many times: the batch on the wire
// when it starts must wait for Kafka's answer, everything behind it must be refused and never sent.
// (A send that fails and is retried is covered by the unit tests with a fake transport.)
import { uniqueTopic } from '@authtrail/testing';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { isPublishError } from '../bus.errors';
import { usePrivateBroker } from '../testdata/private-broker';
import { parseTestRecord, testRecord, testSecret } from '../testdata/test-records';
import { createKafkaBus } from './kafka-bus';

const STRICT_TIMEOUT_MS = 1_000;
const STALL_MS = 12_000;
const KEYS = 8;

type Outcome = { readonly id: string; readonly waitedMs: number } & ({ readonly kind: 'resolved' } | { readonly kind: 'refused'; readonly code: string });

describe('strict publishing through a stalled broker', () => {
  const privateBroker = usePrivateBroker('event-bus-stall');

  it('every record on the topic was resolved for its caller, and no refused record is on the topic', async () => {
    const { broker, workDir, buses } = privateBroker();
    const topic = uniqueTopic('event-bus.stall');
    const topics = { [topic]: { partitions: 3 } };
    const secret = testSecret();
    const strict = createKafkaBus({ brokers: [broker.brokers], clientId: 'stall-strict', mode: 'strict', spoolDir: path.join(workDir, 'spool'), topics, strictTimeoutMs: STRICT_TIMEOUT_MS, batch: { maxRecords: 20 }, closeTimeoutMs: 1_000 });
    const reader = createKafkaBus({ brokers: [broker.brokers], clientId: 'stall-reader', spoolDir: path.join(workDir, 'reader-spool'), topics });
    buses.push(strict, reader);
    // The first publish connects the producer and fetches the topic's metadata, which on a loaded
    // machine can outlast the strict deadline (CI saw it once): a refused warm-up was never sent.
    for (let attempt = 1; ; attempt += 1) {
      const warmedUp = await strict.publisher.publish(testRecord(topic, 'warm-up', 0, 'warm-up', secret)).then(
        () => true,
        (error: unknown) => {
          if (!isPublishError(error) || error.code !== 'publish_timeout' || attempt === 5) throw error;
          return false;
        },
      );
      if (warmedUp) break;
    }

    // Requests arrive every 25 ms whatever happens to the earlier ones (each caller waits for its
    // own answer only), spread over a few keys.
    const outcomes: Outcome[] = [];
    const pending: Promise<void>[] = [];
    let arriving = true;
    const arrivals = (async () => {
      for (let seq = 0; arriving; seq += 1) {
        const id = `caller-${seq}`;
        const started = performance.now();
        pending.push(
          strict.publisher.publish(testRecord(topic, 'caller', seq, `key-${seq % KEYS}`, secret)).then(
            () => void outcomes.push({ id, kind: 'resolved', waitedMs: performance.now() - started }),
            (error: unknown) => void outcomes.push({ id, kind: 'refused', code: isPublishError(error) ? error.code : String(error), waitedMs: performance.now() - started }),
          ),
        );
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    await new Promise((r) => setTimeout(r, 1_500));
    process.kill(broker.pid, 'SIGSTOP');
    await new Promise((r) => setTimeout(r, STALL_MS));
    process.kill(broker.pid, 'SIGCONT');
    await new Promise((r) => setTimeout(r, 3_000));
    arriving = false;
    await arrivals;
    await Promise.all(pending);

    const onTopic = new Set<string>();
    await reader.subscriber.readToEnd(topic, (r) => {
      onTopic.add(parseTestRecord(r.value).id);
    });

    const resolved = outcomes.filter((o) => o.kind === 'resolved');
    const refused = outcomes.filter((o) => o.kind === 'refused');
    const late = resolved.filter((o) => o.waitedMs > STRICT_TIMEOUT_MS);
    process.stdout.write(`[stall] ${resolved.length} resolved (${late.length} after more than ${STRICT_TIMEOUT_MS} ms, longest ${Math.round(Math.max(...late.map((o) => o.waitedMs), 0))} ms), ${refused.length} refused, ${onTopic.size} distinct records on the topic\n`);
    // The promise: the topic holds exactly the resolved records (plus the warm-up).
    expect(refused.filter((o) => onTopic.has(o.id)).map((o) => o.id)).toEqual([]);
    expect(resolved.filter((o) => !onTopic.has(o.id)).map((o) => o.id)).toEqual([]);
    expect(onTopic.size).toBe(resolved.length + 1);
    expect(outcomes.length).toBe(pending.length);
    // The stall did what it is for: refusals, and callers that waited past their deadline for an ack.
    expect(refused.length).toBeGreaterThan(0);
    expect(late.length).toBeGreaterThan(0);
    expect(new Set(refused.map((o) => (o.kind === 'refused' ? o.code : '')))).toEqual(new Set(['publish_timeout']));
  }, 120_000);
});
