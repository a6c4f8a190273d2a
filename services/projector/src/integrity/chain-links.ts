// The link each chained record leaves in the read model (docs/integrity.md, "In the projector"):
// taken from the event the projector decoded anyway, so only the record's SHA-256 is extra work.
// A record that carries chain attributes but cannot be decoded still leaves one, with its problem:
// a rewritten record must not vanish from the verification by failing the schema.
import { INTEGRITY_CHECKPOINT_EVENT_TYPE, type AuthtrailEvent } from '@authtrail/events';
import type { ConsumedRecord } from '@authtrail/event-bus';
import { readChainPosition, recordHash } from '@authtrail/integrity';
import type { IntegrityLinkRow } from '@authtrail/read-model';

const where = (record: ConsumedRecord) => ({ topic: record.topic, partition: record.partition, offset: record.offset });

function linkOf(fields: Readonly<Record<string, unknown>>, record: ConsumedRecord, value: Buffer): IntegrityLinkRow | undefined {
  const read = readChainPosition(fields);
  if (read.kind === 'unchained') return undefined;
  const hash = recordHash(value);
  if (read.kind === 'malformed') return unreadable(record, hash, read.detail);
  const type = typeof fields['type'] === 'string' ? fields['type'] : null;
  const time = typeof fields['time'] === 'string' ? fields['time'] : null;
  const { chainid, chainseq, chainprev } = read.position;
  return { ...where(record), chainId: chainid, sequence: chainseq, previous: chainprev, hash, eventType: type, eventTime: time, record: type === INTEGRITY_CHECKPOINT_EVENT_TYPE ? value : null, problem: null };
}

function unreadable(record: ConsumedRecord, hash: string, problem: string): IntegrityLinkRow {
  return { ...where(record), chainId: null, sequence: null, previous: null, hash, eventType: null, eventTime: null, record: null, problem };
}

/** The link of a record the projector decoded; undefined when its event is not chained. */
export function linkOfDecoded(event: AuthtrailEvent, record: ConsumedRecord): IntegrityLinkRow | undefined {
  return record.value === null ? undefined : linkOf(event as unknown as Readonly<Record<string, unknown>>, record, record.value);
}

/**
 * The link of a record the projector could not decode (it goes to the dead-letter topic): read
 * here just far enough to find its chain position. Undefined when it carries none.
 */
export function linkOfUndecodable(record: ConsumedRecord): IntegrityLinkRow | undefined {
  if (record.value === null || record.value.length === 0) return unreadable(record, recordHash(Buffer.alloc(0)), 'the record has no value (a tombstone)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(record.value.toString('utf8'));
  } catch {
    return unreadable(record, recordHash(record.value), `the record value (${record.value.length} bytes) is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return unreadable(record, recordHash(record.value), 'the record value is not a JSON object');
  return linkOf(parsed as Readonly<Record<string, unknown>>, record, record.value);
}
