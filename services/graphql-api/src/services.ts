// What the resolvers use besides the read session: limits, clock, and the optional write side
// (publisher, fingerprinter). Built once per server by buildGraphqlServer.
import type { EventPublisher } from '@authtrail/authentication';
import type { Publisher } from '@authtrail/event-bus';
import type { VerificationKeyRing } from '@authtrail/integrity';
import type { QueryRunnerLike } from '@authtrail/read-model';
import type { DecisionFeed } from './feed/decision-feed';

export interface GraphqlLimits {
  /** Cap of `first` on every connection; above it → PAGE_SIZE_TOO_LARGE. */
  readonly maxPageSize: number;
  /** `first` when the client gives none (also the complexity multiplier then). */
  readonly defaultPageSize: number;
  /** Maximum selection depth → QUERY_TOO_DEEP. */
  readonly maxDepth: number;
  /** Maximum aliases per document → TOO_MANY_ALIASES. */
  readonly maxAliases: number;
  /** Maximum estimated cost (fields × page sizes) → QUERY_TOO_COMPLEX. */
  readonly maxComplexity: number;
  /** Postgres statement_timeout of every query of an operation → QUERY_TIMEOUT. */
  readonly queryTimeoutMs: number;
  /** `failureStats(limit:)` cap. */
  readonly maxFailureGroups: number;
  /** Largest `failureStats` window with a per-minute series (points = window / bucket). */
  readonly maxSeriesPoints: number;
  /** Request body cap in bytes. */
  readonly bodyLimitBytes: number;
  /**
   * How long a compare-and-set mutation (applyPolicy, liftRevocation) waits for the read model to
   * show its outcome after publishing → OUTCOME_PENDING.
   */
  readonly mutationTimeoutMs: number;
}

/** The one place the API's limits default. */
export const DEFAULT_LIMITS: GraphqlLimits = {
  maxPageSize: 500,
  defaultPageSize: 50,
  maxDepth: 8,
  maxAliases: 15,
  maxComplexity: 20_000,
  queryTimeoutMs: 5_000,
  maxFailureGroups: 500,
  maxSeriesPoints: 10_080,
  bodyLimitBytes: 256 * 1024,
  mutationTimeoutMs: 10_000,
};

/** Mutations publish control events through this (absent: mutations answer NOT_CONFIGURED). */
export interface ControlPublisher {
  readonly publisher: Publisher;
  /** This instance's hash chain (docs/integrity.md) when it has one on the same publisher; absent: control events go out unchained. */
  readonly events?: EventPublisher;
  /** The CloudEvents `source` of this API instance, e.g. `/authtrail/graphql-api/<host>`. */
  readonly source: string;
  /**
   * The read model outside any operation's snapshot (the data source: each query sees what is
   * committed now). Compare-and-set mutations poll it for the outcome of what they published;
   * the operation's own read session is one REPEATABLE READ snapshot and would never see it.
   */
  readonly readModel: QueryRunnerLike;
}

export interface GraphqlServices {
  readonly limits: GraphqlLimits;
  readonly now: () => Date;
  readonly newEventId: (time: Date) => string;
  /** `credentialFingerprint`; absent when no fingerprint key is configured. */
  readonly fingerprint?: (secret: string) => string;
  /**
   * A username's hash under every configured fingerprint key (`claimedUsername`,
   * `failureStats(usernames:)`); absent when no key is configured.
   */
  readonly usernameHashes?: (username: string) => readonly string[];
  readonly control?: ControlPublisher;
  /** The public keys of this instance's integrity checkpoints (its producer boot's). */
  readonly integrityKeys?: VerificationKeyRing;
  readonly feed: DecisionFeed;
}
