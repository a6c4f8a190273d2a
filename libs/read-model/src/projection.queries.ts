import { followsPolicyVersion } from '@authtrail/events';
import { appendByCopy } from './append-by-copy';
import type { SqlRunner } from './data-source';
import { decisionCopy, encodeDecisionRow, DECISION_COPY_COLUMNS, type DecisionCopy } from './decision-copy';
import { CONTROL_EVENT_COLUMNS } from './entities/control-event.entity';
import { CREDENTIAL_COLUMNS, CREDENTIAL_SOURCE_IP_COLUMNS } from './entities/credential.entity';
import type { DecisionRow } from './entities/decision.entity';
import { FAILURE_BUCKET_COLUMNS, FAILURE_BUCKET_DIMENSIONS } from './entities/failure-bucket.entity';
import { IDENTITY_COLUMNS } from './entities/identity.entity';
import { POLICY_VERSION_COLUMNS } from './entities/policy-version.entity';
import { PRODUCER_SEQUENCE_COLUMNS } from './entities/projector.entity';
import { REVOCATION_COLUMNS } from './entities/revocation.entity';
import type {
  ControlEventRow,
  CredentialChange,
  FailureBucketChange,
  IdentityChange,
  PolicyVersionRow,
  ProducerSequenceChange,
  ReadModelChanges,
  RevocationLifted,
  RevocationRevoked,
} from './projection.rows';
import { columnOf, recordsetOf } from './table-sql';

// Bulk writes: every statement takes the whole batch as ONE json parameter and expands it with
// json_to_recordset, so a batch of any size is one round trip per table and never hits the
// 65,535-parameter limit. Rows are sorted by key so concurrent projectors lock in one order.

const json = (rows: readonly unknown[]): string => JSON.stringify(rows);
const byKey = <T>(rows: readonly T[], key: (row: T) => string): T[] =>
  [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

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
  return insertDecisionCopy(db, decisionCopy(rows.map(encodeDecisionRow)));
}

/** `insertDecisions` with the COPY input already built (`decisionCopy`: the projector's payload bytes). */
export async function insertDecisionCopy(db: SqlRunner, input: DecisionCopy): Promise<ReadonlySet<string>> {
  if (input.ids.length === 0) return new Set();
  return appendByCopy(db, {
    savepoint: 'decision_append',
    sql: `COPY decision (${DECISION_COPY_COLUMNS}) FROM STDIN`,
    text: input.text,
    allNew: () => new Set(input.ids),
    async whenDuplicate(tx, copy) {
      await tx.query(`CREATE TEMP TABLE IF NOT EXISTS decision_stage (LIKE decision INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`);
      await copy(`COPY decision_stage (${DECISION_COPY_COLUMNS}) FROM STDIN`, input.text);
      const inserted = await tx.query<{ id: string }[]>(
        `INSERT INTO decision (${DECISION_COPY_COLUMNS})
         SELECT ${DECISION_COPY_COLUMNS} FROM decision_stage
         ON CONFLICT (time, id) DO NOTHING
         RETURNING id`,
      );
      // Emptied now, not at commit: the next slice of the same transaction may need it too.
      await tx.query('DELETE FROM decision_stage');
      return new Set(inserted.map((r) => r.id));
    },
  });
}

const keys = <K extends string>(...fields: K[]): K[] => fields;

const CONTROL_EVENT_SET = recordsetOf(CONTROL_EVENT_COLUMNS, keys('id', 'time', 'type', 'payload'));

/**
 * Appends control events, in the given order (the topic order of their partition: `position` is
 * numbered in it, and replays follow it); returns the ids that were new.
 */
