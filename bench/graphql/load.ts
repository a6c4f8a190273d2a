// Loads N decisions into a read model by COPY, with the production code at every step but the
// Kafka hop: events from libs/events' `decisionEvent` (normalisation included) encoded by
// `encodeEvent` (the record bytes), rows from the projector's `toEncodedDecisionRow` and
// `decisionCopy`, appended by `insertDecisionCopy` (the projector's COPY), and the identity /
// credential / failure-bucket rows from the projector's `startEvolution` merged by
// `applyReadModelChanges`. Only deduplication and checkpoints are skipped: every event is new.
// Generation of the next chunk overlaps the COPY of the current one (two cores: Node and Postgres).
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { createFingerprinter, type DecisionData, type DecisionEvent, decisionEvent, encodeEvent, eventSource, newEventId } from '@authtrail/events';
import { applyReadModelChanges, decisionCopy, insertDecisionCopy, type EncodedDecisionRow, type ReadModelDb } from '@authtrail/read-model';
import { toEncodedDecisionRow } from '../../services/projector/src/event.rows';
import { startEvolution, type ReadModelEvolution } from '../../services/projector/src/read-model.projection';

export interface LoadOptions {
  readonly decisions: number;
  /** The newest decision's time; the others are spread evenly over `spanMs` before it. */
  readonly now: Date;
  readonly spanMs: number;
  /** Decisions per COPY (one transaction each). */
  readonly chunk?: number;
  /** Decisions folded in memory before their aggregates are merged into the tables. */
  readonly mergeEvery?: number;
  readonly progress?: (loaded: number) => void;
}

/** The traffic's fixed population (the same shape the 1M bench always used). */
export const TRAFFIC = { users: 2_000, credentialsPerUser: 3, attackers: 20, sprayTokens: 100, attackerNetwork: '203.0.113' } as const;

/**
 * Decision `i` (0 = oldest): 80 % allows (2,000 users, three credentials and three internal IPs
 * each), 20 % denies, of which two thirds come from 20 attacker addresses in 203.0.113.0/24
 * spraying 100 unknown tokens and the rest are bad passwords / expired tokens of real users.
 * Fingerprints are real HMACs under a random key (computed once per credential).
 */
export function decisionTraffic(options: Pick<LoadOptions, 'decisions' | 'now' | 'spanMs'>): (i: number) => DecisionEvent {
  const fingerprinter = createFingerprinter({ keys: [{ id: 'bench', secret: randomBytes(32) }] });
  const credentials = Array.from({ length: TRAFFIC.users * TRAFFIC.credentialsPerUser }, (_, c) => fingerprinter.fingerprint(`cred-${c}`));
  const spray = Array.from({ length: TRAFFIC.sprayTokens }, (_, c) => fingerprinter.fingerprint(`spray-${c}`));
  const usernameHashes = Array.from({ length: TRAFFIC.users }, (_, u) => fingerprinter.usernameHash(`user-${u}`));
  const oldest = options.now.getTime() - options.spanMs;
  const boot = newEventId(new Date(oldest));
  const source = eventSource('authn', 'bench-authn');
  return (i) => {
    const time = new Date(oldest + Math.floor(((i + 1) * options.spanMs) / options.decisions));
    const u = (i * 7919) % TRAFFIC.users;
    // Denials are every fifth decision: pick their attacker and token from that count.
    const denial = Math.floor(i / 5);
    const attacker = i % 5 === 0 && i % 3 !== 0;
    const allow = i % 5 !== 0;
    const strategy = attacker ? 'static-token' : (['basic-auth', 'static-token', 'oidc'] as const)[u % 3]!;
    const reason = allow ? 'ok' : attacker ? 'unknown_token' : i % 2 === 0 ? 'invalid_password' : 'token_expired';
    const username = `user-${u}`;
    const data: DecisionData = {
      decision: allow ? 'allow' : 'deny',
      httpStatus: allow ? 200 : 401,
      reason,
      ...(allow ? {} : { message: 'refused' }),
      strategy,
      attempts: [{ strategy, outcome: allow ? 'authenticated' : 'rejected', reason }],
      ...(allow ? { user: { username, uid: `uid-${u}`, groups: [`team-${u % 20}`], extra: {} } } : {}),
      ...(!allow && !attacker ? { claimedUsername: username, claimedUsernameHash: usernameHashes[u]! } : {}),
      credential: { type: strategy, fingerprint: attacker ? spray[denial % TRAFFIC.sprayTokens]! : credentials[u * 3 + (i % 3)]! },
      request: {
        endpoint: 'forward-auth',
        sourceIp: attacker ? `${TRAFFIC.attackerNetwork}.${denial % TRAFFIC.attackers}` : `10.${i % 3}.${Math.floor(u / 250)}.${(u % 250) + 1}`,
        userAgent: 'bench/1.0',
        method: 'GET',
        path: '/',
        tls: true,
      },
      latencyMicros: 100,
      instance: 'bench-authn',
      boot,
      sequence: i + 1,
    };
    return decisionEvent({ id: newEventId(time), time, source, data });
  };
}

async function merge(db: ReadModelDb, evolution: ReadModelEvolution): Promise<void> {
  const changes = evolution.changes();
  await db.transaction((tx) => applyReadModelChanges(tx, changes));
}

/** Loads `decisions` decisions oldest first; resolves when every row and aggregate is committed. */
export async function loadDecisions(db: ReadModelDb, options: LoadOptions): Promise<void> {
  const chunk = options.chunk ?? 20_000;
  const mergeEvery = options.mergeEvery ?? 500_000;
  const next = decisionTraffic(options);
  let copying: Promise<unknown> = Promise.resolve();
  let merging: Promise<void> = Promise.resolve();
  let evolution = startEvolution();
  let folded = 0;
  for (let start = 0; start < options.decisions; start += chunk) {
    const end = Math.min(options.decisions, start + chunk);
    const events: DecisionEvent[] = [];
    const rows: EncodedDecisionRow[] = [];
    for (let i = start; i < end; i += 1) {
      // Let the COPY in flight drain its socket while this chunk is built.
      if (i % 1_000 === 0) await yieldToLoop();
      const event = next(i);
      events.push(event);
      rows.push(toEncodedDecisionRow(event, encodeEvent(event)));
    }
    const copy = decisionCopy(rows);
    await copying;
    copying = insertDecisionCopy(db, copy);
    evolution.add(events);
    folded += events.length;
    if (folded >= mergeEvery || end === options.decisions) {
      await merging;
      merging = merge(db, evolution);
      evolution = startEvolution();
      folded = 0;
    }
    options.progress?.(end);
  }
  await copying;
  await merging;
}
