import { withCopy, type SqlRunner } from './data-source';
import { copyText } from './copy-text';
import type {
  ControlEventRow,
  CredentialChange,
  DecisionRow,
  FailureBucketChange,
  IdentityChange,
  PolicyVersionRow,
  ProducerSequenceChange,
  ReadModelChanges,
  RevocationLifted,
  RevocationRevoked,
} from './projection.rows';

// Bulk writes: every statement takes the whole batch as ONE json parameter and expands it with
// json_to_recordset, so a batch of any size is one round trip per table and never hits the
// 65,535-parameter limit. Rows are sorted by key so concurrent projectors lock in one order.

const json = (rows: readonly unknown[]): string => JSON.stringify(rows);
const byKey = <T>(rows: readonly T[], key: (row: T) => string): T[] =>
  [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

const DECISION_COLUMNS: readonly (keyof DecisionRow)[] = [
  'id', 'time', 'decision', 'httpStatus', 'reason', 'strategy', 'username', 'claimed', 'groups', 'sourceIp',
  'userAgent', 'endpoint', 'credentialFingerprint', 'credentialType', 'policyVersion', 'instance', 'sequence', 'payload',
];
const DECISION_SQL_COLUMNS =
  'id, time, decision, http_status, reason, strategy, username, claimed, groups, source_ip, user_agent, endpoint, ' +
  'credential_fingerprint, credential_type, policy_version, instance, sequence, payload';

const UNIQUE_VIOLATION = '23505';

/**
 * Appends decision events; returns the ids that were new (duplicates are left untouched).
 *
 * The usual batch holds no stored event, so the rows are COPYed straight into `decision` (each
 * row written once: no staging table, no ON CONFLICT) inside a savepoint. A duplicate makes the
 * COPY fail as a whole on the primary key `(time, id)`; then the savepoint is rolled back and the
 * same rows take the careful path: COPY into a session-local staging table and
 * `INSERT … SELECT … ON CONFLICT (time, id) DO NOTHING RETURNING id`. No probe query: the primary
 * key is the only judge of "already stored", so there is no plan to go wrong and no window
 * between looking and writing. If another transaction inserts one of these events meanwhile,
 * the COPY waits for it; if it commits, the COPY fails and ON CONFLICT skips the row.
 */
export async function insertDecisions(db: SqlRunner, rows: readonly DecisionRow[]): Promise<ReadonlySet<string>> {
  if (rows.length === 0) return new Set();
  return withCopy(db, async (tx, copy) => {
    const text = copyText(rows, DECISION_COLUMNS);
    await tx.query('SAVEPOINT decision_append');
    try {
      await copy(`COPY decision (${DECISION_SQL_COLUMNS}) FROM STDIN`, text);
      await tx.query('RELEASE SAVEPOINT decision_append');
      return new Set(rows.map((r) => r.id));
    } catch (error) {
      if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
    }
    await tx.query('ROLLBACK TO SAVEPOINT decision_append');
    await tx.query(`CREATE TEMP TABLE IF NOT EXISTS decision_stage (LIKE decision INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`);
    await copy(`COPY decision_stage (${DECISION_SQL_COLUMNS}) FROM STDIN`, text);
    const inserted = await tx.query<{ id: string }[]>(
      `INSERT INTO decision (${DECISION_SQL_COLUMNS})
       SELECT ${DECISION_SQL_COLUMNS} FROM decision_stage
       ON CONFLICT (time, id) DO NOTHING
       RETURNING id`,
    );
    // Emptied now, not at commit: the next slice of the same transaction may need it too.
    await tx.query('DELETE FROM decision_stage');
    await tx.query('RELEASE SAVEPOINT decision_append');
    return new Set(inserted.map((r) => r.id));
  });
}

/** Appends control events; returns the ids that were new. */
export async function insertControlEvents(db: SqlRunner, rows: readonly ControlEventRow[]): Promise<ReadonlySet<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await db.query<{ id: string }[]>(
    `INSERT INTO control_event (id, time, type, payload)
     SELECT x.id, x.time, x.type, x.payload
       FROM json_to_recordset($1::json) AS x(id uuid, time timestamptz, type text, payload jsonb)
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [json(rows)],
  );
  return new Set(inserted.map((r) => r.id));
}

async function upsertIdentities(db: SqlRunner, rows: readonly IdentityChange[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO identity AS t (username, uid, kind, groups, strategies, first_seen, last_seen, last_event_id,
                                success_count, failure_count, last_source_ip)
     SELECT x.username, x.uid, x.kind, coalesce(x.groups, '{}'), coalesce(x.strategies, '{}'), x."firstSeen", x."lastSeen",
            x."lastEventId", x."successCount", x."failureCount", x."lastSourceIp"
       FROM json_to_recordset($1::json) AS x(username text, uid text, kind text, groups text[], strategies text[],
            "firstSeen" timestamptz, "lastSeen" timestamptz, "lastEventId" uuid, "successCount" bigint,
            "failureCount" bigint, "lastSourceIp" inet)
     ON CONFLICT (username) DO UPDATE SET
       uid = CASE WHEN (excluded.last_seen, excluded.last_event_id) > (t.last_seen, t.last_event_id) THEN excluded.uid ELSE t.uid END,
       kind = CASE WHEN (excluded.last_seen, excluded.last_event_id) > (t.last_seen, t.last_event_id) THEN excluded.kind ELSE t.kind END,
       groups = CASE WHEN (excluded.last_seen, excluded.last_event_id) > (t.last_seen, t.last_event_id) THEN excluded.groups ELSE t.groups END,
       last_source_ip = CASE WHEN (excluded.last_seen, excluded.last_event_id) > (t.last_seen, t.last_event_id) THEN excluded.last_source_ip ELSE t.last_source_ip END,
       last_event_id = CASE WHEN (excluded.last_seen, excluded.last_event_id) > (t.last_seen, t.last_event_id) THEN excluded.last_event_id ELSE t.last_event_id END,
       strategies = ARRAY(SELECT DISTINCT s FROM unnest(t.strategies || excluded.strategies) AS s ORDER BY s),
       first_seen = least(t.first_seen, excluded.first_seen),
       last_seen = greatest(t.last_seen, excluded.last_seen),
       success_count = t.success_count + excluded.success_count,
       failure_count = t.failure_count + excluded.failure_count`,
    [json(byKey(rows, (r) => r.username))],
  );
}