export async function insertControlEvents(db: SqlRunner, rows: readonly ControlEventRow[]): Promise<ReadonlySet<string>> {
  if (rows.length === 0) return new Set();
  // The default of `position` is evaluated as the sorted rows are inserted.
  const definition = CONTROL_EVENT_SET.definition.replace(/\)$/, ', "order" integer)');
  const inserted = await db.query<{ id: string }[]>(
    `INSERT INTO control_event (${CONTROL_EVENT_SET.columns})
     SELECT ${CONTROL_EVENT_SET.values} FROM json_to_recordset($1::json) AS ${definition}
     ORDER BY x."order"
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [json(rows.map((row, order) => ({ ...row, order })))],
  );
  return new Set(inserted.map((r) => r.id));
}

const IDENTITY_SET = recordsetOf(IDENTITY_COLUMNS, Object.keys(IDENTITY_COLUMNS) as (keyof IdentityChange)[]);
/** A "latest" field follows the newer of the stored row and the change, by (last_seen, last_event_id). */
const identityLatest = (column: string): string =>
  `${column} = CASE WHEN (excluded.last_seen, excluded.last_event_id) > (t.last_seen, t.last_event_id) THEN excluded.${column} ELSE t.${column} END`;

async function upsertIdentities(db: SqlRunner, rows: readonly IdentityChange[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO identity AS t (${IDENTITY_SET.columns})
     SELECT ${IDENTITY_SET.values} FROM json_to_recordset($1::json) AS ${IDENTITY_SET.definition}
     ON CONFLICT (username) DO UPDATE SET
       ${['uid', 'kind', 'groups', 'last_source_ip', 'last_event_id'].map(identityLatest).join(',\n       ')},
       strategies = ARRAY(SELECT DISTINCT s FROM unnest(t.strategies || excluded.strategies) AS s ORDER BY s),
       first_seen = least(t.first_seen, excluded.first_seen),
       last_seen = greatest(t.last_seen, excluded.last_seen),
       success_count = t.success_count + excluded.success_count,
       failure_count = t.failure_count + excluded.failure_count`,
    [json(byKey(rows, (r) => r.username))],
  );
}

const CREDENTIAL_SOURCE_IP_SET = recordsetOf(CREDENTIAL_SOURCE_IP_COLUMNS, keys('fingerprint', 'sourceIp'));
type CredentialWrite = Omit<CredentialChange, 'sourceIps'> & { readonly distinctSourceIps: number };
const CREDENTIAL_SET = recordsetOf(
  CREDENTIAL_COLUMNS,
  keys<keyof CredentialWrite>(
    'fingerprint', 'type', 'strategy', 'username', 'publicId', 'issuer', 'expiresAt', 'firstUsed', 'lastUsed', 'lastEventId',
    'useCount', 'failureCount', 'distinctSourceIps',
  ),
);
const credentialLatest = (column: string): string =>
  `${column} = CASE WHEN (excluded.last_used, excluded.last_event_id) > (t.last_used, t.last_event_id) THEN excluded.${column} ELSE t.${column} END`;

