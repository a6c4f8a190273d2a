import type { MigrationInterface, QueryRunner } from 'typeorm';

// Issue 17: the caller of a webhook call (kube-apiserver's client certificate on a TokenReview,
// the trusted proxy chain) is recorded on the decision event as `data.request.caller`.
// - decision.caller_subject: the caller certificate's subject, for `DecisionFilter.callerSubject`;
//   the rest of the caller (issuer, serial, SHA-256, verified, proxies) is read from `payload`.
// - No index: a cluster has a handful of webhook callers (one per API server), so an index would
//   select most of the table; the filter is combined with a time range or an endpoint.
// - No backfill: the field is new in the event schema and consumers are upgraded before producers
//   (docs/events.md, "Versioning"), so no stored event carries a caller.
// Reversible: `down` drops the column.
export class AddDecisionCaller1797724800000 implements MigrationInterface {
  readonly name = 'AddDecisionCaller1797724800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE decision ADD COLUMN caller_subject text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE decision DROP COLUMN caller_subject`);
  }
}
