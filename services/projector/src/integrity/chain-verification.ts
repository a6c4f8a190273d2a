// The projector's chain verification (docs/integrity.md, "In the projector"). A producer's chain
// spreads over every decision partition and the control topic, and several projectors may share
// those partitions, so no one consumer sees a whole chain: each batch stores its records' links
// (chain-links.ts) and ONE verifier per database (the holder of a session advisory lock) reads
// them back in commit order and keeps the verdict in the read model — how far each chain is
// verified, and every finding with its evidence.
//
// Gaps: a missing position may still be on its way in a slower partition. A chain is left
// waiting on it for `gapGraceMs` of the verifier's time, and until the projectors have caught up
// with Kafka at some moment after it started waiting (a projector catching up after downtime
// fills its partitions one by one); then the gap is named (settle()). A record that arrives later
// does not withdraw the finding.
import { INTEGRITY_CHECKPOINT_EVENT_TYPE } from '@authtrail/events';
import { FINDING_KINDS, ChainVerifier, type ChainReport, type Finding, type RecordLocation, type VerificationKeyRing } from '@authtrail/integrity';
import {
  committedHorizon,
  insertIntegrityFindings,
  readIntegrityLinks,
  upsertIntegrityChains,
  type IntegrityChainRow,
  type ReadModelDb,
  type SqlRunner,
  type StoredIntegrityLink,
} from '@authtrail/read-model';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ProjectorLogger } from '../projector';

/** Session advisory lock of the verifier: one per database, whichever projector holds it. */
export const CHAIN_VERIFIER_LOCK_KEY = 0x6175_6469_7421;

export interface ChainVerificationOptions {
  /** Public keys the checkpoints verify with (`integrity.verificationKeysFile`). */
  readonly keys: VerificationKeyRing;
  /** How long a chain may wait on a missing position before it is named a gap. */
  readonly gapGraceMs: number;
  /**
   * Whether the projector group has projected everything Kafka held when asked. Absent (the
   * in-process bus of `npm start`, which delivers in order as it publishes): the grace alone decides.
   */
  readonly caughtUp?: () => Promise<boolean>;
  /** Time between passes; default 1 s. */
  readonly intervalMs?: number;
  readonly pageSize?: number;
  readonly registry?: Registry;
  readonly logger: ProjectorLogger;
  readonly now?: () => number;
}

export interface RunningChainVerification {
  /** One pass now (waits for a pass in flight first); false when another projector verifies. */
  pass(): Promise<boolean>;
  stop(): Promise<void>;
}

interface ChainTimes {
  first: string | undefined;
  last: string | undefined;
}

/** The verifier's state; a new leader starts a new one and reads every link again. */
interface Leadership {
  /** The session holding the lock; every read and write of the verifier goes through it. */
  readonly connection: SqlRunner;
  readonly release: () => Promise<void>;
  readonly verifier: ChainVerifier;
  /** Links of transactions below this were read. */
  horizon: string;
  readonly times: Map<string, ChainTimes>;
  /** Chain → the missing sequence it waits on, and since when (verifier time). */
  readonly waiting: Map<string, { readonly missingFrom: number; readonly since: number }>;
  /** Partition → the suspected checkpoint copy that ends it, and since when. */
  readonly suspects: Map<string, { readonly sequence: number; readonly since: number }>;
}

const isEarlier = (a: string, b: string): boolean => Date.parse(a) < Date.parse(b);

