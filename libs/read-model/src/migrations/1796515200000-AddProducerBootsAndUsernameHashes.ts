import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 14: gaps per producer boot, claimed names only as keyed hashes.
// - decision: `boot` and `claimed_username_hash` (+ index with time, for "failures that claimed
//   alice" without storing alice), filled in from the stored events (`payload.data`).
// - failure_bucket: the `username_hash` dimension. The bucket key (JSON array of the dimensions)
//   gains a seventh element; stored keys are rewritten to what the projector now computes for
//   them (a null hash), so new failures of the same minute still land in the same bucket.
//   Older buckets get no hash: `replay --from=database` derives it from the stored events.
// - producer_sequence: one row per (instance, boot) ('' for events without a boot), with what the
//   boot reported about itself (status events) and the drops it counted.
//
// The decision backfill reads every stored payload: on a large table run it with the projector
// stopped. Reversible: `down` folds the per-boot and per-hash rows back into the old keys.
export class AddProducerBootsAndUsernameHashes1796515200000 implements MigrationInterface {
  readonly name = 'AddProducerBootsAndUsernameHashes1796515200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE decision ADD COLUMN boot text, ADD COLUMN claimed_username_hash text`);
    await q.query(`
      UPDATE decision
         SET boot = payload->'data'->>'boot', claimed_username_hash = payload->'data'->>'claimedUsernameHash'
       WHERE payload->'data'->>'boot' IS NOT NULL OR payload->'data'->>'claimedUsernameHash' IS NOT NULL`);
    await q.query(`CREATE INDEX decision_claimed_username_hash_time_idx ON decision (claimed_username_hash, time)`);

    await q.query(`ALTER TABLE failure_bucket ADD COLUMN username_hash text`);
    // JSON.stringify([...six, null]) is the old key with ",null" before its closing bracket.
    await q.query(`UPDATE failure_bucket SET bucket_key = left(bucket_key, -1) || ',null]'`);

    await q.query(`
      ALTER TABLE producer_sequence
        ADD COLUMN boot text NOT NULL DEFAULT '',
        ADD COLUMN reported_last_sequence bigint,
        ADD COLUMN dropped bigint NOT NULL DEFAULT 0,
        ADD COLUMN state text,
        ADD COLUMN state_at timestamptz,
        ADD COLUMN state_event_id uuid,
        ALTER COLUMN min_sequence DROP NOT NULL,
        ALTER COLUMN max_sequence DROP NOT NULL`);
    // The default only filled the existing rows; the projector always names the boot.
    await q.query(`ALTER TABLE producer_sequence ALTER COLUMN boot DROP DEFAULT`);
    await q.query(`ALTER TABLE producer_sequence DROP CONSTRAINT producer_sequence_pkey, ADD CONSTRAINT producer_sequence_pkey PRIMARY KEY (instance, boot)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TEMP TABLE producer_sequence_down ON COMMIT DROP AS
        SELECT instance, min(min_sequence) AS min_sequence, max(max_sequence) AS max_sequence, sum(received)::bigint AS received,
               min(first_seen) AS first_seen, max(last_seen) AS last_seen
          FROM producer_sequence WHERE min_sequence IS NOT NULL GROUP BY instance`);
    await q.query(`DELETE FROM producer_sequence`);
    await q.query(`
      ALTER TABLE producer_sequence
        DROP CONSTRAINT producer_sequence_pkey,
        DROP COLUMN boot, DROP COLUMN reported_last_sequence, DROP COLUMN dropped,
        DROP COLUMN state, DROP COLUMN state_at, DROP COLUMN state_event_id,
        ALTER COLUMN min_sequence SET NOT NULL,
        ALTER COLUMN max_sequence SET NOT NULL,
        ADD CONSTRAINT producer_sequence_pkey PRIMARY KEY (instance)`);
    await q.query(`
      INSERT INTO producer_sequence (instance, min_sequence, max_sequence, received, first_seen, last_seen)
      SELECT instance, min_sequence, max_sequence, received, first_seen, last_seen FROM producer_sequence_down`);

    // Buckets that differ only by their hash become one bucket under the six-dimension key.
    await q.query(`
      CREATE TEMP TABLE failure_bucket_down ON COMMIT DROP AS
        SELECT left(bucket_key, -(length(coalesce(to_json(username_hash)::text, 'null')) + 2)) || ']' AS bucket_key,
               minute, source_ip, reason, strategy, username, credential_fingerprint,
               sum(count)::bigint AS count, min(first_seen) AS first_seen, max(last_seen) AS last_seen
          FROM failure_bucket GROUP BY 1, 2, 3, 4, 5, 6, 7`);
    await q.query(`DELETE FROM failure_bucket`);
    await q.query(`ALTER TABLE failure_bucket DROP COLUMN username_hash`);
    await q.query(`
      INSERT INTO failure_bucket (bucket_key, minute, source_ip, reason, strategy, username, credential_fingerprint, count, first_seen, last_seen)
      SELECT bucket_key, minute, source_ip, reason, strategy, username, credential_fingerprint, count, first_seen, last_seen FROM failure_bucket_down`);

    await q.query(`DROP INDEX decision_claimed_username_hash_time_idx`);
    await q.query(`ALTER TABLE decision DROP COLUMN boot, DROP COLUMN claimed_username_hash`);
  }
}
