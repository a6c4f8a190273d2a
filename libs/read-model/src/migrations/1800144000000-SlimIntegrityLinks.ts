import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issues 19 (item 5) and 20: integrity_link is written once per projected record, so its width
// and its indexes are paid on every event, in the projector's transaction and on disk.
// - `hash` and `previous` hold the 32 bytes of their SHA-256 (bytea) instead of 64 hex digits.
// - The Kafka position (topic, partition, offset), unique already, becomes the primary key; the
//   index on `link_id` goes (nothing looks a link up by it: the verifier pages by (txid, link_id),
//   which keeps its own index).
// The projector now appends links by COPY (queries/integrity-link.queries.ts).
// The type change rewrites the table under an exclusive lock: about 6 s per million links here
// (docs/read-models.md). Reversible: `down` restores the hex text columns and the primary key on link_id.
export class SlimIntegrityLinks1800144000000 implements MigrationInterface {
  readonly name = 'SlimIntegrityLinks1800144000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE integrity_link DROP CONSTRAINT integrity_link_pkey`);
    await q.query(`ALTER TABLE integrity_link DROP CONSTRAINT integrity_link_position_key, ADD CONSTRAINT integrity_link_pkey PRIMARY KEY (topic, partition, "offset")`);
    await q.query(`ALTER TABLE integrity_link ALTER COLUMN hash TYPE bytea USING decode(hash, 'hex'), ALTER COLUMN previous TYPE bytea USING decode(previous, 'hex')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE integrity_link ALTER COLUMN hash TYPE text USING encode(hash, 'hex'), ALTER COLUMN previous TYPE text USING encode(previous, 'hex')`);
    await q.query(`ALTER TABLE integrity_link DROP CONSTRAINT integrity_link_pkey, ADD CONSTRAINT integrity_link_position_key UNIQUE (topic, partition, "offset")`);
    await q.query(`ALTER TABLE integrity_link ADD PRIMARY KEY (link_id)`);
  }
}