async function upsertCredentials(db: SqlRunner, rows: readonly CredentialChange[]): Promise<void> {
  if (rows.length === 0) return;
  const sorted = byKey(rows, (r) => r.fingerprint);
  // The exact distinct-IP count: only pairs that are new to the set add to it. The addresses are
  // sorted too: two projectors inserting the same new pairs in the order each met them would
  // wait on each other's uncommitted pair, a deadlock (scale-out/concurrent-batches.int.spec.ts).
  const pairs = sorted.flatMap((r) => [...r.sourceIps].sort().map((sourceIp) => ({ fingerprint: r.fingerprint, sourceIp })));
  const newPairs =
    pairs.length === 0
      ? []
      : await db.query<{ fingerprint: string }[]>(
          `INSERT INTO credential_source_ip (${CREDENTIAL_SOURCE_IP_SET.columns})
           SELECT ${CREDENTIAL_SOURCE_IP_SET.values} FROM json_to_recordset($1::json) AS ${CREDENTIAL_SOURCE_IP_SET.definition}
           ON CONFLICT DO NOTHING
           RETURNING fingerprint`,
          [json(pairs)],
        );
  const added = new Map<string, number>();
  for (const { fingerprint } of newPairs) added.set(fingerprint, (added.get(fingerprint) ?? 0) + 1);
  const withCounts: CredentialWrite[] = sorted.map(({ sourceIps: _ips, ...r }) => ({ ...r, distinctSourceIps: added.get(r.fingerprint) ?? 0 }));
  await db.query(
    `INSERT INTO credential AS t (${CREDENTIAL_SET.columns}, revoked)
     SELECT ${CREDENTIAL_SET.values},
            EXISTS (SELECT 1 FROM revocation r
                     WHERE r.fingerprint = x.fingerprint AND r.revoked_at IS NOT NULL AND r.lifted_at IS NULL)
       FROM json_to_recordset($1::json) AS ${CREDENTIAL_SET.definition}
     ON CONFLICT (fingerprint) DO UPDATE SET
       ${['type', 'strategy', 'username', 'public_id', 'issuer', 'expires_at', 'last_event_id'].map(credentialLatest).join(',\n       ')},
       first_used = least(t.first_used, excluded.first_used),
       last_used = greatest(t.last_used, excluded.last_used),
       use_count = t.use_count + excluded.use_count,
       failure_count = t.failure_count + excluded.failure_count,
       distinct_source_ips = t.distinct_source_ips + excluded.distinct_source_ips`,
    [json(withCounts)],
  );
}

/**
 * The bucket's identity: JSON array of its dimensions in FAILURE_BUCKET_DIMENSIONS order;
 * `minute` must be the canonical ISO string of the minute's start.
 */
export function failureBucketKey(r: FailureBucketChange): string {
  return JSON.stringify(FAILURE_BUCKET_DIMENSIONS.map((dimension) => r[dimension]));
}

const FAILURE_BUCKET_SET = recordsetOf(FAILURE_BUCKET_COLUMNS, Object.keys(FAILURE_BUCKET_COLUMNS) as (keyof typeof FAILURE_BUCKET_COLUMNS)[]);

