// What the read models must hold, computed from the events a spec sent (not by the projection
// code), and the same figures read back from PostgreSQL.
import type { AuthtrailEvent } from '@authtrail/events';
import { isIP } from 'node:net';
import { queryRows } from '../../../testdata/projector.harness';
import { isDecision } from '../../../testdata/event-generator';

export interface ReadModelCounts {
  /** Rows in `decision`, and distinct ids among them. */
  readonly decisions: { readonly rows: number; readonly distinct: number };
  /** username → "successes/failures". */
  readonly identities: Readonly<Record<string, string>>;
  /** fingerprint → "uses/failures/distinct source IPs". */
  readonly credentials: Readonly<Record<string, string>>;
  /** Σ failure_bucket.count. */
  readonly failures: number;
  /** Σ producer_sequence.received. */
  readonly received: number;
}

/** The counts a clean projection of `events` has: each event counted once, however often it was sent. */
export function countsOfSent(events: readonly AuthtrailEvent[]): ReadModelCounts {
  const seen = new Set<string>();
  const identities = new Map<string, { s: number; f: number }>();
  const credentials = new Map<string, { u: number; f: number; ips: Set<string> }>();
  let failures = 0;
  for (const event of events) {
    if (!isDecision(event) || seen.has(event.id)) continue;
    seen.add(event.id);
    const d = event.data;
    const allowed = d.decision === 'allow';
    if (!allowed) failures += 1;
    if (d.user) {
      const c = identities.get(d.user.username) ?? { s: 0, f: 0 };
      if (allowed) c.s += 1;
      else c.f += 1;
      identities.set(d.user.username, c);
    }
    const fingerprint = d.credential?.fingerprint;
    if (fingerprint) {
      const c = credentials.get(fingerprint) ?? { u: 0, f: 0, ips: new Set<string>() };
      if (allowed) c.u += 1;
      else c.f += 1;
      if (d.request.sourceIp && isIP(d.request.sourceIp) !== 0) c.ips.add(d.request.sourceIp);
      credentials.set(fingerprint, c);
    }
  }
  return {
    decisions: { rows: seen.size, distinct: seen.size },
    identities: Object.fromEntries([...identities].map(([k, c]) => [k, `${c.s}/${c.f}`])),
    credentials: Object.fromEntries([...credentials].map(([k, c]) => [k, `${c.u}/${c.f}/${c.ips.size}`])),
    failures,
    received: seen.size,
  };
}

/** The same figures as the read models in `url` hold them. */
export async function countsInDatabase(url: string): Promise<ReadModelCounts> {
  const [decisions] = await queryRows<{ rows: number; distinct: number }>(url, `SELECT count(*)::int AS rows, count(DISTINCT id)::int AS distinct FROM decision`);
  const identities = await queryRows<{ username: string; v: string }>(url, `SELECT username, success_count || '/' || failure_count AS v FROM identity`);
  const credentials = await queryRows<{ fingerprint: string; v: string }>(url, `SELECT fingerprint, use_count || '/' || failure_count || '/' || distinct_source_ips AS v FROM credential`);
  const [failures] = await queryRows<{ n: number }>(url, `SELECT coalesce(sum(count), 0)::int AS n FROM failure_bucket`);
  const [received] = await queryRows<{ n: number }>(url, `SELECT coalesce(sum(received), 0)::int AS n FROM producer_sequence`);
  return {
    decisions: { rows: decisions.rows, distinct: decisions.distinct },
    identities: Object.fromEntries(identities.map((r) => [r.username, r.v])),
    credentials: Object.fromEntries(credentials.map((r) => [r.fingerprint, r.v])),
    failures: failures.n,
    received: received.n,
  };
}

/** Deadlocks PostgreSQL detected (and broke by aborting a transaction) in the database of `url`. */
export async function deadlocksIn(url: string): Promise<number> {
  const name = new URL(url).pathname.slice(1);
  const [row] = await queryRows<{ n: number }>(url, `SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = $1`, [name]);
  return row?.n ?? 0;
}
