import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 20 item 4: the read side at 50 million decisions (docs/read-models.md "At 50 million decisions").
// - failure_rollup: `failure_bucket` counted per hour and per UTC day, one row per (grain, period
//   start, dimension, value of that dimension). A 30-day `failureStats` reads whole days from here,
//   the partial hours at the window's edges from the hourly rows and only the partial minutes
//   from `failure_bucket` (queries/failure-stats.queries.ts), instead of 43,200 minutes of buckets.
//   The `username` dimension keeps the hash only where the name is not in clear, as the query
//   groups it; the other dimension columns stay NULL (the key treats NULLs as equal).
// - Kept by statement-level triggers on `failure_bucket` (transition tables: one aggregated upsert
//   per statement, whoever writes the buckets: projector, replay, a migration), rows sorted by key
//   so concurrent projectors lock them in one order; TRUNCATE of the buckets (replay) empties it.
// - decision_denied_reason_time_idx: `authFailures(filter: { reasons })` over a day walks the
//   denials of that reason newest first; through the denied-time index a rare reason scanned every
//   denial of the window.
// Reversible: `down` drops the triggers, the function, the table and the index.
const DIMENSION_ROWS = `(VALUES
    ('source_ip', d.source_ip, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text),
    ('reason', NULL::inet, d.reason, NULL, NULL, NULL, NULL),
    ('strategy', NULL::inet, NULL, d.strategy, NULL, NULL, NULL),
    ('username', NULL::inet, NULL, NULL, d.username, NULL, CASE WHEN d.username IS NULL THEN d.username_hash END),
    ('credential', NULL::inet, NULL, NULL, NULL, d.credential_fingerprint, NULL)
  ) AS x(dimension, source_ip, reason, strategy, username, credential_fingerprint, username_hash)`;

const KEY = 'dimension, grain, start, source_ip, reason, strategy, username, credential_fingerprint, username_hash';
/** Transaction advisory lock serializing the writers of failure_rollup ("rollup"). */
const FAILURE_ROLLUP_LOCK_KEY = 0x726f6c6c7570;

/** Adds the buckets of `delta` (minute, the dimensions, count, first_seen, last_seen) to the rollup. */
const rollUp = (delta: string): string => `
  INSERT INTO failure_rollup AS t (${KEY}, count, first_seen, last_seen)
  SELECT x.dimension, g.grain, date_trunc(g.grain, d.minute, 'UTC'), x.source_ip, x.reason, x.strategy, x.username, x.credential_fingerprint, x.username_hash,
         sum(d.count), min(d.first_seen), max(d.last_seen)
  FROM (${delta}) AS d
  CROSS JOIN (VALUES ('hour'), ('day')) AS g(grain)
  CROSS JOIN LATERAL ${DIMENSION_ROWS}
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
  ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9
  ON CONFLICT ON CONSTRAINT failure_rollup_key DO UPDATE SET
    count = t.count + excluded.count,
    first_seen = least(t.first_seen, excluded.first_seen),
    last_seen = greatest(t.last_seen, excluded.last_seen)`;

const BUCKET = 'minute, source_ip, reason, strategy, username, credential_fingerprint, username_hash';

