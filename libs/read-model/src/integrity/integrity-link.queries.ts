// The chain position of each chained record the projector projects (docs/integrity.md, "In the
// projector"): written in the batch's transaction, read back in commit order by the verifier.
import { appendByCopy } from '../append-by-copy';
import { copyField } from '../copy-text';
import type { SqlRunner } from '../data-source';

/** One chained record as projected: where it sits in Kafka, in its chain, and what it hashes to. */
export interface IntegrityLinkRow {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offset, decimal. */
  readonly offset: string;
  /** Absent when the chain attributes could not be read (then `problem` says why). */
  readonly chainId: string | null;
  readonly sequence: number | null;
  readonly previous: string | null;
  /** Lower-case hex SHA-256 of the record value. */
  readonly hash: string;
  readonly eventType: string | null;
  /** The event's `time` as written. */
  readonly eventTime: string | null;
  /** The record value, kept for checkpoints only (their signature is checked on these bytes). */
  readonly record: Buffer | null;
  readonly problem: string | null;
}

export interface StoredIntegrityLink extends IntegrityLinkRow {
  readonly linkId: string;
}

const LINK_COLUMNS = 'topic, partition, "offset", chain_id, sequence, previous, hash, event_type, event_time, record, problem';

/** A bytea field of COPY text: the hex form `\x…` (copyField escapes its backslash). */
const bytea = (hex: string | null): string | null => (hex === null ? null : `\\x${hex}`);

function linksCopyText(links: readonly IntegrityLinkRow[]): string {
  let out = '';
  for (const l of links) {
    const fields = [l.topic, l.partition, l.offset, l.chainId, l.sequence, bytea(l.previous), bytea(l.hash), l.eventType, l.eventTime, bytea(l.record?.toString('hex') ?? null), l.problem];
    out += `${fields.map(copyField).join('\t')}\n`;
  }
  return out;
}

/** Appends links by COPY; a record already linked (the batch projected again) is skipped. */
export async function insertIntegrityLinks(db: SqlRunner, links: readonly IntegrityLinkRow[]): Promise<void> {
  if (links.length === 0) return;
  const column = <K extends keyof IntegrityLinkRow>(key: K): IntegrityLinkRow[K][] => links.map((link) => link[key]);
  await appendByCopy(db, {
    savepoint: 'integrity_link_append',
    sql: `COPY integrity_link (${LINK_COLUMNS}) FROM STDIN`,
    text: linksCopyText(links),
    allNew: () => undefined,
    async whenDuplicate(tx) {
      await tx.query(
        `INSERT INTO integrity_link (${LINK_COLUMNS})
         SELECT topic, partition, "offset", chain_id, sequence, decode(previous, 'hex'), decode(hash, 'hex'), event_type, event_time, record, problem
         FROM unnest($1::text[], $2::integer[], $3::bigint[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bytea[], $11::text[])
           AS x(topic, partition, "offset", chain_id, sequence, previous, hash, event_type, event_time, record, problem)
         ON CONFLICT (topic, partition, "offset") DO NOTHING`,
        [column('topic'), column('partition'), column('offset'), column('chainId'), column('sequence'), column('previous'), column('hash'), column('eventType'), column('eventTime'), column('record'), column('problem')],
      );
    },
  });
}

/**
 * The oldest transaction still running (as xid8 text): every link written by an older one is
 * committed or never will be, so reading up to it skips nothing.
 */
export async function committedHorizon(db: SqlRunner): Promise<string> {
  const [row] = await db.query<{ horizon: string }[]>(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon`);
  if (!row) throw new Error('pg_current_snapshot() returned no row');
  return row.horizon;
}

interface LinkRecord {
  link_id: string;
  topic: string;
  partition: number;
  offset: string;
  chain_id: string | null;
  sequence: string | null;
  previous: string | null;
  hash: string;
  event_type: string | null;
  event_time: string | null;
  record: Buffer | null;
  problem: string | null;
}

/**
 * Links written by transactions in [fromTxid, toTxid), after `afterLinkId` when the window was
 * read in pages, in write order (within a partition, Kafka order: its batches commit one after
 * the other).
 */
export async function readIntegrityLinks(db: SqlRunner, window: { readonly fromTxid: string; readonly toTxid: string; readonly afterLinkId: string }, limit: number): Promise<StoredIntegrityLink[]> {
  const rows = await db.query<LinkRecord[]>(
    `SELECT link_id::text, topic, partition, "offset"::text, chain_id, sequence::text, encode(previous, 'hex') AS previous, encode(hash, 'hex') AS hash, event_type, event_time, record, problem
     FROM integrity_link
     WHERE txid >= $1::xid8 AND txid < $2::xid8 AND link_id > $3::bigint
     ORDER BY integrity_link.link_id
     LIMIT $4`,
    [window.fromTxid, window.toTxid, window.afterLinkId, limit],
  );
  return rows.map((row) => ({
    linkId: row.link_id,
    topic: row.topic,
    partition: row.partition,
    offset: row.offset,
    chainId: row.chain_id,
    sequence: row.sequence === null ? null : Number(row.sequence),
    previous: row.previous,
    hash: row.hash,
    eventType: row.event_type,
    eventTime: row.event_time,
    record: row.record,
    problem: row.problem,
  }));
}
