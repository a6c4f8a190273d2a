// GraphQL `auditIntegrity(from, to)`: the producer chains with events in the window, how far each
// is verified, and their findings; findings tied to no chain (unreadable records) made in the window.
import { selectRows, type QueryRunnerLike } from '../queries/sql-runner';

export interface StoredIntegrityFinding {
  readonly kind: string;
  readonly chainId: string | null;
  readonly sequence: string | null;
  readonly toSequence: string | null;
  readonly evidence: string;
  readonly topic: string | null;
  readonly partition: number | null;
  readonly offset: string | null;
  readonly foundAt: Date;
}

export interface StoredIntegrityChain {
  readonly chainId: string;
  readonly instance: string;
  readonly boot: string;
  readonly firstSequence: string;
  readonly lastSequence: string;
  readonly events: string;
  readonly checkpoints: string;
  readonly redelivered: string;
  readonly firstTime: Date | null;
  readonly lastTime: Date | null;
  readonly anchor: { readonly kind: string; readonly chainId?: string; readonly sequence?: number; readonly hash?: string };
  readonly verifiedThrough: { readonly checkpointSequence: number; readonly toSequence: number; readonly lastTime: string; readonly keyId: string } | null;
  readonly unanchoredFrom: string | null;
  readonly unanchoredTo: string | null;
  readonly waitingFrom: string | null;
  readonly updatedAt: Date;
  readonly findings: readonly StoredIntegrityFinding[];
}

export interface AuditIntegrityRows {
  readonly chains: readonly StoredIntegrityChain[];
  readonly unattributed: readonly StoredIntegrityFinding[];
}

const FINDING_COLUMNS = `kind, chain_id AS "chainId", sequence::text, to_sequence::text AS "toSequence", evidence, topic, partition, "offset"::text, found_at AS "foundAt"`;

export async function findAuditIntegrity(db: QueryRunnerLike, window: { readonly from: Date; readonly to: Date }): Promise<AuditIntegrityRows> {
  const chains = await selectRows<Omit<StoredIntegrityChain, 'findings'>>(
    db,
    `SELECT chain_id AS "chainId", instance, boot, first_sequence::text AS "firstSequence", last_sequence::text AS "lastSequence", events::text,
            checkpoints::text, redelivered::text, first_time AS "firstTime", last_time AS "lastTime", anchor, verified_through AS "verifiedThrough",
            unanchored_from::text AS "unanchoredFrom", unanchored_to::text AS "unanchoredTo", waiting_from::text AS "waitingFrom", updated_at AS "updatedAt"
     FROM integrity_chain
     WHERE last_time >= $1 AND first_time <= $2
     ORDER BY instance, first_time, chain_id`,
    [window.from, window.to],
  );
  const findings =
    chains.length === 0
      ? []
      : await selectRows<StoredIntegrityFinding>(db, `SELECT ${FINDING_COLUMNS} FROM integrity_finding WHERE chain_id = ANY($1::text[]) ORDER BY finding_id`, [chains.map((c) => c.chainId)]);
  const unattributed = await selectRows<StoredIntegrityFinding>(
    db,
    `SELECT ${FINDING_COLUMNS} FROM integrity_finding WHERE chain_id IS NULL AND found_at >= $1 AND found_at <= $2 ORDER BY finding_id`,
    [window.from, window.to],
  );
  return { chains: chains.map((chain) => ({ ...chain, findings: findings.filter((f) => f.chainId === chain.chainId) })), unattributed };
}
