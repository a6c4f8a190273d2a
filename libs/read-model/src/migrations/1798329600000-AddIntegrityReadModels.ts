import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 21: the projector verifies the producers' hash chains as it projects (docs/integrity.md,
// "In the projector").
// - integrity_link: the chain position of every chained record projected, written in the batch's
//   transaction; (topic, partition, offset) is unique, so a batch projected again adds nothing.
//   `txid` is the writing transaction: the verifier reads links only from transactions older than
//   every one still running, so a link committed late is never skipped.
//   `event_time` is the event's time as written (the checkpoints name their range by these
//   strings); `record` holds the bytes of checkpoints only (their signature is checked on them);
//   `problem` says what is wrong with a record that carries chain attributes but cannot be read.
// - integrity_chain: per producer chain, how far it is verified (written by the verifier).
// - integrity_finding: what the verifier found, with its evidence; `fingerprint` makes the same
//   finding stored once when a new verifier reads the links again.
// Reversible: `down` drops the three tables.
export class AddIntegrityReadModels1798329600000 implements MigrationInterface {
  readonly name = 'AddIntegrityReadModels1798329600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE integrity_link (
        link_id bigserial PRIMARY KEY,
        txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        topic text NOT NULL,
        partition integer NOT NULL,
        "offset" bigint NOT NULL,
        chain_id text,
        sequence bigint,
        previous text,
        hash text NOT NULL,
        event_type text,
        event_time text,
        record bytea,
        problem text,
        CONSTRAINT integrity_link_position_key UNIQUE (topic, partition, "offset")
      )`);
    await q.query(`CREATE INDEX integrity_link_txid_idx ON integrity_link (txid, link_id)`);
    await q.query(`
      CREATE TABLE integrity_chain (
        chain_id text PRIMARY KEY,
        instance text NOT NULL,
        boot text NOT NULL,
        first_sequence bigint NOT NULL,
        last_sequence bigint NOT NULL,
        events bigint NOT NULL,
        checkpoints bigint NOT NULL,
        redelivered bigint NOT NULL,
        first_time timestamptz,
        last_time timestamptz,
        anchor jsonb NOT NULL,
        verified_through jsonb,
        unanchored_from bigint,
        unanchored_to bigint,
        waiting_from bigint,
        findings integer NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX integrity_chain_time_idx ON integrity_chain (last_time, first_time)`);
    await q.query(`
      CREATE TABLE integrity_finding (
        finding_id bigserial PRIMARY KEY,
        fingerprint text NOT NULL UNIQUE,
        kind text NOT NULL,
        chain_id text,
        sequence bigint,
        to_sequence bigint,
        evidence text NOT NULL,
        topic text,
        partition integer,
        "offset" bigint,
        found_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX integrity_finding_chain_idx ON integrity_finding (chain_id, finding_id)`);
    await q.query(`CREATE INDEX integrity_finding_found_at_idx ON integrity_finding (found_at) WHERE chain_id IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE integrity_finding`);
    await q.query(`DROP TABLE integrity_chain`);
    await q.query(`DROP TABLE integrity_link`);
  }
}
