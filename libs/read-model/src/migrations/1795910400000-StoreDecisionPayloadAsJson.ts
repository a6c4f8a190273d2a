import type { MigrationInterface, QueryRunner } from 'typeorm';

// `decision.payload` becomes `json` (the validated event as text) instead of `jsonb`. Why: the
// projector appends every event, and converting ~1 KiB of JSON to jsonb was the largest single
// cost of that append (COPY of the same rows: ~57 µs/row with jsonb, ~33 µs/row with json on the
// 2-core bench machine). Nothing reads inside the payload in SQL: the GraphQL views and the
// replay read it whole and parse it in Node, where both types arrive as the same object.
// What is given up: jsonb operators and GIN indexes on the payload (none exist); key order and
// whitespace are kept as written (JSON.stringify of the decoded event, so canonical anyway).
//
// Rewrites the table (ACCESS EXCLUSIVE lock for the duration): run it with the projector stopped
// on a large table. Reversible: `down` converts back to jsonb.
export class StoreDecisionPayloadAsJson1795910400000 implements MigrationInterface {
  readonly name = 'StoreDecisionPayloadAsJson1795910400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE decision ALTER COLUMN payload TYPE json USING payload::json`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE decision ALTER COLUMN payload TYPE jsonb USING payload::jsonb`);
  }
}