async function upsertCredentials(db: SqlRunner, rows: readonly CredentialChange[]): Promise<void> {
  if (rows.length === 0) return;
  const sorted = byKey(rows, (r) => r.fingerprint);
  // The exact distinct-IP count: only pairs that are new to the set add to it.
  const pairs = sorted.flatMap((r) => r.sourceIps.map((sourceIp) => ({ fingerprint: r.fingerprint, sourceIp })));
  const newPairs =
    pairs.length === 0
      ? []
      : await db.query<{ fingerprint: string }[]>(
          `INSERT INTO credential_source_ip (fingerprint, source_ip)
           SELECT x.fingerprint, x."sourceIp" FROM json_to_recordset($1::json) AS x(fingerprint text, "sourceIp" inet)
           ON CONFLICT DO NOTHING
           RETURNING fingerprint`,
          [json(pairs)],
        );
  const added = new Map<string, number>();
  for (const { fingerprint } of newPairs) added.set(fingerprint, (added.get(fingerprint) ?? 0) + 1);
  const withCounts = sorted.map(({ sourceIps: _ips, ...r }) => ({ ...r, distinctSourceIps: added.get(r.fingerprint) ?? 0 }));
  await db.query(
    `INSERT INTO credential AS t (fingerprint, type, strategy, username, public_id, issuer, expires_at, first_used,
                                  last_used, last_event_id, use_count, failure_count, distinct_source_ips, revoked)
     SELECT x.fingerprint, x.type, x.strategy, x.username, x."publicId", x.issuer, x."expiresAt", x."firstUsed",
            x."lastUsed", x."lastEventId", x."useCount", x."failureCount", x."distinctSourceIps",
            EXISTS (SELECT 1 FROM revocation r
                     WHERE r.fingerprint = x.fingerprint AND r.revoked_at IS NOT NULL AND r.lifted_at IS NULL)
       FROM json_to_recordset($1::json) AS x(fingerprint text, type text, strategy text, username text, "publicId" text,
            issuer text, "expiresAt" timestamptz, "firstUsed" timestamptz, "lastUsed" timestamptz, "lastEventId" uuid,
            "useCount" bigint, "failureCount" bigint, "distinctSourceIps" integer)
     ON CONFLICT (fingerprint) DO UPDATE SET
       type = CASE WHEN (excluded.last_used, excluded.last_event_id) > (t.last_used, t.last_event_id) THEN excluded.type ELSE t.type END,
       strategy = CASE WHEN (excluded.last_used, excluded.last_event_id) > (t.last_used, t.last_event_id) THEN excluded.strategy ELSE t.strategy END,
       username = CASE WHEN (excluded.last_used, excluded.last_event_id) > (t.last_used, t.last_event_id) THEN excluded.username ELSE t.username END,
       public_id = CASE WHEN (excluded.last_used, excluded.last_event_id) > (t.last_used, t.last_event_id) THEN excluded.public_id ELSE t.public_id END,
       issuer = CASE WHEN (excluded.last_used, excluded.last_event_id) > (t.last_used, t.last_event_id) THEN excluded.issuer ELSE t.issuer END,
       expires_at = CASE WHEN (excluded.last_used, excluded.last_event_id) > (t.last_used, t.last_event_id) THEN excluded.expires_at ELSE t.expires_at END,
       last_event_id = CASE WHEN (excluded.last_used, excluded.last_event_id) > (t.last_used, t.last_event_id) THEN excluded.last_event_id ELSE t.last_event_id END,
       first_used = least(t.first_used, excluded.first_used),
       last_used = greatest(t.last_used, excluded.last_used),
       use_count = t.use_count + excluded.use_count,
       failure_count = t.failure_count + excluded.failure_count,
       distinct_source_ips = t.distinct_source_ips + excluded.distinct_source_ips`,
    [json(withCounts)],
  );
}

