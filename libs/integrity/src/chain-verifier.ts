// The verifier side: records are fed in any order across partitions (a chain is spread over the
// decision partitions by user), each with where it was read. Per chain, positions are buffered
// until the next expected sequence arrives, then checked in order: the link to the previous
// event, and each checkpoint against the events it covers. Within one partition a chain's
// sequences must rise: that is what catches two records swapped in place.
import { INTEGRITY_CHECKPOINT_EVENT_TYPE, eventTypeFamily, isKnownEventFamily, type IntegrityCheckpointData } from '@authtrail/events';
import { GENESIS_LINK, readChainPosition, splitChainId, type ChainPosition } from './chain-position';
import { recordHash } from './chain-writer';
import { readCheckpoint } from './checkpoint-record';
import { HashStore } from './hash-store';
import type { VerificationKeyRing } from './key-ring';
import type { ChainAnchor, ChainReport, Finding, FindingKind, RecordLocation, VerificationReport, VerifiedCheckpoint } from './verification-report';

export interface ChainVerifierOptions {
  /** Public keys by id; checkpoints signed with another key are `unknown_key`. */
  readonly keys: VerificationKeyRing;
  /**
   * The input may start in the middle of chains (an export with a start time, Kafka retention):
   * missing sequences before the first one seen of a chain are then not a gap. Default false.
   */
  readonly allowPartialStart?: boolean;
}

/** A chained record as a consumer that parsed it keeps it. */
export interface ChainLink {
  readonly position: ChainPosition;
  readonly type: string;
  readonly time: string | undefined;
  /** Lower-case hex SHA-256 of the record value (recordHash). */
  readonly hash: string;
}

export interface WaitingChain {
  readonly chainId: string;
  /** The first missing sequence. */
  readonly missingFrom: number;
  /** Positions received after it, waiting to be checked. */
  readonly waitingPositions: number;
}

export interface SuspectedReplay {
  /** The partition it ends (an opaque key). */
  readonly partition: string;
  readonly chainId: string;
  /** The sequence of the checkpoint copied. */
  readonly sequence: number;
}

interface CheckpointInfo {
  readonly data: IntegrityCheckpointData;
  readonly signed: boolean;
}

interface Entry {
  readonly sequence: number;
  readonly hash: string;
  readonly previous: string;
  readonly time: string | undefined;
  readonly checkpoint: CheckpointInfo | undefined;
  readonly location: RecordLocation;
}

interface ChainState {
  readonly id: string;
  readonly instance: string;
  readonly boot: string;
  readonly hashes: HashStore;
  readonly pending: Map<number, Entry>;
  readonly checkpointSequences: Set<number>;
  readonly verified: VerifiedCheckpoint[];
  /** Lowest sequence of a finding of this chain: nothing at or after it is proven. */
  firstFindingAt: number;
  events: number;
  redelivered: number;
  minSeen: number;
  maxSeen: number;
  /** The next sequence to check in order. */
  next: number;
  /** Sequence the in-order checks started from (1, or where a partial input starts). */
  start: number | undefined;
  previousHash: string | undefined;
  previousTime: string | undefined;
  anchorLink: string | undefined;
  lastCheckpoint: { readonly sequence: number; readonly hash: string } | undefined;
  /** A gap since the last checkpoint (or the start): the range checks of the next checkpoint cannot be made. */
  rangeUnknown: boolean;
  rangeFirstTime: string | undefined;
}

interface PartitionState {
  readonly lastSequence: Map<string, number>;
  readonly newestCheckpoint: Map<string, number>;
  /** The checkpoint that arrived last in this partition, waiting for the record after it. */
  awaitingSuccessor: string | undefined;
  /** An older checkpoint seen again after a newer one: a spool resend if the next record is the copy of the one that followed it. */
  suspect: { readonly chain: ChainState; readonly sequence: number; readonly expected: string; readonly newest: number; readonly location: RecordLocation } | undefined;
}

const short = (hash: string) => `${hash.slice(0, 12)}…`;
const where = (location: RecordLocation) =>
  [location.topic !== undefined ? `${location.topic}` : undefined, location.partition !== undefined ? `partition ${location.partition}` : undefined, location.offset !== undefined ? `offset ${location.offset}` : undefined, location.line !== undefined ? `line ${location.line}` : undefined]
    .filter((part) => part !== undefined)
    .join(' ') || 'unknown location';

