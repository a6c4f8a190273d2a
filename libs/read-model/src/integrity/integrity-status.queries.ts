// What the projector's chain verifier proved, kept for GraphQL `auditIntegrity`: per producer chain
// how far it is verified, and every finding with its evidence (docs/integrity.md, "In the projector").
import { createHash } from 'node:crypto';
import type { ChainReport } from '@authtrail/integrity';
import type { SqlRunner } from '../data-source';

/** One chain as the verifier reports it, with what the report does not hold. */
export interface IntegrityChainRow {
  readonly report: ChainReport;
  /** Event times of the chain's first and last positions seen (RFC 3339), null when none carried one. */
  readonly firstTime: string | null;
  readonly lastTime: string | null;
  /** The first missing sequence later positions wait on (not named a gap yet). */
  readonly waitingFrom: number | null;
}

export interface IntegrityFindingRow {
  readonly kind: string;
  readonly chainId: string | null;
  readonly sequence: number | null;
  readonly toSequence: number | null;
  readonly evidence: string;
  readonly topic: string | null;
  readonly partition: number | null;
  readonly offset: string | null;
}

export async function upsertIntegrityChains(db: SqlRunner, chains: readonly IntegrityChainRow[], now: Date): Promise<void> {
  if (chains.length === 0) return;
  // The report's own field names, read by json_to_recordset; the unanchored tail is split into its two columns.
  await db.query(
    `INSERT INTO integrity_chain AS t (chain_id, instance, boot, first_sequence, last_sequence, events, checkpoints, redelivered, first_time, last_time,
                                       anchor, verified_through, unanchored_from, unanchored_to, waiting_from, findings, updated_at)
     SELECT "chainId", instance, boot, "firstSequence", "lastSequence", events, checkpoints, redelivered, "firstTime", "lastTime",
            anchor, "verifiedThrough", ("unanchoredTail"->>'fromSequence')::bigint, ("unanchoredTail"->>'toSequence')::bigint, "waitingFrom", findings, $2::timestamptz
     FROM json_to_recordset($1::json) AS x("chainId" text, instance text, boot text, "firstSequence" bigint, "lastSequence" bigint, events bigint,
          checkpoints bigint, redelivered bigint, "firstTime" timestamptz, "lastTime" timestamptz, anchor jsonb, "verifiedThrough" jsonb,
          "unanchoredTail" jsonb, "waitingFrom" bigint, findings integer)
     ON CONFLICT (chain_id) DO UPDATE SET
       first_sequence = excluded.first_sequence, last_sequence = excluded.last_sequence, events = excluded.events, checkpoints = excluded.checkpoints,
       redelivered = excluded.redelivered, first_time = excluded.first_time, last_time = excluded.last_time, anchor = excluded.anchor,
       verified_through = excluded.verified_through, unanchored_from = excluded.unanchored_from, unanchored_to = excluded.unanchored_to,
       waiting_from = excluded.waiting_from, findings = excluded.findings, updated_at = excluded.updated_at`,
    [JSON.stringify(chains.map(({ report, firstTime, lastTime, waitingFrom }) => ({ ...report, firstTime, lastTime, waitingFrom }))), now.toISOString()],
  );
}

/** The same finding made again (a new verifier reading the links from the start) is stored once. */
function fingerprintOf(finding: IntegrityFindingRow): string {
  const { kind, chainId, sequence, toSequence, evidence, topic, partition, offset } = finding;
  return createHash('sha256').update(JSON.stringify([kind, chainId, sequence, toSequence, evidence, topic, partition, offset])).digest('hex');
}

/** Stores the findings not stored before, and returns those. */
export async function insertIntegrityFindings(db: SqlRunner, findings: readonly IntegrityFindingRow[], now: Date): Promise<{ kind: string; chainId: string | null; sequence: string | null }[]> {
  if (findings.length === 0) return [];
  return db.query(
    `INSERT INTO integrity_finding (fingerprint, kind, chain_id, sequence, to_sequence, evidence, topic, partition, "offset", found_at)
     SELECT fingerprint, kind, chain_id, sequence, to_sequence, evidence, topic, partition, "offset", $2::timestamptz
     FROM json_to_recordset($1::json) AS x(fingerprint text, kind text, chain_id text, sequence bigint, to_sequence bigint, evidence text, topic text, partition integer, "offset" bigint)
     ON CONFLICT (fingerprint) DO NOTHING
     RETURNING kind, chain_id AS "chainId", sequence::text`,
    [
      JSON.stringify(
        findings.map((f) => ({
          fingerprint: fingerprintOf(f),
          kind: f.kind,
          chain_id: f.chainId,
          sequence: f.sequence,
          to_sequence: f.toSequence,
          evidence: f.evidence,
          topic: f.topic,
          partition: f.partition,
          offset: f.offset,
        })),
      ),
      now.toISOString(),
    ],
  );
}
