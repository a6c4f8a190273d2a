// Decoding a batch of records: the first occurrence of each event id is kept, repeats are
// counted, poison records are set aside with why. Incremental (`add` one record at a time,
// `takeEvents` what is decoded so far) so the batch handler can send the decoded part to
// Postgres while it decodes the rest.
import type { AuthtrailEvent } from '@authtrail/events';
import type { ConsumedRecord } from '@authtrail/event-bus';
import type { IntegrityLinkRow } from '@authtrail/read-model';
import { decodeRecord, type PoisonReason, type RecordDecoder } from './decode-record';
import { linkOfDecoded, linkOfUndecodable } from './integrity/chain-links';

export interface PoisonRecord {
  readonly record: ConsumedRecord;
  readonly reason: PoisonReason;
  readonly detail: string;
}

/** An event with the record it came from; `verbatim`: the record's bytes are its JSON (decodeRecord). */
export interface DecodedEvent {
  readonly event: AuthtrailEvent;
  readonly record: ConsumedRecord;
  readonly verbatim: boolean;
}

export class BatchDecoder {
  private pending: DecodedEvent[] = [];
  private readonly poison: PoisonRecord[] = [];
  private readonly seen = new Set<string>();
  private readonly links: IntegrityLinkRow[] = [];
  private repeats = 0;

  constructor(private readonly decode: RecordDecoder = decodeRecord) {}

  add(record: ConsumedRecord): void {
    const decoded = this.decode(record);
    // Every chained record leaves its link, repeats and poison included: the chain verifier
    // tells a redelivery from a replayed or rewritten record, not the decoder.
    const link = decoded.ok ? linkOfDecoded(decoded.event, record) : linkOfUndecodable(record);
    if (link) this.links.push(link);
    if (!decoded.ok) {
      this.poison.push({ record, reason: decoded.reason, detail: decoded.detail });
      return;
    }
    const id = decoded.event.id.toLowerCase();
    if (this.seen.has(id)) {
      this.repeats += 1;
      return;
    }
    this.seen.add(id);
    this.pending.push({ event: decoded.event, record, verbatim: decoded.verbatim });
  }

  /**
   * The distinct events decoded since the last call, in record order. The decoder lets go of
   * them (it keeps only their ids), so a slice can be garbage once it is written.
   */
  takeEvents(): DecodedEvent[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }

  /** The chain links of every record added, in record order. */
  get chainLinks(): readonly IntegrityLinkRow[] {
    return this.links;
  }

  get poisonRecords(): readonly PoisonRecord[] {
    return this.poison;
  }

  /** Records whose event id already occurred earlier in the batch. */
  get repeatedInBatch(): number {
    return this.repeats;
  }
}