export class ChainVerifier {
  private readonly keys: VerificationKeyRing;
  private readonly allowPartialStart: boolean;
  private readonly chains = new Map<string, ChainState>();
  private readonly partitions = new Map<string, PartitionState>();
  private readonly checkpointsByHash = new Map<string, { readonly chainId: string; readonly sequence: number }>();
  /** `<chain>#<sequence>` of a checkpoint → hash of the record after it in its partition. */
  private readonly checkpointSuccessors = new Map<string, string>();
  private readonly findings: Finding[] = [];
  private findingsTaken = 0;
  private records = 0;
  private chained = 0;
  private unchained = 0;
  private redelivered = 0;
  private finished = false;

  constructor(options: ChainVerifierOptions) {
    this.keys = options.keys;
    this.allowPartialStart = options.allowPartialStart ?? false;
  }

  /** Feeds one record value as consumed (null: a tombstone), with where it was read. Never throws on bad input. */
  add(value: Uint8Array | null, location: RecordLocation): void {
    if (this.finished) throw new Error('ChainVerifier: add() after finish()');
    this.records += 1;
    if (value === null) return this.malformed(undefined, 'the record has no value (a tombstone)', location);
    const text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      return this.malformed(undefined, `the record value (${value.byteLength} bytes) is not JSON`, location);
    }
    if (typeof event !== 'object' || event === null || Array.isArray(event)) return this.malformed(undefined, 'the record value is not a JSON object', location);
    const fields = event as Readonly<Record<string, unknown>>;
    const read = readChainPosition(fields);
    if (read.kind === 'unchained') {
      this.unchained += 1;
      return;
    }
    if (read.kind === 'malformed') return this.malformed(undefined, read.detail, location);
    this.chained += 1;
    this.addPosition(read.position, fields, text, recordHash(value), location);
  }

  /**
   * Feeds one chained position that a consumer has already read from its record (the projector
   * keeps the link of each record it projected): its type, time and the SHA-256 of the record
   * value. Checkpoints go through add(), whose signature check needs the record's bytes.
   */
  addLink(link: ChainLink, location: RecordLocation): void {
    if (this.finished) throw new Error('ChainVerifier: addLink() after finish()');
    if (link.type === INTEGRITY_CHECKPOINT_EVENT_TYPE) throw new Error('ChainVerifier: a checkpoint is fed with add(), with its bytes');
    this.records += 1;
    this.chained += 1;
    this.addPosition(link.position, { type: link.type, time: link.time }, undefined, link.hash, location);
  }

  private addPosition(position: ChainPosition, fields: Readonly<Record<string, unknown>>, text: string | undefined, hash: string, location: RecordLocation): void {
    const { chainid, chainseq: sequence, chainprev } = position;
    const chain = this.chainOf(chainid);
    if (location.partition !== undefined) this.followPartition(this.partitionOf(location), hash);

    const known = chain.hashes.get(sequence);
    if (known) return this.repeated(chain, sequence, known.toString('hex') === hash, hash, location);
    chain.hashes.set(sequence, hash);
    chain.events += 1;
    chain.minSeen = Math.min(chain.minSeen, sequence);
    chain.maxSeen = Math.max(chain.maxSeen, sequence);

    const checkpoint = this.checkpointOf(chain, sequence, text, fields, location);
    if (checkpoint) {
      chain.checkpointSequences.add(sequence);
      this.checkpointsByHash.set(hash, { chainId: chain.id, sequence });
      if (location.partition !== undefined) this.partitionOf(location).awaitingSuccessor = `${chain.id}#${sequence}`;
    }
    this.checkPartitionOrder(chain, sequence, checkpoint !== undefined, location);
    // Behind the in-order check already: its gap was named by settle(), and the finding stands.
    if (chain.start !== undefined && sequence < chain.next) return;
    const time = typeof fields['time'] === 'string' ? fields['time'] : undefined;
    chain.pending.set(sequence, { sequence, hash, previous: chainprev, time, checkpoint, location });
    if (chain.start !== undefined || sequence === 1) this.drain(chain);
  }

  /** A record that could not even be taken out of its container (a bad export line): a malformed_record finding. */
  addUnreadable(detail: string, location: RecordLocation): void {
    if (this.finished) throw new Error('ChainVerifier: addUnreadable() after finish()');
    this.records += 1;
    this.report(undefined, 'malformed_record', undefined, detail, location);
  }

  /** Checks what is still buffered (across gaps) and reports. Call once, after the last record. */
  finish(): VerificationReport {
    if (!this.finished) {
      this.finished = true;
      for (const chain of this.chains.values()) this.drainAcrossGaps(chain);
      // A copy of an old checkpoint that ends its partition: nothing shows it was a resend.
      for (const partition of this.partitions.values()) if (partition.suspect) this.replayed(partition);
    }
    const chains = [...this.chains.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((chain) => this.reportOf(chain));
    return { ok: this.findings.length === 0, records: this.records, chained: this.chained, unchained: this.unchained, redelivered: this.redelivered, chains, findings: [...this.findings] };
  }

  /**
   * For a long-running consumer (projector, SIEM exporter), which never calls finish(): the
   * findings made since the last call. Gaps are named only by finish() or settle(): until then a
   * missing position may still arrive; waiting() and status() show how far each chain is checked.
   */
  takeFindings(): Finding[] {
    const fresh = this.findings.slice(this.findingsTaken);
    this.findingsTaken = this.findings.length;
    return fresh;
  }

  /** Every chain as checked so far (the positions after a missing one wait in a buffer). */
  status(): ChainReport[] {
    return [...this.chains.values()].map((chain) => this.reportOf(chain));
  }

  /** Chains whose next position is missing while later ones wait: a gap, or a record still on its way in another partition. */
  waiting(): WaitingChain[] {
    const waiting: WaitingChain[] = [];
    for (const chain of this.chains.values()) {
      if (chain.pending.size > 0) waiting.push({ chainId: chain.id, missingFrom: chain.start === undefined ? 1 : chain.next, waitingPositions: chain.pending.size });
    }
    return waiting;
  }

  /**
   * For a long-running consumer: names the gaps of one chain now, as finish() would, and checks
   * the positions that waited behind them. A position that arrives later still counts (a
   * conflicting or reordered record is found as usual) but never undoes the finding.
   */
  settle(chainId: string): void {
    const chain = this.chains.get(chainId);
    if (chain && chain.pending.size > 0) this.drainAcrossGaps(chain);
  }

  /**
   * Copies of an older checkpoint that end their partition so far: a resend if the copy of the
   * record after it comes next, a replay otherwise (settleReplay() decides at once).
   */
  suspectedReplays(): SuspectedReplay[] {
    const suspects: SuspectedReplay[] = [];
    for (const [partition, state] of this.partitions) {
      if (state.suspect) suspects.push({ partition, chainId: state.suspect.chain.id, sequence: state.suspect.sequence });
    }
    return suspects;
  }

  /** Names the suspected copy of `partition` a replayed checkpoint, as finish() would (nothing followed it). */
  settleReplay(partition: string): void {
    const state = this.partitions.get(partition);
    if (state) this.replayed(state);
  }

  /** Drops what is kept of a chain (a boot that stopped and whose last checkpoint is verified); a later record of it starts it afresh. */
  forget(chainId: string): void {
    this.chains.delete(chainId);
  }

  private chainOf(chainId: string): ChainState {
    let chain = this.chains.get(chainId);
    if (!chain) {
      const { instance, boot } = splitChainId(chainId) as { instance: string; boot: string };
      chain = {
        id: chainId,
        instance,
        boot,
        hashes: new HashStore(),
        pending: new Map(),
        checkpointSequences: new Set(),
        verified: [],
        firstFindingAt: Infinity,
        events: 0,
        redelivered: 0,
        minSeen: Infinity,
        maxSeen: 0,
        next: 1,
        start: undefined,
        previousHash: undefined,
        previousTime: undefined,
        anchorLink: undefined,
        lastCheckpoint: undefined,
        rangeUnknown: false,
        rangeFirstTime: undefined,
      };
      this.chains.set(chainId, chain);
    }
    return chain;
  }

  /** A position seen before: the same bytes are a redelivery; other bytes are a second record claiming it. */
  private repeated(chain: ChainState, sequence: number, identical: boolean, hash: string, location: RecordLocation): void {
    if (!identical) {
      const first = chain.pending.get(sequence)?.location;
      const firstAt = first ? ` (first seen at ${where(first)})` : '';
      return this.report(chain, 'conflicting_record', sequence, `a record with hash ${short(hash)} claims sequence ${sequence}, already taken by a different record${firstAt}`, location);
    }
    if (chain.checkpointSequences.has(sequence) && location.partition !== undefined) {
      const partition = this.partitionOf(location);
      const newest = partition.newestCheckpoint.get(chain.id) ?? 0;
      if (newest > sequence) {
        // A crash in the middle of a spool replay resends a whole segment in its order, older
        // checkpoints included: decided by the record that comes next (followPartition).
        const expected = this.checkpointSuccessors.get(`${chain.id}#${sequence}`);
        if (expected === undefined) return this.report(chain, 'replayed_checkpoint', sequence, `the checkpoint at sequence ${sequence} appears again after the newer checkpoint at sequence ${newest} in the same partition`, location);
        partition.suspect = { chain, sequence, expected, newest, location };
        return;
      }
    }
    this.countRedelivered(chain);
  }

  private countRedelivered(chain: ChainState): void {
    chain.redelivered += 1;
    this.redelivered += 1;
  }

  /** Per partition, in arrival order: what came after each checkpoint, and whether a suspect copy was a resend. */
  private followPartition(partition: PartitionState, hash: string): void {
    if (partition.awaitingSuccessor !== undefined) {
      if (!this.checkpointSuccessors.has(partition.awaitingSuccessor)) this.checkpointSuccessors.set(partition.awaitingSuccessor, hash);
      partition.awaitingSuccessor = undefined;
    }
    const suspect = partition.suspect;
    if (suspect === undefined) return;
    if (hash === suspect.expected) {
      partition.suspect = undefined;
      this.countRedelivered(suspect.chain);
    } else this.replayed(partition);
  }

  private replayed(partition: PartitionState): void {
    const suspect = partition.suspect;
    if (!suspect) return;
    partition.suspect = undefined;
    this.report(suspect.chain, 'replayed_checkpoint', suspect.sequence, `the checkpoint at sequence ${suspect.sequence} appears again after the newer checkpoint at sequence ${suspect.newest} in the same partition, and not as part of a resend of what followed it`, suspect.location);
  }

  private checkpointOf(chain: ChainState, sequence: number, text: string | undefined, event: Readonly<Record<string, unknown>>, location: RecordLocation): CheckpointInfo | undefined {
    const type = event['type'];
    if (typeof type !== 'string') {
      this.report(chain, 'malformed_record', sequence, 'the event has no type', location);
      return undefined;
    }
    if (type !== INTEGRITY_CHECKPOINT_EVENT_TYPE) {
      // A chain holds authtrail events only; a type this verifier cannot name is a touched record (or a verifier older than its producers).
      const family = eventTypeFamily(type)?.family;
      if (!isKnownEventFamily(type) || family === eventTypeFamily(INTEGRITY_CHECKPOINT_EVENT_TYPE)?.family) {
        this.report(chain, 'malformed_record', sequence, `the event type (${type.length} characters) is not one this verifier knows`, location);
      }
      return undefined;
    }
    // addLink() refuses checkpoints, so a checkpoint always comes with its bytes.
    const read = readCheckpoint(text ?? '', event, this.keys);
    if (!read.ok) {
      this.report(chain, 'malformed_record', sequence, read.detail, location);
      return undefined;
    }
    if (!read.signature.ok) this.report(chain, read.signature.kind, sequence, read.signature.detail, location);
    return { data: read.data, signed: read.signature.ok };
  }

  private checkPartitionOrder(chain: ChainState, sequence: number, isCheckpoint: boolean, location: RecordLocation): void {
    if (location.partition === undefined) return;
    const partition = this.partitionOf(location);
    const last = partition.lastSequence.get(chain.id) ?? 0;
    if (sequence < last) {
      this.report(chain, 'reordered', sequence, `sequence ${sequence} comes after sequence ${last} of the same chain in ${where({ topic: location.topic, partition: location.partition })}`, location);
    } else partition.lastSequence.set(chain.id, sequence);
    if (isCheckpoint && sequence > (partition.newestCheckpoint.get(chain.id) ?? 0)) partition.newestCheckpoint.set(chain.id, sequence);
  }

  private partitionOf(location: RecordLocation): PartitionState {
    const key = `${location.topic ?? ''}\u0000${location.partition ?? ''}`;
    let partition = this.partitions.get(key);
    if (!partition) {
      partition = { lastSequence: new Map(), newestCheckpoint: new Map(), awaitingSuccessor: undefined, suspect: undefined };
      this.partitions.set(key, partition);
    }
    return partition;
  }

  private drain(chain: ChainState): void {
    if (chain.start === undefined) {
      if (!chain.pending.has(1)) return;
      chain.start = 1;
    }
    for (let entry = chain.pending.get(chain.next); entry; entry = chain.pending.get(chain.next)) {
      chain.pending.delete(chain.next);
      this.check(chain, entry);
      chain.next += 1;
    }
  }

  /** At the end: what is still buffered sits after a gap. Name the gap and go on checking after it. */
  private drainAcrossGaps(chain: ChainState): void {
    this.drain(chain);
    const covering = [...chain.pending.values()].filter((entry) => entry.checkpoint !== undefined);
    for (const resume of [...chain.pending.keys()].sort((a, b) => a - b)) {
      if (!chain.pending.has(resume)) continue;
      const from = chain.start === undefined ? 1 : chain.next;
      if (!(chain.start === undefined && this.allowPartialStart)) {
        const cover = covering.find((entry) => (entry.checkpoint as CheckpointInfo).data.fromSequence <= resume - 1 && (entry.checkpoint as CheckpointInfo).data.toSequence >= from);
        const covered = cover === undefined ? '' : `; the checkpoint at sequence ${cover.sequence} covers them (truncation)`;
        const range = from === resume - 1 ? `sequence ${from} is missing` : `sequences ${from}-${resume - 1} are missing`;
        this.report(chain, 'gap', from, `${range}${covered}`, undefined, resume - 1);
      }
      chain.start ??= resume;
      chain.next = resume;
      chain.previousHash = undefined;
      chain.previousTime = undefined;
      chain.rangeUnknown = true;
      this.drain(chain);
    }
  }

  /** The in-order checks of one position. */
  private check(chain: ChainState, entry: Entry): void {
    const { sequence } = entry;
    if (sequence === 1) chain.anchorLink = entry.previous;
    else if (chain.previousHash !== undefined && entry.previous !== chain.previousHash) {
      this.report(chain, 'broken_link', sequence, `chainprev of sequence ${sequence} is ${short(entry.previous)} but sequence ${sequence - 1} hashes to ${short(chain.previousHash)}`, entry.location);
    }
    if (entry.checkpoint) this.checkCheckpoint(chain, entry, entry.checkpoint);
    else if (chain.lastCheckpoint === undefined ? sequence === chain.start : sequence === chain.lastCheckpoint.sequence + 1) chain.rangeFirstTime = entry.time;
    chain.previousHash = entry.hash;
    chain.previousTime = entry.time;
  }

  private checkCheckpoint(chain: ChainState, entry: Entry, checkpoint: CheckpointInfo): void {
    const { data } = checkpoint;
    const { sequence } = entry;
    const problems: string[] = [];
    if (data.chainId !== chain.id || data.instance !== chain.instance || data.boot !== chain.boot) problems.push('its chainId, instance or boot is not those of the chain it sits in');
    if (data.toSequence !== sequence - 1) problems.push(`it covers up to sequence ${data.toSequence} but sits at sequence ${sequence}`);
    if (data.count !== data.toSequence - data.fromSequence + 1) problems.push(`count ${data.count} does not match the range ${data.fromSequence}-${data.toSequence}`);
    if (data.head !== entry.previous) problems.push(`head ${short(data.head)} differs from its own chainprev ${short(entry.previous)}`);
    else if (chain.previousHash !== undefined && data.head !== chain.previousHash) problems.push(`head ${short(data.head)} but sequence ${sequence - 1} hashes to ${short(chain.previousHash)}`);
    if (chain.previousTime !== undefined && data.lastTime !== chain.previousTime) problems.push(`lastTime differs from the time of sequence ${sequence - 1}`);
    if (!chain.rangeUnknown) {
      const expectedFrom = chain.lastCheckpoint ? chain.lastCheckpoint.sequence + 1 : 1;
      if (data.fromSequence !== expectedFrom) problems.push(`it starts at sequence ${data.fromSequence}, the previous checkpoint ends the range at ${expectedFrom - 1}`);
      const expectedPrevious = chain.lastCheckpoint ? chain.lastCheckpoint.hash : chain.anchorLink === GENESIS_LINK ? null : (chain.anchorLink ?? null);
      if (data.previousCheckpoint !== expectedPrevious) problems.push(`previousCheckpoint ${data.previousCheckpoint === null ? 'null' : short(data.previousCheckpoint)} is not ${expectedPrevious === null ? 'null (the chain starts from genesis)' : short(expectedPrevious)}`);
      if (chain.rangeFirstTime !== undefined && data.firstTime !== chain.rangeFirstTime) problems.push(`firstTime differs from the time of sequence ${data.fromSequence}`);
    }
    for (const problem of problems) this.report(chain, 'checkpoint_mismatch', sequence, `checkpoint at sequence ${sequence}: ${problem}`, entry.location);
    if (problems.length === 0 && checkpoint.signed) chain.verified.push({ checkpointSequence: sequence, toSequence: data.toSequence, lastTime: data.lastTime, keyId: data.keyId });
    chain.lastCheckpoint = { sequence, hash: entry.hash };
    chain.rangeUnknown = false;
    chain.rangeFirstTime = undefined;
  }

  private malformed(chain: ChainState | undefined, evidence: string, location: RecordLocation): void {
    this.report(chain, 'malformed_record', undefined, `${evidence} at ${where(location)}`, location);
  }

  private report(chain: ChainState | undefined, kind: FindingKind, sequence: number | undefined, evidence: string, location: RecordLocation | undefined, toSequence?: number): void {
    if (chain && sequence !== undefined) chain.firstFindingAt = Math.min(chain.firstFindingAt, sequence);
    this.findings.push({
      kind,
      ...(chain ? { chainId: chain.id } : {}),
      ...(sequence !== undefined ? { sequence } : {}),
      ...(toSequence !== undefined ? { toSequence } : {}),
      evidence,
      ...(location ? { location } : {}),
    });
  }

  private reportOf(chain: ChainState): ChainReport {
    const firstSequence = chain.minSeen === Infinity ? 0 : chain.minSeen;
    const verified = chain.verified.filter((checkpoint) => checkpoint.checkpointSequence < chain.firstFindingAt);
    const verifiedThrough = verified.length > 0 ? verified[verified.length - 1] : null;
    const anchoredUpTo = verifiedThrough?.checkpointSequence ?? firstSequence - 1;
    return {
      chainId: chain.id,
      instance: chain.instance,
      boot: chain.boot,
      firstSequence,
      lastSequence: chain.maxSeen,
      events: chain.events,
      checkpoints: chain.checkpointSequences.size,
      redelivered: chain.redelivered,
      anchor: this.anchorOf(chain),
      verifiedThrough,
      unanchoredTail: chain.maxSeen > anchoredUpTo ? { fromSequence: anchoredUpTo + 1, toSequence: chain.maxSeen } : null,
      findings: this.findings.filter((finding) => finding.chainId === chain.id).length,
    };
  }

  private anchorOf(chain: ChainState): ChainAnchor {
    if (chain.anchorLink === undefined) return { kind: 'not_seen' };
    if (chain.anchorLink === GENESIS_LINK) return { kind: 'genesis' };
    const checkpoint = this.checkpointsByHash.get(chain.anchorLink);
    return checkpoint ? { kind: 'checkpoint', ...checkpoint } : { kind: 'outside_input', hash: chain.anchorLink };
  }
}