/** The bucket's identity; `minute` must be the canonical ISO string of the minute's start. */
function failureBucketKey(r: FailureBucketChange): string {
  return JSON.stringify([r.minute, r.sourceIp, r.reason, r.strategy, r.username, r.credentialFingerprint]);
}

async function upsertFailureBuckets(db: SqlRunner, rows: readonly FailureBucketChange[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO failure_bucket AS t (bucket_key, minute, source_ip, reason, strategy, username, credential_fingerprint, count,
                                      first_seen, last_seen)
     SELECT x."bucketKey", x.minute, x."sourceIp", x.reason, x.strategy, x.username, x."credentialFingerprint", x.count, x."firstSeen", x."lastSeen"
       FROM json_to_recordset($1::json) AS x("bucketKey" text, minute timestamptz, "sourceIp" inet, reason text, strategy text,
            username text, "credentialFingerprint" text, count bigint, "firstSeen" timestamptz, "lastSeen" timestamptz)
     ON CONFLICT (bucket_key) DO UPDATE SET
       count = t.count + excluded.count,
       first_seen = least(t.first_seen, excluded.first_seen),
       last_seen = greatest(t.last_seen, excluded.last_seen)`,
    [json(byKey(rows.map((r) => ({ ...r, bucketKey: failureBucketKey(r) })), (r) => r.bucketKey))],
  );
}

async function insertPolicyVersions(db: SqlRunner, rows: readonly PolicyVersionRow[]): Promise<void> {
  if (rows.length === 0) return;
  // A version number is applied once; a second event claiming it keeps the earlier one.
  await db.query(
    `INSERT INTO policy_version AS t (version, document, applied_by, comment, applied_at, event_id)
     SELECT x.version, x.document, x."appliedBy", x.comment, x."appliedAt", x."eventId"
       FROM json_to_recordset($1::json) AS x(version integer, document text, "appliedBy" text, comment text,
            "appliedAt" timestamptz, "eventId" uuid)
     ON CONFLICT (version) DO UPDATE SET
       document = excluded.document, applied_by = excluded.applied_by, comment = excluded.comment,
       applied_at = excluded.applied_at, event_id = excluded.event_id
     WHERE (excluded.applied_at, excluded.event_id) < (t.applied_at, t.event_id)`,
    [json(byKey(rows, (r) => String(r.version).padStart(12, '0')))],
  );
}

async function upsertRevocations(
  db: SqlRunner,
  revoked: readonly RevocationRevoked[],
  lifted: readonly RevocationLifted[],
): Promise<void> {
  if (revoked.length > 0) {
    await db.query(
      `INSERT INTO revocation AS t (revocation_id, fingerprint, jti, cert_serial, cert_issuer, reason, revoked_by,
                                    revoked_at, expires_at)
       SELECT x."revocationId", x.fingerprint, x.jti, x."certSerial", x."certIssuer", x.reason, x."revokedBy",
              x."revokedAt", x."expiresAt"
         FROM json_to_recordset($1::json) AS x("revocationId" text, fingerprint text, jti text, "certSerial" text,
              "certIssuer" text, reason text, "revokedBy" text, "revokedAt" timestamptz, "expiresAt" timestamptz)
       ON CONFLICT (revocation_id) DO UPDATE SET
         fingerprint = excluded.fingerprint, jti = excluded.jti, cert_serial = excluded.cert_serial,
         cert_issuer = excluded.cert_issuer, reason = excluded.reason, revoked_by = excluded.revoked_by,
         revoked_at = excluded.revoked_at, expires_at = excluded.expires_at`,
      [json(byKey(revoked, (r) => r.revocationId))],
    );
  }
  if (lifted.length > 0) {
    // A lift may arrive before its revocation (another partition): it creates the row, the
    // revocation fills in the rest.
    await db.query(
      `INSERT INTO revocation AS t (revocation_id, lifted_at, lifted_by, lift_reason)
       SELECT x."revocationId", x."liftedAt", x."liftedBy", x."liftReason"
         FROM json_to_recordset($1::json) AS x("revocationId" text, "liftedAt" timestamptz, "liftedBy" text, "liftReason" text)
       ON CONFLICT (revocation_id) DO UPDATE SET
         lifted_at = excluded.lifted_at, lifted_by = excluded.lifted_by, lift_reason = excluded.lift_reason`,
      [json(byKey(lifted, (r) => r.revocationId))],
    );
  }
  const ids = [...new Set([...revoked, ...lifted].map((r) => r.revocationId))];
  if (ids.length === 0) return;
  await db.query(
    `UPDATE credential c
        SET revoked = EXISTS (SELECT 1 FROM revocation r
                               WHERE r.fingerprint = c.fingerprint AND r.revoked_at IS NOT NULL AND r.lifted_at IS NULL)
      WHERE c.fingerprint IN (SELECT fingerprint FROM revocation WHERE revocation_id = ANY($1::text[]))`,
    [ids],
  );
}

async function upsertProducerSequences(db: SqlRunner, rows: readonly ProducerSequenceChange[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO producer_sequence AS t (instance, min_sequence, max_sequence, received, first_seen, last_seen)
     SELECT x.instance, x."minSequence", x."maxSequence", x.received, x."firstSeen", x."lastSeen"
       FROM json_to_recordset($1::json) AS x(instance text, "minSequence" bigint, "maxSequence" bigint, received bigint,
            "firstSeen" timestamptz, "lastSeen" timestamptz)
     ON CONFLICT (instance) DO UPDATE SET
       min_sequence = least(t.min_sequence, excluded.min_sequence),
       max_sequence = greatest(t.max_sequence, excluded.max_sequence),
       received = t.received + excluded.received,
       first_seen = least(t.first_seen, excluded.first_seen),
       last_seen = greatest(t.last_seen, excluded.last_seen)`,
    [json(byKey(rows, (r) => r.instance))],
  );
}

/**
 * Key of the transaction-scoped advisory lock between projection (shared: projectors do not
 * block each other) and rebuilds (exclusive). Without it a replay's TRUNCATE and a projector's
 * upserts lock the same tables in different orders and may deadlock.
 */
export const READ_MODEL_LOCK_KEY = 0x6175746872; // "authr"

/** Merges one batch of changes into every derived table (call inside the batch's transaction). */
export async function applyReadModelChanges(db: SqlRunner, changes: ReadModelChanges): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock_shared($1)', [READ_MODEL_LOCK_KEY]);
  // Revocations before credentials: a credential first seen in this batch sees its revocation.
  await insertPolicyVersions(db, changes.policyVersions);
  await upsertRevocations(db, changes.revocationsRevoked, changes.revocationsLifted);
  await upsertIdentities(db, changes.identities);
  await upsertCredentials(db, changes.credentials);
  await upsertFailureBuckets(db, changes.failureBuckets);
  await upsertProducerSequences(db, changes.producerSequences);
}
