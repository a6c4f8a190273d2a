import type { MigrationInterface, QueryRunner } from 'typeorm';

// The whole read-model schema of DESIGN §5. Reversible: `down` drops exactly what `up` made.
//
// `decision` is keyed by (time, id): a partitioned table needs the partition key in every unique
// constraint, so this key survives `PARTITION BY RANGE (time)` unchanged (docs/read-models.md).
// A redelivered event carries the same id and the same time, so deduplication is unchanged.
export class CreateReadModels1764374400000 implements MigrationInterface {
  readonly name = 'CreateReadModels1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE decision (
        id uuid NOT NULL,
        time timestamptz NOT NULL,
        decision text NOT NULL CONSTRAINT decision_decision_check CHECK (decision IN ('allow', 'deny')),
        http_status smallint NOT NULL,
        reason text NOT NULL,
        strategy text,
        username text,
        claimed boolean NOT NULL DEFAULT false,
        groups text[] NOT NULL DEFAULT '{}',
        source_ip inet,
        user_agent text,
        endpoint text,
        credential_fingerprint text,
        credential_type text,
        policy_version integer,
        instance text,
        sequence bigint,
        payload jsonb NOT NULL,
        CONSTRAINT decision_pkey PRIMARY KEY (time, id)
      )`);
    await q.query(`CREATE INDEX decision_id_idx ON decision (id)`);
    await q.query(`CREATE INDEX decision_username_time_idx ON decision (username, time)`);
    await q.query(`CREATE INDEX decision_source_ip_time_idx ON decision (source_ip, time)`);
    await q.query(`CREATE INDEX decision_credential_fingerprint_time_idx ON decision (credential_fingerprint, time)`);
    // "By decision" means the failures (authFailures); allowed ones are read through the primary
    // key's time order. A partial index is a third of the size and of the write cost.
    await q.query(`CREATE INDEX decision_denied_time_idx ON decision (time) WHERE decision = 'deny'`);

    await q.query(`
      CREATE TABLE control_event (
        id uuid NOT NULL CONSTRAINT control_event_pkey PRIMARY KEY,
        time timestamptz NOT NULL,
        type text NOT NULL,
        payload jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX control_event_time_idx ON control_event (time)`);

    await q.query(`
      CREATE TABLE identity (
        username text NOT NULL CONSTRAINT identity_pkey PRIMARY KEY,
        uid text,
        kind text NOT NULL,
        groups text[] NOT NULL DEFAULT '{}',
        strategies text[] NOT NULL DEFAULT '{}',
        first_seen timestamptz NOT NULL,
        last_seen timestamptz NOT NULL,
        last_event_id uuid NOT NULL,
        success_count bigint NOT NULL DEFAULT 0,
        failure_count bigint NOT NULL DEFAULT 0,
        last_source_ip inet
      )`);
    await q.query(`CREATE INDEX identity_last_seen_idx ON identity (last_seen)`);
    await q.query(`CREATE INDEX identity_kind_idx ON identity (kind)`);

    await q.query(`
      CREATE TABLE credential (
        fingerprint text NOT NULL CONSTRAINT credential_pkey PRIMARY KEY,
        type text NOT NULL,
        strategy text,
        username text,
        public_id text,
        issuer text,
        expires_at timestamptz,
        first_used timestamptz NOT NULL,
        last_used timestamptz NOT NULL,
        last_event_id uuid NOT NULL,
        use_count bigint NOT NULL DEFAULT 0,
        failure_count bigint NOT NULL DEFAULT 0,
        distinct_source_ips integer NOT NULL DEFAULT 0,
        revoked boolean NOT NULL DEFAULT false
      )`);
    await q.query(`CREATE INDEX credential_username_idx ON credential (username)`);
    await q.query(`CREATE INDEX credential_last_used_idx ON credential (last_used)`);
    await q.query(`CREATE INDEX credential_public_id_idx ON credential (public_id)`);

    await q.query(`
      CREATE TABLE credential_source_ip (
        fingerprint text NOT NULL,
        source_ip inet NOT NULL,
        CONSTRAINT credential_source_ip_pkey PRIMARY KEY (fingerprint, source_ip)
      )`);

    // `bucket_key` is the JSON array of the six dimensions: a failure without a username or IP is
    // still exactly one bucket (a composite unique key would treat NULLs as distinct).
    await q.query(`
      CREATE TABLE failure_bucket (
        bucket_key text NOT NULL CONSTRAINT failure_bucket_pkey PRIMARY KEY,
        minute timestamptz NOT NULL,
        source_ip inet,
        reason text NOT NULL,
        strategy text,
        username text,
        credential_fingerprint text,
        count bigint NOT NULL,
        first_seen timestamptz NOT NULL,
        last_seen timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX failure_bucket_minute_idx ON failure_bucket (minute)`);

    await q.query(`
      CREATE TABLE policy_version (
        version integer NOT NULL CONSTRAINT policy_version_pkey PRIMARY KEY,
        document text NOT NULL,
        applied_by text,
        comment text,
        applied_at timestamptz NOT NULL,
        event_id uuid NOT NULL
      )`);

    await q.query(`
      CREATE TABLE revocation (
        revocation_id text NOT NULL CONSTRAINT revocation_pkey PRIMARY KEY,
        fingerprint text,
        jti text,
        cert_serial text,
        cert_issuer text,
        reason text,
        revoked_by text,
        revoked_at timestamptz,
        expires_at timestamptz,
        lifted_at timestamptz,
        lifted_by text,
        lift_reason text
      )`);
    await q.query(`CREATE INDEX revocation_fingerprint_idx ON revocation (fingerprint)`);
    await q.query(`CREATE INDEX revocation_jti_idx ON revocation (jti)`);

    await q.query(`
      CREATE TABLE projector_checkpoint (
        group_id text NOT NULL,
        topic text NOT NULL,
        partition integer NOT NULL,
        next_offset bigint NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT projector_checkpoint_pkey PRIMARY KEY (group_id, topic, partition)
      )`);

    await q.query(`
      CREATE TABLE projector_status (
        group_id text NOT NULL,
        topic text NOT NULL,
        partition integer NOT NULL,
        next_offset bigint NOT NULL DEFAULT 0,
        high_watermark bigint NOT NULL DEFAULT 0,
        lag bigint NOT NULL DEFAULT 0,
        last_event_time timestamptz,
        events_projected bigint NOT NULL DEFAULT 0,
        duplicates_skipped bigint NOT NULL DEFAULT 0,
        dead_lettered bigint NOT NULL DEFAULT 0,
        last_error text,
        last_error_at timestamptz,
        updated_at timestamptz NOT NULL,
        CONSTRAINT projector_status_pkey PRIMARY KEY (group_id, topic, partition)
      )`);

    await q.query(`
      CREATE TABLE producer_sequence (
        instance text NOT NULL CONSTRAINT producer_sequence_pkey PRIMARY KEY,
        min_sequence bigint NOT NULL,
        max_sequence bigint NOT NULL,
        received bigint NOT NULL,
        first_seen timestamptz NOT NULL,
        last_seen timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'producer_sequence',
      'projector_status',
      'projector_checkpoint',
      'revocation',
      'policy_version',
      'failure_bucket',
      'credential_source_ip',
      'credential',
      'identity',
      'control_event',
      'decision',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
