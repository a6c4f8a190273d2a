// What `ChainVerifier.finish()` returns: what is proven per chain, and every finding, named.

export const FINDING_KINDS = [
  'gap',
  'broken_link',
  'reordered',
  'conflicting_record',
  'bad_signature',
  'unknown_key',
  'checkpoint_mismatch',
  'replayed_checkpoint',
  'malformed_record',
] as const;

export type FindingKind = (typeof FINDING_KINDS)[number];

/** Where a record was read: Kafka coordinates, and the line of an export file when read from one. */
export interface RecordLocation {
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: string;
  readonly line?: number;
}

export interface Finding {
  readonly kind: FindingKind;
  readonly chainId?: string;
  /** The chain sequence concerned (the first one, for a gap). */
  readonly sequence?: number;
  /** The last missing sequence of a gap. */
  readonly toSequence?: number;
  /** What was found, in words: sequences, short hashes, locations; never record content. */
  readonly evidence: string;
  readonly location?: RecordLocation;
}

/** How the first event of a chain links backwards. */
export type ChainAnchor =
  | { readonly kind: 'genesis' }
  | { readonly kind: 'checkpoint'; readonly chainId: string; readonly sequence: number }
  | { readonly kind: 'outside_input'; readonly hash: string }
  | { readonly kind: 'not_seen' };

export interface VerifiedCheckpoint {
  /** The chain sequence of the checkpoint record itself. */
  readonly checkpointSequence: number;
  /** The last event it covers. */
  readonly toSequence: number;
  readonly lastTime: string;
  readonly keyId: string;
}

export interface ChainReport {
  readonly chainId: string;
  readonly instance: string;
  readonly boot: string;
  readonly firstSequence: number;
  readonly lastSequence: number;
  /** Distinct positions seen (redeliveries not counted). */
  readonly events: number;
  readonly checkpoints: number;
  readonly redelivered: number;
  readonly anchor: ChainAnchor;
  /** The last checkpoint such that everything from firstSequence up to it is present, linked and signed, with no finding on the way; null if none. */
  readonly verifiedThrough: VerifiedCheckpoint | null;
  /** Events after the last valid checkpoint: present and linked perhaps, but not signed for yet. */
  readonly unanchoredTail: { readonly fromSequence: number; readonly toSequence: number } | null;
  readonly findings: number;
}

export interface VerificationReport {
  readonly ok: boolean;
  readonly records: number;
  readonly chained: number;
  /** Records without chain attributes (written before chaining, or by a producer that does not chain). */
  readonly unchained: number;
  /** Byte-identical copies of a record already seen (at-least-once delivery). */
  readonly redelivered: number;
  readonly chains: readonly ChainReport[];
  readonly findings: readonly Finding[];
}
