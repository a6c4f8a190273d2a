import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 15: policy versions and revocation lifts are compare-and-set, judged in topic order.
// - control_event.position: the order the projector stored the control events in. The policy
//   partition is projected one batch after the other, records in offset order, so for policy
//   events this is the topic order: `replay --from=database` refolds them in it (the rule "the
//   first claim of version current + 1 wins" depends on order; event times from two API
//   replicas do not give it). Rows stored before this migration are numbered by (time, id),
//   the best order they have.
// - revocation.lift_event_id: the lift that took effect (the first one in topic order), so the
//   mutation that published a lift can tell whether it was its own.
// Reversible: `down` drops both columns.
export class OrderControlEventsAndLifts1797120000000 implements MigrationInterface {
  readonly name = 'OrderControlEventsAndLifts1797120000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE control_event ADD COLUMN position bigserial`);
    await q.query(`
      UPDATE control_event c SET position = o.n
        FROM (SELECT id, row_number() OVER (ORDER BY time, id) AS n FROM control_event) o
       WHERE c.id = o.id`);
    await q.query(`SELECT setval(pg_get_serial_sequence('control_event', 'position'), greatest((SELECT max(position) FROM control_event), 1), (SELECT count(*) > 0 FROM control_event))`);
    await q.query(`CREATE UNIQUE INDEX control_event_position_idx ON control_event (position)`);
    await q.query(`ALTER TABLE revocation ADD COLUMN lift_event_id uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE revocation DROP COLUMN lift_event_id`);
    await q.query(`ALTER TABLE control_event DROP COLUMN position`);
  }
}