export function startChainVerification(db: ReadModelDb, options: ChainVerificationOptions): RunningChainVerification {
  const now = options.now ?? Date.now;
  const pageSize = options.pageSize ?? 5_000;
  const findingsCounter = new Counter({ name: 'authtrail_projector_integrity_findings_total', help: 'Integrity findings the chain verifier made, by kind (docs/integrity.md).', labelNames: ['kind'], registers: options.registry ? [options.registry] : [] });
  for (const kind of FINDING_KINDS) findingsCounter.inc({ kind }, 0);
  const linksCounter = new Counter({ name: 'authtrail_projector_integrity_links_checked_total', help: 'Chain links the verifier read back and checked.', registers: options.registry ? [options.registry] : [] });
  const leaderGauge = new Gauge({ name: 'authtrail_projector_integrity_verifier_leader', help: '1 when this projector is the one verifying the chains of its database.', registers: options.registry ? [options.registry] : [] });
  let leadership: Leadership | undefined;
  let inFlight: Promise<boolean> = Promise.resolve(false);
  let stopped = false;

  async function lead(): Promise<Leadership | undefined> {
    if (leadership) return leadership;
    const session = db.createQueryRunner();
    const connection: SqlRunner = { query: async (sql, parameters) => (await session.query(sql, parameters as unknown[])) as never };
    const release = () => session.release();
    try {
      const [row] = await connection.query<{ locked: boolean }[]>('SELECT pg_try_advisory_lock($1) AS locked', [CHAIN_VERIFIER_LOCK_KEY]);
      if (!row?.locked) {
        await release();
        return undefined;
      }
    } catch (error) {
      await release().catch(() => undefined);
      throw error;
    }
    options.logger.info({}, 'verifying the producer chains of this database');
    leaderGauge.set(1);
    leadership = { connection, release, verifier: new ChainVerifier({ keys: options.keys }), horizon: '0', times: new Map(), waiting: new Map(), suspects: new Map() };
    return leadership;
  }

  async function abdicate(): Promise<void> {
    const held = leadership;
    leadership = undefined;
    leaderGauge.set(0);
    if (!held) return;
    // release() hands the connection back to the pool, and the session with its lock lives on
    // there: without the unlock, no other projector could lead until the pool closed it (and this
    // one only when the pool happened to give it that connection again).
    await held.connection.query('SELECT pg_advisory_unlock_all()', []).catch((error: unknown) => {
      options.logger.warn({ error: describeError(error) }, 'chain verifier lock not released; it goes when its connection closes');
    });
    await held.release().catch(() => undefined);
  }

  async function runPass(): Promise<boolean> {
    let state: Leadership | undefined;
    try {
      state = await lead();
      if (!state) return false;
      // Asked before the links are read: whatever Kafka held then is among them if caught up.
      const checkedAt = now();
      const caughtUp = options.caughtUp ? await options.caughtUp().catch(() => false) : true;
      const touched = await readNewLinks(state);
      settleOverdue(state, touched, caughtUp ? checkedAt : undefined);
      const findings = state.verifier.takeFindings();
      const at = new Date(now());
      // A new leader finds again what its predecessor stored: only the new ones are counted and logged.
      const stored = await insertIntegrityFindings(state.connection, findings.map(findingRow), at);
      for (const finding of findings) if (finding.chainId !== undefined) touched.add(finding.chainId);
      for (const finding of stored) findingsCounter.inc({ kind: finding.kind });
      if (stored.length > 0) options.logger.warn({ findings: stored }, 'integrity findings');
      const waiting = new Map(state.verifier.waiting().map((w) => [w.chainId, w.missingFrom]));
      const { times } = state;
      const chains = state.verifier.status().filter((chain) => touched.has(chain.chainId));
      await upsertIntegrityChains(state.connection, chains.map((chain) => chainRow(chain, times.get(chain.chainId), waiting.get(chain.chainId))), at);
      return true;
    } catch (error) {
      // The connection (and so the lock) may be gone: start over; the next leader reads every link again.
      options.logger.warn({ error: describeError(error) }, 'chain verification pass failed; starting over');
      if (state) await abdicate();
      return false;
    }
  }

  /** Feeds the links committed since the last pass; returns the chains they belong to. */
  async function readNewLinks(state: Leadership): Promise<Set<string>> {
    const touched = new Set<string>();
    const to = await committedHorizon(state.connection);
    let after = '0';
    for (;;) {
      const links = await readIntegrityLinks(state.connection, { fromTxid: state.horizon, toTxid: to, afterLinkId: after }, pageSize);
      for (const link of links) {
        feed(state, link);
        if (link.chainId !== null) touched.add(link.chainId);
      }
      linksCounter.inc(links.length);
      if (links.length < pageSize) break;
      after = links[links.length - 1].linkId;
    }
    state.horizon = to;
    return touched;
  }

  function feed(state: Leadership, link: StoredIntegrityLink): void {
    const location: RecordLocation = { topic: link.topic, partition: link.partition, offset: link.offset };
    if (link.problem !== null || link.chainId === null || link.sequence === null || link.previous === null) {
      state.verifier.addUnreadable(link.problem ?? 'the link has no chain position', location);
      return;
    }
    noteTime(state, link.chainId, link.eventTime);
    if (link.eventType === INTEGRITY_CHECKPOINT_EVENT_TYPE) {
      if (link.record === null) state.verifier.addUnreadable('a checkpoint link without its record', location);
      else state.verifier.add(link.record, location);
      return;
    }
    state.verifier.addLink({ position: { chainid: link.chainId, chainseq: link.sequence, chainprev: link.previous }, type: link.eventType ?? '', time: link.eventTime ?? undefined, hash: link.hash }, location);
  }

  function noteTime(state: Leadership, chainId: string, time: string | null): void {
    if (time === null || !Number.isFinite(Date.parse(time))) return;
    const times = state.times.get(chainId) ?? { first: undefined, last: undefined };
    if (times.first === undefined || isEarlier(time, times.first)) times.first = time;
    if (times.last === undefined || isEarlier(times.last, time)) times.last = time;
    state.times.set(chainId, times);
  }

  /**
   * Names the gaps and checkpoint replays nothing resolved within the grace, once the projectors
   * were caught up (`caughtUpAt`, this pass) after the wait began.
   */
  function settleOverdue(state: Leadership, touched: Set<string>, caughtUpAt: number | undefined): void {
    const overdue = (since: number) => now() - since >= options.gapGraceMs && caughtUpAt !== undefined && caughtUpAt >= since;
    const stillWaiting = new Set<string>();
    for (const { chainId, missingFrom } of state.verifier.waiting()) {
      stillWaiting.add(chainId);
      const known = state.waiting.get(chainId);
      if (known === undefined || known.missingFrom !== missingFrom) {
        state.waiting.set(chainId, { missingFrom, since: now() });
        touched.add(chainId);
      } else if (overdue(known.since)) {
        state.verifier.settle(chainId);
        state.waiting.delete(chainId);
        touched.add(chainId);
      }
    }
    for (const chainId of state.waiting.keys()) {
      if (!stillWaiting.has(chainId)) {
        state.waiting.delete(chainId);
        touched.add(chainId);
      }
    }
    // A copy of an old checkpoint at the end of a partition: a resend goes on within the grace, a replay does not.
    const suspected = new Set<string>();
    for (const { partition, chainId, sequence } of state.verifier.suspectedReplays()) {
      suspected.add(partition);
      const known = state.suspects.get(partition);
      if (known === undefined || known.sequence !== sequence) state.suspects.set(partition, { sequence, since: now() });
      else if (overdue(known.since)) {
        state.verifier.settleReplay(partition);
        state.suspects.delete(partition);
        touched.add(chainId);
      }
    }
    for (const partition of state.suspects.keys()) if (!suspected.has(partition)) state.suspects.delete(partition);
  }

  const pass = (): Promise<boolean> => {
    inFlight = inFlight.then(() => (stopped ? false : runPass()));
    return inFlight;
  };
  const timer = setInterval(() => void pass(), options.intervalMs ?? 1_000);
  timer.unref();

  return {
    pass,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
      await abdicate();
    },
  };
}

/** Name and message only: the logs get no stack or driver internals. */
function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown';
}

function chainRow(report: ChainReport, times: ChainTimes | undefined, waitingFrom: number | undefined): IntegrityChainRow {
  return { report, firstTime: times?.first ?? null, lastTime: times?.last ?? null, waitingFrom: waitingFrom ?? null };
}

function findingRow(finding: Finding): Parameters<typeof insertIntegrityFindings>[1][number] {
  return {
    kind: finding.kind,
    chainId: finding.chainId ?? null,
    sequence: finding.sequence ?? null,
    toSequence: finding.toSequence ?? null,
    evidence: finding.evidence,
    topic: finding.location?.topic ?? null,
    partition: finding.location?.partition ?? null,
    offset: finding.location?.offset ?? null,
  };
}
