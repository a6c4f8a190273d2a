// The projector's /healthz (issue #18 item 6): lag and stalls, not just "the process runs".
// A sampler asks Kafka where each partition ends and Postgres how far the checkpoints got, every
// `intervalMs`; a stall is records pending with no checkpoint moving for `stallAfterMs` (after a
// Kafka restart the consumer group can sit for half a minute before it fetches again). Kafka not
// answering for as long is unhealthy too. The verdict itself is a pure function of the samples.
import { readCheckpoints, type ReadModelDb } from '@authtrail/read-model';

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** Records in Kafka not yet in Postgres. */
  readonly lag: number;
}

export interface HealthSample {
  /** Milliseconds since the epoch. */
  readonly at: number;
  /** Undefined when Kafka or Postgres did not answer (`error` says which). */
  readonly partitions?: readonly PartitionLag[];
  /** Sum of the checkpoints: it moves whenever a batch is committed. */
  readonly projected?: bigint;
  readonly error?: string;
}

export interface HealthState {
  readonly lastSample?: HealthSample;
  /** The last sample where Kafka and Postgres both answered: its lag is the last known. */
  readonly lastGood?: HealthSample;
  /** When the checkpoints last moved, or nothing was pending. */
  readonly lastProgressAt: number;
  /** When Kafka and Postgres last both answered. */
  readonly lastAnsweredAt: number;
}

export interface HealthVerdict {
  readonly healthy: boolean;
  readonly body: {
    /** `waiting`: Kafka or Postgres did not answer the last sample, for less than stallAfter (still healthy). */
    readonly status: 'ok' | 'stalled' | 'waiting' | 'unreachable' | 'starting';
    readonly reason?: string;
    readonly lag: number;
    readonly partitions: readonly PartitionLag[];
    readonly secondsSinceProgress: number;
  };
}

/** The state after one more sample. */
export function nextHealthState(state: HealthState, sample: HealthSample): HealthState {
  if (!sample.partitions || sample.projected === undefined) return { ...state, lastSample: sample };
  const pending = sample.partitions.some((p) => p.lag > 0);
  const moved = state.lastGood?.projected === undefined || sample.projected !== state.lastGood.projected;
  return { lastSample: sample, lastGood: sample, lastProgressAt: moved || !pending ? sample.at : state.lastProgressAt, lastAnsweredAt: sample.at };
}

export function healthVerdict(state: HealthState, now: number, stallAfterMs: number): HealthVerdict {
  const sample = state.lastSample;
  const partitions = state.lastGood?.partitions ?? [];
  const lag = partitions.reduce((sum, p) => sum + p.lag, 0);
  const secondsSinceProgress = Math.round((now - state.lastProgressAt) / 1000);
  const base = { lag, partitions, secondsSinceProgress };
  if (!sample) return { healthy: true, body: { ...base, status: 'starting' } };
  if (sample.error !== undefined) {
    const reason = `${sample.error} for ${Math.round((now - state.lastAnsweredAt) / 1000)} s`;
    return now - state.lastAnsweredAt > stallAfterMs ? { healthy: false, body: { ...base, status: 'unreachable', reason } } : { healthy: true, body: { ...base, status: 'waiting', reason } };
  }
  if (lag > 0 && now - state.lastProgressAt > stallAfterMs) {
    return { healthy: false, body: { ...base, status: 'stalled', reason: `${lag} records pending and no batch committed for ${secondsSinceProgress} s` } };
  }
  return { healthy: true, body: { ...base, status: 'ok' } };
}

export interface HealthProbeDeps {
  readonly db: ReadModelDb;
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Kafka's end offsets per partition (createKafkaBus().endOffsets). */
  readonly endOffsets: (topic: string) => Promise<ReadonlyMap<number, bigint>>;
  readonly stallAfterMs: number;
  readonly intervalMs?: number;
  readonly now?: () => number;
}

export interface HealthProbe {
  verdict(): HealthVerdict;
  stop(): void;
}

export function startHealthProbe(deps: HealthProbeDeps): HealthProbe {
  const now = deps.now ?? Date.now;
  let state: HealthState = { lastProgressAt: now(), lastAnsweredAt: now() };
  let stopped = false;

  const sample = async (): Promise<HealthSample> => {
    const at = now();
    let ends: { topic: string; partition: number; end: bigint }[];
    try {
      ends = (await Promise.all(deps.topics.map(async (topic) => [...(await deps.endOffsets(topic))].map(([partition, end]) => ({ topic, partition, end }))))).flat();
    } catch {
      return { at, error: 'Kafka does not answer' };
    }
    try {
      const checkpoints = await readCheckpoints(deps.db, deps.groupId, ends.map(({ topic, partition }) => ({ topic, partition })));
      const next = new Map(checkpoints.map((c) => [`${c.topic}/${c.partition}`, BigInt(c.nextOffset)]));
      const partitions = ends.map(({ topic, partition, end }) => ({ topic, partition, lag: Number(end - (next.get(`${topic}/${partition}`) ?? 0n)) }));
      return { at, partitions: partitions.map((p) => ({ ...p, lag: Math.max(0, p.lag) })), projected: [...next.values()].reduce((a, b) => a + b, 0n) };
    } catch {
      return { at, error: 'PostgreSQL does not answer' };
    }
  };

  const loop = async () => {
    while (!stopped) {
      state = nextHealthState(state, await sample());
      await new Promise((resolve) => setTimeout(resolve, deps.intervalMs ?? 2_000).unref());
    }
  };
  void loop();
  return { verdict: () => healthVerdict(state, now(), deps.stallAfterMs), stop: () => void (stopped = true) };
}