async function upsertFailureBuckets(db: SqlRunner, rows: readonly FailureBucketChange[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO failure_bucket AS t (${FAILURE_BUCKET_SET.columns})
     SELECT ${FAILURE_BUCKET_SET.values} FROM json_to_recordset($1::json) AS ${FAILURE_BUCKET_SET.definition}
     ON CONFLICT (bucket_key) DO UPDATE SET
       count = t.count + excluded.count,
       first_seen = least(t.first_seen, excluded.first_seen),
       last_seen = greatest(t.last_seen, excluded.last_seen)`,
    [json(byKey(rows.map((r) => ({ ...r, bucketKey: failureBucketKey(r) })), (r) => r.bucketKey))],
  );
}

const POLICY_VERSION_SET = recordsetOf(POLICY_VERSION_COLUMNS, Object.keys(POLICY_VERSION_COLUMNS) as (keyof PolicyVersionRow)[]);

/**
 * Compare-and-set, in topic order: each claim is kept iff it claims the version after the one
 * stored (or kept just before it), exactly as authn's PolicyState judges it. The claims come from
 * one partition, projected batch after batch, so the stored version is the one in force when
 * the batch's first claim was read.
 */
async function insertPolicyClaims(db: SqlRunner, claims: readonly PolicyVersionRow[]): Promise<void> {
  if (claims.length === 0) return;
  const [row] = await db.query<{ v: number }[]>(`SELECT coalesce(max(version), 0)::int AS v FROM policy_version`);
  let inForce = row?.v ?? 0;
  const kept: PolicyVersionRow[] = [];
  for (const claim of claims) {
    if (!followsPolicyVersion(inForce, claim.version)) continue;
    kept.push(claim);
    inForce = claim.version;
  }
  if (kept.length === 0) return;
  // ON CONFLICT: a version is taken once; a projector that raced this one (it can only have
  // stored the same events, in the same order) already wrote the same rows.
  await db.query(
    `INSERT INTO policy_version (${POLICY_VERSION_SET.columns})
     SELECT ${POLICY_VERSION_SET.values} FROM json_to_recordset($1::json) AS ${POLICY_VERSION_SET.definition}
     ON CONFLICT (version) DO NOTHING`,
    [json(kept)],
  );
}

const REVOKED_FIELDS = keys<keyof RevocationRevoked>('revocationId', 'fingerprint', 'jti', 'certSerial', 'certIssuer', 'reason', 'revokedBy', 'revokedAt', 'expiresAt');
const REVOKED_SET = recordsetOf(REVOCATION_COLUMNS, REVOKED_FIELDS);
const LIFTED_FIELDS = keys<keyof RevocationLifted>('revocationId', 'liftedAt', 'liftedBy', 'liftReason', 'liftEventId');
const LIFTED_SET = recordsetOf(REVOCATION_COLUMNS, LIFTED_FIELDS);
const LIFT_COLUMNS = LIFTED_FIELDS.filter((k) => k !== 'revocationId').map((k) => columnOf(REVOCATION_COLUMNS, k));

/**
 * Sets the lift on those rows of `lifts` that are revoked and not yet lifted (a lift applies
 * only to a revocation in force; the first in topic order wins). `onlyIds` narrows the rows.
 */
async function liftRevocations(db: SqlRunner, lifts: readonly RevocationLifted[], onlyIds?: readonly string[]): Promise<void> {
  if (lifts.length === 0 || onlyIds?.length === 0) return;
  const set = LIFTED_FIELDS.filter((k) => k !== 'revocationId').map((k) => `${columnOf(REVOCATION_COLUMNS, k)} = x."${k}"`).join(', ');
  await db.query(
    `UPDATE revocation AS t SET ${set}
       FROM json_to_recordset($1::json) AS ${LIFTED_SET.definition}
      WHERE t.revocation_id = x."revocationId" AND t.revoked_at IS NOT NULL AND t.lifted_at IS NULL
        ${onlyIds ? 'AND t.revocation_id = ANY($2::text[])' : ''}`,
    onlyIds ? [json(byKey(lifts, (r) => r.revocationId)), onlyIds] : [json(byKey(lifts, (r) => r.revocationId))],
  );
}

/**
 * Revocations and lifts, judged as authn's PolicyState judges them in topic order (a revocation
 * id is revoked once; a lift applies to a revocation in force; lifted stays lifted):
 * 1. the first lift of each id against the rows stored before this change;
 * 2. the first revoked event of each id, stored unless the id exists (a row a lift created
 *    before issue 15, without a revocation, counts as absent);
 * 3. the first lift after that revoked event, for the ids step 2 stored.
 */
async function upsertRevocations(db: SqlRunner, changes: ReadModelChanges): Promise<void> {
  await liftRevocations(db, changes.revocationsLifted);
  let stored: string[] = [];
  if (changes.revocationsRevoked.length > 0) {
    const rows = await db.query<{ id: string }[]>(
      `INSERT INTO revocation AS t (${REVOKED_SET.columns})
       SELECT ${REVOKED_SET.values} FROM json_to_recordset($1::json) AS ${REVOKED_SET.definition}
       ON CONFLICT (revocation_id) DO UPDATE SET
         ${REVOKED_FIELDS.filter((k) => k !== 'revocationId').map((k) => `${columnOf(REVOCATION_COLUMNS, k)} = excluded.${columnOf(REVOCATION_COLUMNS, k)}`).join(', ')},
         ${LIFT_COLUMNS.map((c) => `${c} = NULL`).join(', ')}
       WHERE t.revoked_at IS NULL
       RETURNING revocation_id AS id`,
      [json(byKey(changes.revocationsRevoked, (r) => r.revocationId))],
    );
    stored = rows.map((r) => r.id);
  }
  await liftRevocations(db, changes.revocationsLiftedAfterRevoked, stored);
  const ids = [...new Set([...changes.revocationsRevoked, ...changes.revocationsLifted, ...changes.revocationsLiftedAfterRevoked].map((r) => r.revocationId))];
  if (ids.length === 0) return;
  await db.query(
    `UPDATE credential c
        SET revoked = EXISTS (SELECT 1 FROM revocation r
                               WHERE r.fingerprint = c.fingerprint AND r.revoked_at IS NOT NULL AND r.lifted_at IS NULL)
      WHERE c.fingerprint IN (SELECT fingerprint FROM revocation WHERE revocation_id = ANY($1::text[]))`,
    [ids],
  );
}

const PRODUCER_SEQUENCE_SET = recordsetOf(PRODUCER_SEQUENCE_COLUMNS, Object.keys(PRODUCER_SEQUENCE_COLUMNS) as (keyof ProducerSequenceChange)[]);
const producerState = (column: string): string =>
  `${column} = CASE WHEN (excluded.state_at, excluded.state_event_id) > (t.state_at, t.state_event_id) OR t.state_at IS NULL
                    THEN coalesce(excluded.${column}, t.${column}) ELSE t.${column} END`;

async function upsertProducerSequences(db: SqlRunner, rows: readonly ProducerSequenceChange[]): Promise<void> {
  if (rows.length === 0) return;
  // least/greatest skip NULLs: a change with only status events leaves min/max as they are.
  // The state follows the newest status event by (state_at, state_event_id); a change without
  // one (state_at NULL) never wins the comparison, so the stored state stays.
  await db.query(
    `INSERT INTO producer_sequence AS t (${PRODUCER_SEQUENCE_SET.columns})
     SELECT ${PRODUCER_SEQUENCE_SET.values} FROM json_to_recordset($1::json) AS ${PRODUCER_SEQUENCE_SET.definition}
     ON CONFLICT (instance, boot) DO UPDATE SET
       min_sequence = least(t.min_sequence, excluded.min_sequence),
       max_sequence = greatest(t.max_sequence, excluded.max_sequence),
       received = t.received + excluded.received,
       reported_last_sequence = greatest(t.reported_last_sequence, excluded.reported_last_sequence),
       dropped = greatest(t.dropped, excluded.dropped),
       ${['state', 'state_event_id', 'state_at'].map(producerState).join(',\n       ')},
       first_seen = least(t.first_seen, excluded.first_seen),
       last_seen = greatest(t.last_seen, excluded.last_seen)`,
    [json(byKey(rows, (r) => JSON.stringify([r.instance, r.boot])))],
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
  // A revocation or lift sets `credential.revoked` on the rows that exist; a decision batch of
  // another projector may be inserting the credential's first row at that moment, and under
  // READ COMMITTED neither sees the other (the row would stay unrevoked). So a batch that
  // changes revocations (rare: admin actions) takes the lock exclusively: it waits for the
  // batches in flight, and later ones wait for it and then see the revocation.
  const revokes = changes.revocationsRevoked.length + changes.revocationsLifted.length + changes.revocationsLiftedAfterRevoked.length > 0;
  await db.query(revokes ? 'SELECT pg_advisory_xact_lock($1)' : 'SELECT pg_advisory_xact_lock_shared($1)', [READ_MODEL_LOCK_KEY]);
  // Revocations before credentials: a credential first seen in this batch sees its revocation.
  await insertPolicyClaims(db, changes.policyClaims);
  await upsertRevocations(db, changes);
  await upsertIdentities(db, changes.identities);
  await upsertCredentials(db, changes.credentials);
  await upsertFailureBuckets(db, changes.failureBuckets);
  await upsertProducerSequences(db, changes.producerSequences);
}
