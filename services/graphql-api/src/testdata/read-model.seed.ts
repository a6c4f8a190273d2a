// Test and benchmark data for the read models, written with SQL: decisions from a compact
// description, then identity / credential / failure_bucket derived from them with the same
// aggregation rules the projector applies (so exact counts can be asserted across tables).
// Fingerprints are made-up `hmac-sha256:test:<hex>` strings: no secret is involved.
import type { QueryRunnerLike } from '@authtrail/read-model';
import { createHash, randomUUID } from 'node:crypto';

export interface SeedDecision {
  readonly time: Date;
  readonly decision: 'allow' | 'deny';
  readonly reason: string;
  readonly strategy: string | null;
  readonly username: string | null;
  /** The username was only claimed by a rejected credential. */
  readonly claimed?: boolean;
  readonly groups?: readonly string[];
  readonly sourceIp: string | null;
  readonly credentialType: string | null;
  readonly credentialFingerprint: string | null;
  readonly endpoint?: string;
  readonly userAgent?: string;
  readonly instance?: string;
  readonly sequence?: number;
  readonly id?: string;
}

/** A deterministic fake fingerprint for a label. */
export function fakeFingerprint(label: string): string {
  return `hmac-sha256:test:${createHash('sha256').update(label).digest('hex')}`;
}

export async function insertSeedDecisions(db: QueryRunnerLike, decisions: readonly SeedDecision[]): Promise<readonly string[]> {
  const rows = decisions.map((d, i) => {
    const id = d.id ?? randomUUID();
    const payload = {
      decision: d.decision,
      httpStatus: d.decision === 'allow' ? 200 : 401,
      reason: d.reason,
      message: d.decision === 'allow' ? undefined : `refused: ${d.reason}`,
      ...(d.strategy ? { strategy: d.strategy } : {}),
      attempts: d.strategy ? [{ strategy: d.strategy, outcome: d.decision === 'allow' ? 'authenticated' : 'rejected', ...(d.decision === 'deny' ? { reason: d.reason } : {}) }] : [],
      ...(d.username && !d.claimed ? { user: { username: d.username, uid: `uid-${d.username}`, groups: d.groups ?? [], extra: {} } } : {}),
      ...(d.username && d.claimed ? { claimedUsername: d.username } : {}),
      ...(d.credentialType ? { credential: { type: d.credentialType, ...(d.credentialFingerprint ? { fingerprint: d.credentialFingerprint } : {}) } } : {}),
      request: { endpoint: d.endpoint ?? 'authenticate', ...(d.sourceIp ? { sourceIp: d.sourceIp } : {}), ...(d.userAgent ? { userAgent: d.userAgent } : {}), method: 'GET', path: '/', tls: false },
      instance: d.instance ?? 'seed-1',
      sequence: d.sequence ?? i + 1,
      latencyMicros: 100,
    };
    return {
      id,
      time: d.time.toISOString(),
      decision: d.decision,
      http_status: payload.httpStatus,
      reason: d.reason,
      strategy: d.strategy,
      username: d.username,
      claimed: d.claimed ?? false,
      groups: d.groups ?? [],
      source_ip: d.sourceIp,
      user_agent: d.userAgent ?? null,
      endpoint: d.endpoint ?? 'authenticate',
      credential_fingerprint: d.credentialFingerprint,
      credential_type: d.credentialType,
      instance: payload.instance,
      sequence: payload.sequence,
      payload,
    };
  });
  for (let start = 0; start < rows.length; start += 1000) {
    await db.query(
      `INSERT INTO decision (id, time, decision, http_status, reason, strategy, username, claimed, groups, source_ip, user_agent, endpoint,
                             credential_fingerprint, credential_type, instance, sequence, payload)
       SELECT id, time, decision, http_status, reason, strategy, username, claimed, groups, source_ip::inet, user_agent, endpoint,
              credential_fingerprint, credential_type, instance, sequence, payload
       FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, time timestamptz, decision text, http_status smallint, reason text, strategy text,
            username text, claimed boolean, groups text[], source_ip text, user_agent text, endpoint text, credential_fingerprint text,
            credential_type text, instance text, sequence bigint, payload jsonb)`,
      [JSON.stringify(rows.slice(start, start + 1000))],
    );
  }
  return rows.map((r) => r.id);
}

/** Rebuilds identity, credential, credential_source_ip and failure_bucket from `decision`. */
export async function deriveReadModels(db: QueryRunnerLike): Promise<void> {
  await db.query(`TRUNCATE identity, credential, credential_source_ip, failure_bucket`);
  await db.query(`
    INSERT INTO identity (username, uid, kind, groups, strategies, first_seen, last_seen, last_event_id, success_count, failure_count, last_source_ip)
    SELECT a.username, a.uid,
           CASE WHEN a.username LIKE 'system:serviceaccount:%' THEN 'service_account'
                WHEN a.username LIKE 'system:bootstrap:%' THEN 'bootstrap'
                WHEN a.username = 'system:anonymous' THEN 'anonymous' ELSE 'user' END,
           coalesce(l.groups, '{}'), a.strategies, a.first_seen, a.last_seen, l.id, a.successes, a.failures, l.source_ip
    FROM (SELECT username, array_remove(array_agg(DISTINCT strategy), NULL) AS strategies, min(time) AS first_seen, max(time) AS last_seen,
                 (array_agg(payload->'user'->>'uid' ORDER BY time DESC, id DESC) FILTER (WHERE NOT claimed))[1] AS uid,
                 count(*) FILTER (WHERE decision = 'allow') AS successes, count(*) FILTER (WHERE decision = 'deny') AS failures
          FROM decision WHERE username IS NOT NULL GROUP BY username) a
    JOIN LATERAL (SELECT id, groups, source_ip FROM decision d WHERE d.username = a.username ORDER BY time DESC, id DESC LIMIT 1) l ON true`);
  await db.query(`
    INSERT INTO credential_source_ip (fingerprint, source_ip)
    SELECT DISTINCT credential_fingerprint, source_ip FROM decision WHERE credential_fingerprint IS NOT NULL AND source_ip IS NOT NULL`);
  await db.query(`
    INSERT INTO credential (fingerprint, type, strategy, username, public_id, issuer, expires_at, first_used, last_used, last_event_id,
                            use_count, failure_count, distinct_source_ips, revoked)
    SELECT d.credential_fingerprint, (array_agg(d.credential_type ORDER BY d.time DESC))[1], (array_agg(d.strategy ORDER BY d.time DESC))[1],
           (array_agg(d.username ORDER BY d.time DESC))[1], NULL, NULL, NULL, min(d.time), max(d.time), (array_agg(d.id ORDER BY d.time DESC))[1],
           count(*) FILTER (WHERE d.decision = 'allow'), count(*) FILTER (WHERE d.decision = 'deny'),
           (SELECT count(*) FROM credential_source_ip s WHERE s.fingerprint = d.credential_fingerprint), false
    FROM decision d WHERE d.credential_fingerprint IS NOT NULL GROUP BY d.credential_fingerprint`);
  await db.query(`
    INSERT INTO failure_bucket (bucket_key, minute, source_ip, reason, strategy, username, credential_fingerprint, count, first_seen, last_seen)
    SELECT md5(concat_ws('|', minute, source_ip, reason, strategy, username, credential_fingerprint)), *
    FROM (SELECT date_trunc('minute', time) AS minute, source_ip, reason, strategy, username, credential_fingerprint, count(*), min(time), max(time)
          FROM decision WHERE decision = 'deny'
          GROUP BY 1, 2, 3, 4, 5, 6) AS b`);
}