export class RollUpFailuresByHourAndDay1799539200000 implements MigrationInterface {
  readonly name = 'RollUpFailuresByHourAndDay1799539200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE failure_rollup (
        grain text NOT NULL CONSTRAINT failure_rollup_grain_check CHECK (grain IN ('hour', 'day')),
        start timestamptz NOT NULL,
        dimension text NOT NULL CONSTRAINT failure_rollup_dimension_check CHECK (dimension IN ('source_ip', 'reason', 'strategy', 'username', 'credential')),
        source_ip inet,
        reason text,
        strategy text,
        username text,
        credential_fingerprint text,
        username_hash text,
        count bigint NOT NULL,
        first_seen timestamptz NOT NULL,
        last_seen timestamptz NOT NULL,
        CONSTRAINT failure_rollup_key UNIQUE NULLS NOT DISTINCT (${KEY})
      )`);
    // What the projector does, inserts and upserts that only add counts and widen first/last
    // seen, is added as it is. Anything else (a DELETE, an UPDATE that lowers or moves a bucket)
    // recomputes the UTC days it touches from the buckets: first/last seen cannot be subtracted.
    // Its tables resolve in the schema of the migration, whatever search_path the writer runs with
    // (the retirement fold points it at decision_rollup, whose twin has no trigger).
    await q.query(`
      CREATE FUNCTION failure_rollup_apply() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
      DECLARE
        days timestamptz[];
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          TRUNCATE failure_rollup;
          RETURN NULL;
        END IF;
        -- One upsert of failure_bucket fires this twice (INSERT, then UPDATE), each pass sorted on
        -- its own: two projectors' batches could lock rollup rows in crossing orders and deadlock.
        -- The rollup is written by one transaction at a time (held to its commit).
        PERFORM pg_advisory_xact_lock(${FAILURE_ROLLUP_LOCK_KEY});
        IF TG_OP = 'INSERT' THEN
          ${rollUp(`SELECT ${BUCKET}, count, first_seen, last_seen FROM new_rows`)};
          RETURN NULL;
        END IF;
        -- Each transition table is named only in the branch of its own event.
        IF TG_OP = 'UPDATE' THEN
          IF NOT EXISTS (
          SELECT 1 FROM old_rows o FULL JOIN new_rows n ON n.bucket_key = o.bucket_key
           WHERE o.bucket_key IS NULL OR n.bucket_key IS NULL OR n.count < o.count OR n.first_seen > o.first_seen OR n.last_seen < o.last_seen
              OR (n.minute, n.source_ip, n.reason, n.strategy, n.username, n.credential_fingerprint, n.username_hash)
                 IS DISTINCT FROM (o.minute, o.source_ip, o.reason, o.strategy, o.username, o.credential_fingerprint, o.username_hash)) THEN
          ${rollUp(`SELECT n.minute, n.source_ip, n.reason, n.strategy, n.username, n.credential_fingerprint, n.username_hash, n.count - o.count AS count, n.first_seen, n.last_seen
                      FROM new_rows n JOIN old_rows o ON o.bucket_key = n.bucket_key`)};
            RETURN NULL;
          END IF;
          SELECT array_agg(DISTINCT date_trunc('day', minute, 'UTC')) INTO days FROM (SELECT minute FROM old_rows UNION ALL SELECT minute FROM new_rows) AS touched;
        ELSE
          SELECT array_agg(DISTINCT date_trunc('day', minute, 'UTC')) INTO days FROM old_rows;
        END IF;
        DELETE FROM failure_rollup r USING unnest(days) AS day WHERE r.start >= day AND r.start < day + interval '1 day';
        ${rollUp(`SELECT ${BUCKET.split(', ').map((c) => `b.${c}`).join(', ')}, b.count, b.first_seen, b.last_seen
                    FROM unnest(days) AS day JOIN failure_bucket b ON b.minute >= day AND b.minute < day + interval '1 day'`)};
        RETURN NULL;
      END
      $fn$`);
    await q.query(`CREATE TRIGGER failure_rollup_on_insert AFTER INSERT ON failure_bucket REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION failure_rollup_apply()`);
    await q.query(`CREATE TRIGGER failure_rollup_on_update AFTER UPDATE ON failure_bucket REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION failure_rollup_apply()`);
    await q.query(`CREATE TRIGGER failure_rollup_on_delete AFTER DELETE ON failure_bucket REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION failure_rollup_apply()`);
    await q.query(`CREATE TRIGGER failure_rollup_on_truncate AFTER TRUNCATE ON failure_bucket FOR EACH STATEMENT EXECUTE FUNCTION failure_rollup_apply()`);
    // The buckets stored so far.
    await q.query(rollUp(`SELECT ${BUCKET}, count, first_seen, last_seen FROM failure_bucket`));
    await q.query(`CREATE INDEX decision_denied_reason_time_idx ON decision (reason, time) WHERE decision = 'deny'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX decision_denied_reason_time_idx`);
    for (const on of ['insert', 'update', 'delete', 'truncate']) await q.query(`DROP TRIGGER failure_rollup_on_${on} ON failure_bucket`);
    await q.query(`DROP FUNCTION failure_rollup_apply()`);
    await q.query(`DROP TABLE failure_rollup`);
  }
}
