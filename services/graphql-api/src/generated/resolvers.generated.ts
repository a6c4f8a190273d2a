// GENERATED from src/schema/*.graphql by graphql-codegen (services/graphql-api/codegen.yml). Do not edit.
/* eslint-disable */
import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { DecisionView, IdentityView, CredentialView, RevocationView, AuditHealthView, PartitionStatusView, ProducerSequenceView } from '@authtrail/read-model';
import type { PolicyModel } from '../resolvers/policy.mapper';
import type { FailureGroupModel } from '../resolvers/failure-stats.mapper';
import type { NormalizedField as NormalizedFieldData, DecisionCaller as DecisionCallerData } from '@authtrail/events';
import type { ConnectionModel } from '../pagination/connection';
import type { GraphqlContext } from '../context';
export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** RFC 3339 date-time with an offset, e.g. `2026-11-29T00:00:00.000Z`. Returned in UTC with milliseconds. */
  DateTime: { input: Date; output: Date | string; }
};

export type Attempt = {
  readonly __typename?: 'Attempt';
  /** authenticated | abstained | rejected | errored */
  readonly outcome: Scalars['String']['output'];
  readonly reason: Maybe<Scalars['String']['output']>;
  readonly strategy: Scalars['String']['output'];
};

/** Is the audit trail complete and current? */
export type AuditHealth = {
  readonly __typename?: 'AuditHealth';
  /** Σ `deadLettered` over the partitions: events the projector could not project and sent to the dead-letter topic. */
  readonly deadLettered: Scalars['Int']['output'];
  /** Σ `dropped` over every producer boot: decision events the producers dropped themselves (a subset of what `sequenceGaps` counts). */
  readonly droppedEvents: Scalars['Int']['output'];
  /** Time of the newest projected decision. */
  readonly lastEventTime: Maybe<Scalars['DateTime']['output']>;
  readonly partitions: ReadonlyArray<PartitionLag>;
  readonly producers: ReadonlyArray<ProducerSequence>;
  /** Sum of the per-partition lag of the projector. */
  readonly projectorLag: Scalars['Int']['output'];
  /** Σ `missing` over every producer boot: decision events that are not in the read model because they never arrived. */
  readonly sequenceGaps: Scalars['Int']['output'];
};

export type AuditIntegrity = {
  readonly __typename?: 'AuditIntegrity';
  /** True when no chain of the answer has a finding, none waits on a missing position, and no unattributed finding was made. */
  readonly ok: Scalars['Boolean']['output'];
  readonly producers: ReadonlyArray<ProducerIntegrity>;
  /** Findings about records whose chain cannot be read (not JSON, a tombstone, malformed chain attributes), made in the window. */
  readonly unattributedFindings: ReadonlyArray<IntegrityFinding>;
};

/** Width of one point of a failure time series. */
export type BucketSize =
  | 'DAY'
  | 'FIFTEEN_MINUTES'
  | 'FIVE_MINUTES'
  | 'HOUR'
  | 'MINUTE';

/**
 * The leaf of the TLS client certificate chain a caller presented to authtrail (the event's
 * `request.caller.certificate`).
 */
export type CallerCertificate = {
  readonly __typename?: 'CallerCertificate';
  readonly issuer: Scalars['String']['output'];
  /** Serial number, upper-case hex. */
  readonly serial: Scalars['String']['output'];
  /** SHA-256 of the DER certificate, lower-case hex. */
  readonly sha256: Scalars['String']['output'];
  /** Subject distinguished name, RDNs joined by `, ` (e.g. `O=system:masters, CN=kube-apiserver-kubelet-client`). */
  readonly subject: Scalars['String']['output'];
  /**
   * True when the TLS handshake verified the chain against the listener's CA list
   * (`authn.https.clientCAFile`). False: the subject is only what the caller claims — any client can
   * present a self-signed certificate with any subject.
   */
  readonly verified: Scalars['Boolean']['output'];
};

export type ChainAnchor = {
  readonly __typename?: 'ChainAnchor';
  readonly chainId: Maybe<Scalars['String']['output']>;
  readonly hash: Maybe<Scalars['String']['output']>;
  readonly kind: ChainAnchorKind;
  readonly sequence: Maybe<Scalars['String']['output']>;
};

export type ChainAnchorKind =
  /** The chain's first event links to a checkpoint of an earlier boot (`anchorChainId`, `anchorSequence`). */
  | 'CHECKPOINT'
  /** The chain starts from nothing: the first boot of its instance, or one with no earlier checkpoint. */
  | 'GENESIS'
  /** The chain's first position has not been received. */
  | 'NOT_SEEN'
  /** It links to a record the projector never received (`anchorHash`). */
  | 'OUTSIDE_INPUT';

/** Where an event sits in its producer's hash chain (docs/integrity.md). */
export type ChainPosition = {
  readonly __typename?: 'ChainPosition';
  /** `<instance>/<boot>`. */
  readonly id: Scalars['String']['output'];
  /** SHA-256 (hex) of the previous event's record, or of the checkpoint it links to. */
  readonly previous: Scalars['String']['output'];
  /** 1, 2, 3, … over every event the boot published (decimal, 64-bit). */
  readonly sequence: Scalars['String']['output'];
};

/** Token usage: one row per credential fingerprint. */
export type Credential = {
  readonly __typename?: 'Credential';
  readonly distinctSourceIps: Scalars['Int']['output'];
  readonly expiresAt: Maybe<Scalars['DateTime']['output']>;
  readonly failureCount: Scalars['Int']['output'];
  /** `hmac-sha256:<keyId>:<hex>` of the secret; the secret itself is never stored. */
  readonly fingerprint: Scalars['String']['output'];
  readonly firstUsed: Scalars['DateTime']['output'];
  readonly identity: Maybe<Identity>;
  readonly issuer: Maybe<Scalars['String']['output']>;
  readonly lastUsed: Scalars['DateTime']['output'];
  /** Non-secret id: JWT jti, bootstrap token id, certificate serial, static-token uid. */
  readonly publicId: Maybe<Scalars['String']['output']>;
  readonly revoked: Scalars['Boolean']['output'];
  readonly strategy: Maybe<Scalars['String']['output']>;
  readonly type: Scalars['String']['output'];
  readonly useCount: Scalars['Int']['output'];
  readonly username: Maybe<Scalars['String']['output']>;
};

export type CredentialConnection = {
  readonly __typename?: 'CredentialConnection';
  readonly edges: ReadonlyArray<CredentialEdge>;
  readonly pageInfo: PageInfo;
  readonly totalCount: Scalars['Int']['output'];
};

export type CredentialEdge = {
  readonly __typename?: 'CredentialEdge';
  readonly cursor: Scalars['String']['output'];
  readonly node: Credential;
};

export type CredentialFilter = {
  /** Expiring within this many seconds from now (already expired ones included). */
  readonly expiringWithinSeconds?: InputMaybe<Scalars['Int']['input']>;
  readonly fingerprint?: InputMaybe<Scalars['String']['input']>;
  /** Used from more than this many distinct source IPs (a lifted token shows up here). */
  readonly minDistinctSourceIpsExclusive?: InputMaybe<Scalars['Int']['input']>;
  /** Stale: not used since this time. */
  readonly notUsedSince?: InputMaybe<Scalars['DateTime']['input']>;
  readonly publicId?: InputMaybe<Scalars['String']['input']>;
  readonly revoked?: InputMaybe<Scalars['Boolean']['input']>;
  readonly strategies?: InputMaybe<ReadonlyArray<Scalars['String']['input']>>;
  readonly types?: InputMaybe<ReadonlyArray<Scalars['String']['input']>>;
  readonly username?: InputMaybe<Scalars['String']['input']>;
  readonly usernamePrefix?: InputMaybe<Scalars['String']['input']>;
};

/** One authentication decision (one `authtrail.authn.decision.v1` event). */
export type Decision = {
  readonly __typename?: 'Decision';
  readonly attempts: ReadonlyArray<Attempt>;
  /** The process start (boot, a UUIDv7) of `instance` that made the decision; null for events from before boots were recorded. */
  readonly boot: Maybe<Scalars['String']['output']>;
  /** Who sent the request (mTLS client certificate, trusted proxies); null when nothing is known beyond `sourceIp`. Never the authenticated user. */
  readonly caller: Maybe<DecisionCaller>;
  /** Where the event sits in its producer's hash chain; null for an event published before chaining. */
  readonly chain: Maybe<ChainPosition>;
  /**
   * `hmac-sha256-username:<keyId>:<hex>` of the name a refused credential claimed or a person typed
   * (known or not). Find them with `DecisionFilter.claimedUsername`; the name itself is not stored.
   */
  readonly claimedUsernameHash: Maybe<Scalars['String']['output']>;
  /** The credential read model row of `credentialFingerprint` (batched). */
  readonly credential: Maybe<Credential>;
  readonly credentialFingerprint: Maybe<Scalars['String']['output']>;
  readonly credentialPublicId: Maybe<Scalars['String']['output']>;
  readonly credentialType: Maybe<Scalars['String']['output']>;
  readonly decision: DecisionOutcome;
  /** tokenreview | selfsubjectreview | authenticate | forward-auth | graphql */
  readonly endpoint: Maybe<Scalars['String']['output']>;
  readonly forwardedFor: ReadonlyArray<Scalars['String']['output']>;
  readonly groups: ReadonlyArray<Scalars['String']['output']>;
  readonly httpStatus: Scalars['Int']['output'];
  readonly id: Scalars['ID']['output'];
  /** The identity read model row of `username` (batched). */
  readonly identity: Maybe<Identity>;
  /** The authn instance that made the decision. */
  readonly instance: Maybe<Scalars['String']['output']>;
  readonly latencyMicros: Maybe<Scalars['Int']['output']>;
  /** Safe message; never contains a credential. */
  readonly message: Maybe<Scalars['String']['output']>;
  readonly method: Maybe<Scalars['String']['output']>;
  /**
   * Request-derived strings the event builder changed so the decision stays storable and safe to
   * show: control characters, bidi controls and lone surrogates replaced by U+FFFD, over-long values
   * and lists truncated. Empty when nothing was changed.
   */
  readonly normalizedFields: ReadonlyArray<NormalizedField>;
  readonly path: Maybe<Scalars['String']['output']>;
  readonly policyEffects: ReadonlyArray<PolicyEffect>;
  readonly policyVersion: Maybe<Scalars['Int']['output']>;
  /** Stable reason code: ok, unknown_token, invalid_password, token_expired, ... (libs/events REASON_CODES). */
  readonly reason: Scalars['String']['output'];
  /** Position of the decision in its (instance, boot): 1, 2, 3, ... (decimal, 64-bit). Gaps are lost events (see `auditHealth`). */
  readonly sequence: Maybe<Scalars['String']['output']>;
  readonly sourceIp: Maybe<Scalars['String']['output']>;
  /** The strategy that decided. */
  readonly strategy: Maybe<Scalars['String']['output']>;
  readonly time: Scalars['DateTime']['output'];
  readonly tls: Maybe<Scalars['Boolean']['output']>;
  readonly uid: Maybe<Scalars['String']['output']>;
  readonly userAgent: Maybe<Scalars['String']['output']>;
  /**
   * The authenticated user; on failures the claimed username when it cannot be a secret (an account
   * the strategy knows, a certificate CN, a JWT `sub`). A name typed for no known account is never
   * stored: see `claimedUsernameHash`.
   */
  readonly username: Maybe<Scalars['String']['output']>;
  /** True when `username` was only claimed by a rejected credential. */
  readonly usernameClaimed: Scalars['Boolean']['output'];
};

/**
 * Who sent the request to authtrail (the event's `request.caller`) — not who was authenticated:
 * that is `username`, which comes from the credential alone. On a TokenReview the caller is
 * kube-apiserver (its mTLS client certificate) or the trusted proxies in front of it.
 */
export type DecisionCaller = {
  readonly __typename?: 'DecisionCaller';
  /**
   * The client certificate of the TLS connection the request came over, when it was not the
   * credential being judged: on TokenReview and `/v1/authenticate` (a gateway's own certificate);
   * on forward-auth and SelfSubjectReview only when a `clientCertificateProxies` peer handed over the
   * client's certificate (the connection's certificate is then the proxy's). Null over plain HTTP
   * and when the caller sent none.
   */
  readonly certificate: Maybe<CallerCertificate>;
  /**
   * The trusted proxies (`authn.trustedProxies`) between the client (`sourceIp`) and authtrail,
   * nearest the client first, authtrail's peer last. Empty when the client called directly.
   */
  readonly proxies: ReadonlyArray<Scalars['String']['output']>;
};

export type DecisionConnection = {
  readonly __typename?: 'DecisionConnection';
  readonly edges: ReadonlyArray<DecisionEdge>;
  readonly pageInfo: PageInfo;
  /** Exact number of decisions matching the filter (one extra COUNT query, only when selected). */
  readonly totalCount: Scalars['Int']['output'];
};

export type DecisionEdge = {
  readonly __typename?: 'DecisionEdge';
  readonly cursor: Scalars['String']['output'];
  readonly node: Decision;
};

/** Every field narrows the result (AND). List fields match any of their values (OR). */
export type DecisionFilter = {
  /** Exact subject of the caller's certificate (`caller.certificate.subject`), e.g. the API server that sent a TokenReview. */
  readonly callerSubject?: InputMaybe<Scalars['String']['input']>;
  /**
   * **Admins only.** Decisions whose credential claimed, or whose person typed, this username —
   * known account or not (password guesses against `alice`, a password typed into the username
   * field). The name is hashed with every configured fingerprint key and matched against
   * `claimedUsernameHash`; it is neither stored nor logged. `NOT_CONFIGURED` without a key.
   */
  readonly claimedUsername?: InputMaybe<Scalars['String']['input']>;
  readonly credentialFingerprint?: InputMaybe<Scalars['String']['input']>;
  readonly credentialTypes?: InputMaybe<ReadonlyArray<Scalars['String']['input']>>;
  readonly decision?: InputMaybe<DecisionOutcome>;
  readonly endpoint?: InputMaybe<Scalars['String']['input']>;
  readonly reasons?: InputMaybe<ReadonlyArray<Scalars['String']['input']>>;
  /** Exact address, or a CIDR such as `10.0.0.0/8` (matched with Postgres inet `<<=`). */
  readonly sourceIp?: InputMaybe<Scalars['String']['input']>;
  readonly strategies?: InputMaybe<ReadonlyArray<Scalars['String']['input']>>;
  readonly time?: InputMaybe<TimeRange>;
  /** Exact username. */
  readonly username?: InputMaybe<Scalars['String']['input']>;
  /** Usernames starting with this text (e.g. `system:serviceaccount:kube-system:`). */
  readonly usernamePrefix?: InputMaybe<Scalars['String']['input']>;
};

export type DecisionOutcome =
  | 'ALLOW'
  | 'DENY';

/** Stable codes in `errors[].extensions.code`. Clients branch on these, never on messages. */
export type ErrorCode =
  /** An argument has a valid type but an invalid value (bad CIDR, empty key, inverted time range...). */
  | 'BAD_USER_INPUT'
  /**
   * A compare-and-set mutation lost: another policy version or lift is in force (first in the control
   * topic's order). Nothing changed. `extensions.currentVersion` names the policy version in force.
   */
  | 'CONFLICT'
  /** Authenticated, but not in a group allowed to call this field. */
  | 'FORBIDDEN'
  | 'GRAPHQL_PARSE_FAILED'
  /** Syntax or schema validation failure. */
  | 'GRAPHQL_VALIDATION_FAILED'
  /** Anything else; details are in the server log, never in the response. */
  | 'INTERNAL_SERVER_ERROR'
  /** `after` is not a cursor this field handed out. */
  | 'INVALID_CURSOR'
  /** A feature this server was started without (e.g. no fingerprint key configured). */
  | 'NOT_CONFIGURED'
  /**
   * The control event was published, but the read model did not show its outcome within the mutation
   * timeout (10 s by default); the control topic's order decides it. Check `policy` or `revocations`.
   */
  | 'OUTCOME_PENDING'
  /** `first` is above the page size cap (see `extensions.maxPageSize`). */
  | 'PAGE_SIZE_TOO_LARGE'
  /** The event bus refused or dropped the control event; nothing was applied. */
  | 'PUBLISH_FAILED'
  /** The database query ran longer than `graphql.queryTimeout`. */
  | 'QUERY_TIMEOUT'
  /** Estimated cost above the configured maximum. */
  | 'QUERY_TOO_COMPLEX'
  /** Selection nesting deeper than the configured maximum. */
  | 'QUERY_TOO_DEEP'
  /** More aliases in one operation than allowed. */
  | 'TOO_MANY_ALIASES'
  /** No or invalid credentials (HTTP 401). */
  | 'UNAUTHENTICATED';

export type FailureBucket = {
  readonly __typename?: 'FailureBucket';
  readonly count: Scalars['Int']['output'];
  /** Start of the bucket. */
  readonly start: Scalars['DateTime']['output'];
};

export type FailureGroup = {
  readonly __typename?: 'FailureGroup';
  readonly count: Scalars['Int']['output'];
  readonly firstSeen: Scalars['DateTime']['output'];
  /**
   * The grouped value (an IP, a reason code, ...); null when the failures had none (e.g. no
   * username). With `groupBy: USERNAME`, a name that is not stored (typed for no known account)
   * has a null key and its `usernameHash`; when it is one of `failureStats(usernames:)` that name
   * is shown here.
   */
  readonly key: Maybe<Scalars['String']['output']>;
  readonly lastSeen: Scalars['DateTime']['output'];
  /** Counts per bucket of `failureStats(bucket:)`, oldest first, empty buckets left out. Empty without `bucket`. */
  readonly series: ReadonlyArray<FailureBucket>;
  /** `groupBy: USERNAME` only: the hash of a typed name that is not stored in clear (null when the name is known in clear and when no name was given). */
  readonly usernameHash: Maybe<Scalars['String']['output']>;
};

/** Groupings of `failureStats`. */
export type FailureGroupBy =
  | 'CREDENTIAL'
  | 'REASON'
  | 'SOURCE_IP'
  | 'STRATEGY'
  | 'USERNAME';

/** Everyone who authenticated (or claimed a name), per username. */
export type Identity = {
  readonly __typename?: 'Identity';
  /** Credentials used by this identity (batched: one query per page, not per identity). */
  readonly credentials: ReadonlyArray<Credential>;
  readonly failureCount: Scalars['Int']['output'];
  readonly firstSeen: Scalars['DateTime']['output'];
  readonly groups: ReadonlyArray<Scalars['String']['output']>;
  readonly kind: IdentityKind;
  readonly lastSeen: Scalars['DateTime']['output'];
  readonly lastSourceIp: Maybe<Scalars['String']['output']>;
  readonly strategies: ReadonlyArray<Scalars['String']['output']>;
  readonly successCount: Scalars['Int']['output'];
  readonly uid: Maybe<Scalars['String']['output']>;
  readonly username: Scalars['String']['output'];
};

export type IdentityConnection = {
  readonly __typename?: 'IdentityConnection';
  readonly edges: ReadonlyArray<IdentityEdge>;
  readonly pageInfo: PageInfo;
  readonly totalCount: Scalars['Int']['output'];
};

export type IdentityEdge = {
  readonly __typename?: 'IdentityEdge';
  readonly cursor: Scalars['String']['output'];
  readonly node: Identity;
};

export type IdentityFilter = {
  /** Identities in this group. */
  readonly group?: InputMaybe<Scalars['String']['input']>;
  /** Only identities with at least one failure. */
  readonly hasFailures?: InputMaybe<Scalars['Boolean']['input']>;
  readonly kinds?: InputMaybe<ReadonlyArray<IdentityKind>>;
  /** lastSeen within this window. */
  readonly lastSeen?: InputMaybe<TimeRange>;
  /** Identities that used any of these strategies. */
  readonly strategies?: InputMaybe<ReadonlyArray<Scalars['String']['input']>>;
  readonly username?: InputMaybe<Scalars['String']['input']>;
  readonly usernamePrefix?: InputMaybe<Scalars['String']['input']>;
};

export type IdentityKind =
  | 'ANONYMOUS'
  | 'BOOTSTRAP'
  | 'SERVICE_ACCOUNT'
  | 'USER';

export type IntegrityFinding = {
  readonly __typename?: 'IntegrityFinding';
  readonly chainId: Maybe<Scalars['String']['output']>;
  /** What was found, in words: sequences, short hashes, locations; never record content. */
  readonly evidence: Scalars['String']['output'];
  readonly foundAt: Scalars['DateTime']['output'];
  readonly kind: IntegrityFindingKind;
  readonly offset: Maybe<Scalars['String']['output']>;
  readonly partition: Maybe<Scalars['Int']['output']>;
  /** The position concerned (the first missing one of a gap), decimal. */
  readonly sequence: Maybe<Scalars['String']['output']>;
  /** The last missing position of a gap. */
  readonly toSequence: Maybe<Scalars['String']['output']>;
  /** Where the record was read, when the finding is about one. */
  readonly topic: Maybe<Scalars['String']['output']>;
};

export type IntegrityFindingKind =
  /** A checkpoint's signature does not verify. */
  | 'BAD_SIGNATURE'
  /** A record's `chainprev` is not the hash of the record before it (a rewritten record). */
  | 'BROKEN_LINK'
  /** A checkpoint disagrees with the events it covers. */
  | 'CHECKPOINT_MISMATCH'
  /** Two different records claim one position. */
  | 'CONFLICTING_RECORD'
  /** Positions missing from the chain (deleted or truncated records). */
  | 'GAP'
  /** A record that cannot be read as a chained event. */
  | 'MALFORMED_RECORD'
  /** Positions of one chain out of order within a partition (records moved). */
  | 'REORDERED'
  /** An old checkpoint appended again after a newer one. */
  | 'REPLAYED_CHECKPOINT'
  /** A checkpoint signed with a key the projector does not have. */
  | 'UNKNOWN_KEY';

/**
 * An Ed25519 public key the integrity checkpoints verify with: an RFC 8037 JWK (docs/integrity.md).
 * `authtrail verify --jwks` takes a JWK Set of these.
 */
export type IntegrityKey = {
  readonly __typename?: 'IntegrityKey';
  /** `EdDSA`. */
  readonly alg: Scalars['String']['output'];
  /** `Ed25519`. */
  readonly crv: Scalars['String']['output'];
  /** The key id the checkpoints name (`keyId`). */
  readonly kid: Scalars['String']['output'];
  /** `OKP`. */
  readonly kty: Scalars['String']['output'];
  /** `sig`. */
  readonly use: Scalars['String']['output'];
  /** The public key, base64url. */
  readonly x: Scalars['String']['output'];
};

export type Mutation = {
  readonly __typename?: 'Mutation';
  /**
   * Compare-and-set: makes `document` version `expectedVersion + 1`, if `expectedVersion` is the
   * version in force (`policy { version }`, 0 when none was applied). Validates the document, publishes
   * a policy-applied control event claiming that version, and answers once the read model shows who
   * took it: this apply (the version as applied), or another one first in the control topic's order
   * (`CONFLICT`, `extensions.currentVersion`; nothing changed). A stale `expectedVersion` is `CONFLICT`
   * without publishing. `OUTCOME_PENDING` when the read model did not show the outcome in time.
   */
  readonly applyPolicy: Policy;
  /**
   * Compare-and-set: lifts a revocation in force. Publishes a revocation-lifted control event and answers
   * once the read model shows which lift took effect (the first in the control topic's order): this one,
   * or another (`CONFLICT`; nothing changed). An unknown id is `BAD_USER_INPUT`, an already lifted one
   * `CONFLICT` without publishing; `OUTCOME_PENDING` when the read model did not show the outcome in time.
   */
  readonly liftRevocation: Revocation;
  /**
   * Publishes a credential-revoked control event. The input is checked with the event's data schema
   * (`authtrail.control.credential.revoked.v1`, libs/events) before anything is published: a value the
   * schema refuses is `BAD_USER_INPUT` naming the field in `extensions.argument`.
   */
  readonly revokeCredential: Revocation;
};


export type MutationApplyPolicyArgs = {
  comment?: InputMaybe<Scalars['String']['input']>;
  document: Scalars['String']['input'];
  expectedVersion: Scalars['Int']['input'];
};


export type MutationLiftRevocationArgs = {
  id: Scalars['ID']['input'];
  reason?: InputMaybe<Scalars['String']['input']>;
};


export type MutationRevokeCredentialArgs = {
  input: RevokeInput;
};

export type NormalizationAction =
  /** Control, bidi or lone-surrogate code units were replaced by U+FFFD. */
  | 'REPLACED'
  /** Longer than the field's limit (or a list with more items than its limit): the start was kept. */
  | 'TRUNCATED';

export type NormalizedField = {
  readonly __typename?: 'NormalizedField';
  readonly action: NormalizationAction;
  /** Path of the field in the event's data, e.g. `request.userAgent`, `request.forwardedFor`, `user.extra`. */
  readonly field: Scalars['String']['output'];
};

export type PageInfo = {
  readonly __typename?: 'PageInfo';
  /** Opaque keyset cursor of the last edge; pass it as `after`. */
  readonly endCursor: Maybe<Scalars['String']['output']>;
  readonly hasNextPage: Scalars['Boolean']['output'];
};

export type PartitionLag = {
  readonly __typename?: 'PartitionLag';
  readonly deadLettered: Scalars['Int']['output'];
  readonly duplicatesSkipped: Scalars['Int']['output'];
  readonly eventsProjected: Scalars['Int']['output'];
  readonly groupId: Scalars['String']['output'];
  readonly highWatermark: Scalars['String']['output'];
  readonly lag: Scalars['Int']['output'];
  readonly lastError: Maybe<Scalars['String']['output']>;
  readonly lastErrorAt: Maybe<Scalars['DateTime']['output']>;
  readonly lastEventTime: Maybe<Scalars['DateTime']['output']>;
  readonly nextOffset: Scalars['String']['output'];
  readonly partition: Scalars['Int']['output'];
  readonly topic: Scalars['String']['output'];
  readonly updatedAt: Scalars['DateTime']['output'];
};

/** A policy version as applied through the control topic. */
export type Policy = {
  readonly __typename?: 'Policy';
  readonly appliedAt: Maybe<Scalars['DateTime']['output']>;
  readonly appliedBy: Maybe<Scalars['String']['output']>;
  readonly comment: Maybe<Scalars['String']['output']>;
  /** The YAML document; empty when no policy was ever applied. */
  readonly document: Scalars['String']['output'];
  /** 0 when no policy was ever applied. */
  readonly version: Scalars['Int']['output'];
};

export type PolicyConnection = {
  readonly __typename?: 'PolicyConnection';
  readonly edges: ReadonlyArray<PolicyEdge>;
  readonly pageInfo: PageInfo;
  readonly totalCount: Scalars['Int']['output'];
};

export type PolicyEdge = {
  readonly __typename?: 'PolicyEdge';
  readonly cursor: Scalars['String']['output'];
  readonly node: Policy;
};

export type PolicyEffect = {
  readonly __typename?: 'PolicyEffect';
  /** warn | deny */
  readonly effect: Scalars['String']['output'];
  readonly message: Scalars['String']['output'];
  readonly rule: Scalars['String']['output'];
};

/** One producer chain: one boot of one instance (authn, graphql-api), `<instance>/<boot>`. */
export type ProducerIntegrity = {
  readonly __typename?: 'ProducerIntegrity';
  /** How the chain's first event links backwards. */
  readonly anchor: ChainAnchor;
  readonly boot: Scalars['String']['output'];
  readonly chainId: Scalars['String']['output'];
  /** When the verifier last wrote this chain's state. */
  readonly checkedAt: Scalars['DateTime']['output'];
  readonly checkpoints: Scalars['String']['output'];
  /** Distinct positions received (redeliveries not counted). */
  readonly events: Scalars['String']['output'];
  readonly findings: ReadonlyArray<IntegrityFinding>;
  /** Lowest and highest chain sequence received (decimal, 64-bit). */
  readonly firstSequence: Scalars['String']['output'];
  /** Event times of the earliest and latest position received. */
  readonly firstTime: Maybe<Scalars['DateTime']['output']>;
  readonly instance: Scalars['String']['output'];
  readonly lastSequence: Scalars['String']['output'];
  readonly lastTime: Maybe<Scalars['DateTime']['output']>;
  /** Byte-identical copies of a record already received (at-least-once delivery; no finding). */
  readonly redelivered: Scalars['String']['output'];
  /** Positions after the last valid checkpoint: received, not signed for yet. */
  readonly unanchoredTail: Maybe<SequenceRange>;
  /** The last checkpoint up to which every position is present, linked and signed with no finding; null if none yet. */
  readonly verifiedThrough: Maybe<VerifiedCheckpoint>;
  /** The first missing position later ones wait on; named a gap after `integrity.gapGrace`. */
  readonly waitingFor: Maybe<Scalars['String']['output']>;
};

/**
 * One process start (boot) of one authn instance: the `sequence` numbers seen. `sequence` restarts
 * at 1 with every boot, so gaps are counted per boot; a restart hides nothing.
 */
export type ProducerSequence = {
  readonly __typename?: 'ProducerSequence';
  /** The boot id (UUIDv7); null for events from producers that sent none. */
  readonly boot: Maybe<Scalars['String']['output']>;
  /** Decision events this boot says it dropped itself (memory buffer and spool full), from its events and status reports. */
  readonly dropped: Scalars['Int']['output'];
  readonly firstSeen: Scalars['DateTime']['output'];
  readonly instance: Scalars['String']['output'];
  readonly lastSeen: Scalars['DateTime']['output'];
  /** The highest sequence this boot is known to have handed out: its own status reports or the decisions received, whichever is higher. */
  readonly lastSequence: Scalars['String']['output'];
  readonly maxSequence: Scalars['String']['output'];
  readonly minSequence: Scalars['String']['output'];
  /** Decision events of this boot that never arrived: `lastSequence` − `received` (dropped, lost in transit, or lost in a crash). */
  readonly missing: Scalars['Int']['output'];
  readonly received: Scalars['Int']['output'];
  /** The latest status report of this boot; null when none arrived. */
  readonly state: Maybe<ProducerState>;
};

/** What a producer boot last reported on the control topic (`authtrail.control.producer.status.v1`). */
export type ProducerState =
  /** Ended without stopping (crash, SIGKILL); reported by the next boot of the same instance from its sequence ledger. */
  | 'LOST'
  /** Heartbeats arrive (sent at start and every `events.heartbeatInterval`). */
  | 'RUNNING'
  /** Shut down gracefully after flushing its decision events: `lastSequence` is final. */
  | 'STOPPED';

export type Query = {
  readonly __typename?: 'Query';
  readonly auditHealth: AuditHealth;
  /**
   * What the projector proved about the trail (docs/integrity.md, "In the projector"): every producer
   * chain with events in [from, to] — how far it is verified by signed checkpoints, and each finding
   * with its evidence — and the findings tied to no chain (records that cannot be read) made in the
   * window. Empty when the projector does not verify (no `integrity.verificationKeysFile`).
   */
  readonly auditIntegrity: AuditIntegrity;
  /** Refused requests (decision = DENY), newest first. */
  readonly authFailures: DecisionConnection;
  readonly credential: Maybe<Credential>;
  /** The fingerprint of a secret you hold, to look up its usage. The secret is neither stored nor logged. */
  readonly credentialFingerprint: Scalars['String']['output'];
  /** Token usage, most recently used first. */
  readonly credentials: CredentialConnection;
  readonly decision: Maybe<Decision>;
  /** Every decision, newest first. */
  readonly decisions: DecisionConnection;
  /**
   * Failures in [since, until) grouped by one dimension, largest count first. With `bucket`, each
   * group carries its time series. `usernames` (**admins only**, `groupBy: USERNAME` only): names to
   * recognise among the groups whose name is stored only as a hash; they are hashed with every
   * configured fingerprint key, never stored or logged.
   */
  readonly failureStats: ReadonlyArray<FailureGroup>;
  /** Everyone seen, most recently seen first. */
  readonly identities: IdentityConnection;
  readonly identity: Maybe<Identity>;
  /** The public keys this instance's integrity checkpoints verify with, the signing key's first (the same set as `GET /v1/integrity/keys`); empty when it publishes no events of its own. */
  readonly integrityKeys: ReadonlyArray<IntegrityKey>;
  /** The newest applied policy. */
  readonly policy: Policy;
  /** Every policy version, newest first. */
  readonly policyHistory: PolicyConnection;
  /** Revocations, newest first. */
  readonly revocations: RevocationConnection;
};


export type QueryAuditIntegrityArgs = {
  from: Scalars['DateTime']['input'];
  to: Scalars['DateTime']['input'];
};


export type QueryAuthFailuresArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<DecisionFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryCredentialArgs = {
  fingerprint: Scalars['String']['input'];
};


export type QueryCredentialFingerprintArgs = {
  secret: Scalars['String']['input'];
};


export type QueryCredentialsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<CredentialFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryDecisionArgs = {
  id: Scalars['ID']['input'];
};


export type QueryDecisionsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<DecisionFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryFailureStatsArgs = {
  bucket?: InputMaybe<BucketSize>;
  groupBy: FailureGroupBy;
  limit?: InputMaybe<Scalars['Int']['input']>;
  since: Scalars['DateTime']['input'];
  until?: InputMaybe<Scalars['DateTime']['input']>;
  usernames?: InputMaybe<ReadonlyArray<Scalars['String']['input']>>;
};


export type QueryIdentitiesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<IdentityFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryIdentityArgs = {
  username: Scalars['String']['input'];
};


export type QueryPolicyHistoryArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryRevocationsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<RevocationFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** A revocation control event and whether it was lifted. */
export type Revocation = {
  readonly __typename?: 'Revocation';
  /** Not lifted and not expired. */
  readonly active: Scalars['Boolean']['output'];
  readonly certificateIssuer: Maybe<Scalars['String']['output']>;
  readonly certificateSerial: Maybe<Scalars['String']['output']>;
  readonly expiresAt: Maybe<Scalars['DateTime']['output']>;
  readonly fingerprint: Maybe<Scalars['String']['output']>;
  readonly id: Scalars['ID']['output'];
  readonly jti: Maybe<Scalars['String']['output']>;
  readonly liftReason: Maybe<Scalars['String']['output']>;
  readonly liftedAt: Maybe<Scalars['DateTime']['output']>;
  readonly liftedBy: Maybe<Scalars['String']['output']>;
  readonly reason: Maybe<Scalars['String']['output']>;
  readonly revokedAt: Maybe<Scalars['DateTime']['output']>;
  readonly revokedBy: Maybe<Scalars['String']['output']>;
};

export type RevocationConnection = {
  readonly __typename?: 'RevocationConnection';
  readonly edges: ReadonlyArray<RevocationEdge>;
  readonly pageInfo: PageInfo;
  readonly totalCount: Scalars['Int']['output'];
};

export type RevocationEdge = {
  readonly __typename?: 'RevocationEdge';
  readonly cursor: Scalars['String']['output'];
  readonly node: Revocation;
};

export type RevocationFilter = {
  readonly active?: InputMaybe<Scalars['Boolean']['input']>;
  readonly fingerprint?: InputMaybe<Scalars['String']['input']>;
  readonly jti?: InputMaybe<Scalars['String']['input']>;
};

/** Exactly one selector: fingerprint, jti, or certificate (serial + issuer). */
export type RevokeInput = {
  readonly certificateIssuer?: InputMaybe<Scalars['String']['input']>;
  readonly certificateSerial?: InputMaybe<Scalars['String']['input']>;
  /** Absent: until lifted. */
  readonly expiresAt?: InputMaybe<Scalars['DateTime']['input']>;
  readonly fingerprint?: InputMaybe<Scalars['String']['input']>;
  readonly jti?: InputMaybe<Scalars['String']['input']>;
  readonly reason?: InputMaybe<Scalars['String']['input']>;
};

export type Role =
  | 'ADMIN'
  | 'VIEWER';

export type SequenceRange = {
  readonly __typename?: 'SequenceRange';
  readonly from: Scalars['String']['output'];
  readonly to: Scalars['String']['output'];
};

export type Subscription = {
  readonly __typename?: 'Subscription';
  /** Decisions as they are projected into the read model. */
  readonly decisions: Decision;
};


export type SubscriptionDecisionsArgs = {
  filter?: InputMaybe<DecisionFilter>;
};

/** A closed-open time window. Either bound may be absent. */
export type TimeRange = {
  readonly from?: InputMaybe<Scalars['DateTime']['input']>;
  readonly to?: InputMaybe<Scalars['DateTime']['input']>;
};

export type VerifiedCheckpoint = {
  readonly __typename?: 'VerifiedCheckpoint';
  /** The chain sequence of the checkpoint record itself. */
  readonly checkpointSequence: Scalars['String']['output'];
  /** The key it is signed with (`integrityKeys`). */
  readonly keyId: Scalars['String']['output'];
  readonly lastTime: Scalars['DateTime']['output'];
  /** The last event it covers. */
  readonly toSequence: Scalars['String']['output'];
};



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  Attempt: ResolverTypeWrapper<Attempt>;
  AuditHealth: ResolverTypeWrapper<AuditHealthView>;
  AuditIntegrity: ResolverTypeWrapper<AuditIntegrity>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  BucketSize: BucketSize;
  CallerCertificate: ResolverTypeWrapper<CallerCertificate>;
  ChainAnchor: ResolverTypeWrapper<ChainAnchor>;
  ChainAnchorKind: ChainAnchorKind;
  ChainPosition: ResolverTypeWrapper<ChainPosition>;
  Credential: ResolverTypeWrapper<CredentialView>;
  CredentialConnection: ResolverTypeWrapper<ConnectionModel<CredentialView>>;
  CredentialEdge: ResolverTypeWrapper<Omit<CredentialEdge, 'node'> & { node: ResolversTypes['Credential'] }>;
  CredentialFilter: CredentialFilter;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Decision: ResolverTypeWrapper<DecisionView>;
  DecisionCaller: ResolverTypeWrapper<DecisionCallerData>;
  DecisionConnection: ResolverTypeWrapper<ConnectionModel<DecisionView>>;
  DecisionEdge: ResolverTypeWrapper<Omit<DecisionEdge, 'node'> & { node: ResolversTypes['Decision'] }>;
  DecisionFilter: DecisionFilter;
  DecisionOutcome: DecisionOutcome;
  ErrorCode: ErrorCode;
  FailureBucket: ResolverTypeWrapper<FailureBucket>;
  FailureGroup: ResolverTypeWrapper<FailureGroupModel>;
  FailureGroupBy: FailureGroupBy;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Identity: ResolverTypeWrapper<IdentityView>;
  IdentityConnection: ResolverTypeWrapper<ConnectionModel<IdentityView>>;
  IdentityEdge: ResolverTypeWrapper<Omit<IdentityEdge, 'node'> & { node: ResolversTypes['Identity'] }>;
  IdentityFilter: IdentityFilter;
  IdentityKind: IdentityKind;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  IntegrityFinding: ResolverTypeWrapper<IntegrityFinding>;
  IntegrityFindingKind: IntegrityFindingKind;
  IntegrityKey: ResolverTypeWrapper<IntegrityKey>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  NormalizationAction: NormalizationAction;
  NormalizedField: ResolverTypeWrapper<NormalizedFieldData>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  PartitionLag: ResolverTypeWrapper<PartitionStatusView>;
  Policy: ResolverTypeWrapper<PolicyModel>;
  PolicyConnection: ResolverTypeWrapper<ConnectionModel<PolicyModel>>;
  PolicyEdge: ResolverTypeWrapper<Omit<PolicyEdge, 'node'> & { node: ResolversTypes['Policy'] }>;
  PolicyEffect: ResolverTypeWrapper<PolicyEffect>;
  ProducerIntegrity: ResolverTypeWrapper<ProducerIntegrity>;
  ProducerSequence: ResolverTypeWrapper<ProducerSequenceView>;
  ProducerState: ProducerState;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Revocation: ResolverTypeWrapper<RevocationView>;
  RevocationConnection: ResolverTypeWrapper<ConnectionModel<RevocationView>>;
  RevocationEdge: ResolverTypeWrapper<Omit<RevocationEdge, 'node'> & { node: ResolversTypes['Revocation'] }>;
  RevocationFilter: RevocationFilter;
  RevokeInput: RevokeInput;
  Role: Role;
  SequenceRange: ResolverTypeWrapper<SequenceRange>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  TimeRange: TimeRange;
  VerifiedCheckpoint: ResolverTypeWrapper<VerifiedCheckpoint>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  Attempt: Attempt;
  AuditHealth: AuditHealthView;
  AuditIntegrity: AuditIntegrity;
  Boolean: Scalars['Boolean']['output'];
  CallerCertificate: CallerCertificate;
  ChainAnchor: ChainAnchor;
  ChainPosition: ChainPosition;
  Credential: CredentialView;
  CredentialConnection: ConnectionModel<CredentialView>;
  CredentialEdge: Omit<CredentialEdge, 'node'> & { node: ResolversParentTypes['Credential'] };
  CredentialFilter: CredentialFilter;
  DateTime: Scalars['DateTime']['output'];
  Decision: DecisionView;
  DecisionCaller: DecisionCallerData;
  DecisionConnection: ConnectionModel<DecisionView>;
  DecisionEdge: Omit<DecisionEdge, 'node'> & { node: ResolversParentTypes['Decision'] };
  DecisionFilter: DecisionFilter;
  FailureBucket: FailureBucket;
  FailureGroup: FailureGroupModel;
  ID: Scalars['ID']['output'];
  Identity: IdentityView;
  IdentityConnection: ConnectionModel<IdentityView>;
  IdentityEdge: Omit<IdentityEdge, 'node'> & { node: ResolversParentTypes['Identity'] };
  IdentityFilter: IdentityFilter;
  Int: Scalars['Int']['output'];
  IntegrityFinding: IntegrityFinding;
  IntegrityKey: IntegrityKey;
  Mutation: Record<PropertyKey, never>;
  NormalizedField: NormalizedFieldData;
  PageInfo: PageInfo;
  PartitionLag: PartitionStatusView;
  Policy: PolicyModel;
  PolicyConnection: ConnectionModel<PolicyModel>;
  PolicyEdge: Omit<PolicyEdge, 'node'> & { node: ResolversParentTypes['Policy'] };
  PolicyEffect: PolicyEffect;
  ProducerIntegrity: ProducerIntegrity;
  ProducerSequence: ProducerSequenceView;
  Query: Record<PropertyKey, never>;
  Revocation: RevocationView;
  RevocationConnection: ConnectionModel<RevocationView>;
  RevocationEdge: Omit<RevocationEdge, 'node'> & { node: ResolversParentTypes['Revocation'] };
  RevocationFilter: RevocationFilter;
  RevokeInput: RevokeInput;
  SequenceRange: SequenceRange;
  String: Scalars['String']['output'];
  Subscription: Record<PropertyKey, never>;
  TimeRange: TimeRange;
  VerifiedCheckpoint: VerifiedCheckpoint;
};

export type RequiresDirectiveArgs = {
  role: Role;
};

export type RequiresDirectiveResolver<Result, Parent, ContextType = GraphqlContext, Args = RequiresDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type AttemptResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['Attempt'] = ResolversParentTypes['Attempt']> = {
  outcome?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  reason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  strategy?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type AuditHealthResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['AuditHealth'] = ResolversParentTypes['AuditHealth']> = {
  deadLettered?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  droppedEvents?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  lastEventTime?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  partitions?: Resolver<ReadonlyArray<ResolversTypes['PartitionLag']>, ParentType, ContextType>;
  producers?: Resolver<ReadonlyArray<ResolversTypes['ProducerSequence']>, ParentType, ContextType>;
  projectorLag?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  sequenceGaps?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type AuditIntegrityResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['AuditIntegrity'] = ResolversParentTypes['AuditIntegrity']> = {
  ok?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  producers?: Resolver<ReadonlyArray<ResolversTypes['ProducerIntegrity']>, ParentType, ContextType>;
  unattributedFindings?: Resolver<ReadonlyArray<ResolversTypes['IntegrityFinding']>, ParentType, ContextType>;
};

export type CallerCertificateResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['CallerCertificate'] = ResolversParentTypes['CallerCertificate']> = {
  issuer?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  serial?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  sha256?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  subject?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  verified?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type ChainAnchorResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['ChainAnchor'] = ResolversParentTypes['ChainAnchor']> = {
  chainId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hash?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['ChainAnchorKind'], ParentType, ContextType>;
  sequence?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type ChainPositionResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['ChainPosition'] = ResolversParentTypes['ChainPosition']> = {
  id?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  previous?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  sequence?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type CredentialResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['Credential'] = ResolversParentTypes['Credential']> = {
  distinctSourceIps?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  expiresAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  failureCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  fingerprint?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  firstUsed?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  identity?: Resolver<Maybe<ResolversTypes['Identity']>, ParentType, ContextType>;
  issuer?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  lastUsed?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  publicId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  revoked?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  strategy?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  type?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  useCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  username?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type CredentialConnectionResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['CredentialConnection'] = ResolversParentTypes['CredentialConnection']> = {
  edges?: Resolver<ReadonlyArray<ResolversTypes['CredentialEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type CredentialEdgeResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['CredentialEdge'] = ResolversParentTypes['CredentialEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Credential'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DecisionResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['Decision'] = ResolversParentTypes['Decision']> = {
  attempts?: Resolver<ReadonlyArray<ResolversTypes['Attempt']>, ParentType, ContextType>;
  boot?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  caller?: Resolver<Maybe<ResolversTypes['DecisionCaller']>, ParentType, ContextType>;
  chain?: Resolver<Maybe<ResolversTypes['ChainPosition']>, ParentType, ContextType>;
  claimedUsernameHash?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  credential?: Resolver<Maybe<ResolversTypes['Credential']>, ParentType, ContextType>;
  credentialFingerprint?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  credentialPublicId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  credentialType?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  decision?: Resolver<ResolversTypes['DecisionOutcome'], ParentType, ContextType>;
  endpoint?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  forwardedFor?: Resolver<ReadonlyArray<ResolversTypes['String']>, ParentType, ContextType>;
  groups?: Resolver<ReadonlyArray<ResolversTypes['String']>, ParentType, ContextType>;
  httpStatus?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  identity?: Resolver<Maybe<ResolversTypes['Identity']>, ParentType, ContextType>;
  instance?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  latencyMicros?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  message?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  method?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  normalizedFields?: Resolver<ReadonlyArray<ResolversTypes['NormalizedField']>, ParentType, ContextType>;
  path?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  policyEffects?: Resolver<ReadonlyArray<ResolversTypes['PolicyEffect']>, ParentType, ContextType>;
  policyVersion?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  reason?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  sequence?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  sourceIp?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  strategy?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  time?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  tls?: Resolver<Maybe<ResolversTypes['Boolean']>, ParentType, ContextType>;
  uid?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  userAgent?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  username?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  usernameClaimed?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type DecisionCallerResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['DecisionCaller'] = ResolversParentTypes['DecisionCaller']> = {
  certificate?: Resolver<Maybe<ResolversTypes['CallerCertificate']>, ParentType, ContextType>;
  proxies?: Resolver<ReadonlyArray<ResolversTypes['String']>, ParentType, ContextType>;
};

export type DecisionConnectionResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['DecisionConnection'] = ResolversParentTypes['DecisionConnection']> = {
  edges?: Resolver<ReadonlyArray<ResolversTypes['DecisionEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type DecisionEdgeResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['DecisionEdge'] = ResolversParentTypes['DecisionEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Decision'], ParentType, ContextType>;
};

export type FailureBucketResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['FailureBucket'] = ResolversParentTypes['FailureBucket']> = {
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  start?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type FailureGroupResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['FailureGroup'] = ResolversParentTypes['FailureGroup']> = {
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  firstSeen?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  key?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  lastSeen?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  series?: Resolver<ReadonlyArray<ResolversTypes['FailureBucket']>, ParentType, ContextType>;
  usernameHash?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type IdentityResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['Identity'] = ResolversParentTypes['Identity']> = {
  credentials?: Resolver<ReadonlyArray<ResolversTypes['Credential']>, ParentType, ContextType>;
  failureCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  firstSeen?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  groups?: Resolver<ReadonlyArray<ResolversTypes['String']>, ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['IdentityKind'], ParentType, ContextType>;
  lastSeen?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  lastSourceIp?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  strategies?: Resolver<ReadonlyArray<ResolversTypes['String']>, ParentType, ContextType>;
  successCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  uid?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  username?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type IdentityConnectionResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['IdentityConnection'] = ResolversParentTypes['IdentityConnection']> = {
  edges?: Resolver<ReadonlyArray<ResolversTypes['IdentityEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type IdentityEdgeResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['IdentityEdge'] = ResolversParentTypes['IdentityEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Identity'], ParentType, ContextType>;
};

export type IntegrityFindingResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['IntegrityFinding'] = ResolversParentTypes['IntegrityFinding']> = {
  chainId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  evidence?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  foundAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['IntegrityFindingKind'], ParentType, ContextType>;
  offset?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  partition?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  sequence?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  toSequence?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  topic?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type IntegrityKeyResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['IntegrityKey'] = ResolversParentTypes['IntegrityKey']> = {
  alg?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  crv?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  kid?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  kty?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  use?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  x?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type MutationResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  applyPolicy?: Resolver<ResolversTypes['Policy'], ParentType, ContextType, RequireFields<MutationApplyPolicyArgs, 'document' | 'expectedVersion'>>;
  liftRevocation?: Resolver<ResolversTypes['Revocation'], ParentType, ContextType, RequireFields<MutationLiftRevocationArgs, 'id'>>;
  revokeCredential?: Resolver<ResolversTypes['Revocation'], ParentType, ContextType, RequireFields<MutationRevokeCredentialArgs, 'input'>>;
};

export type NormalizedFieldResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['NormalizedField'] = ResolversParentTypes['NormalizedField']> = {
  action?: Resolver<ResolversTypes['NormalizationAction'], ParentType, ContextType>;
  field?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type PageInfoResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type PartitionLagResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['PartitionLag'] = ResolversParentTypes['PartitionLag']> = {
  deadLettered?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  duplicatesSkipped?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  eventsProjected?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  groupId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  highWatermark?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  lag?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  lastError?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  lastErrorAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  lastEventTime?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  nextOffset?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  partition?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  topic?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type PolicyResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['Policy'] = ResolversParentTypes['Policy']> = {
  appliedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  appliedBy?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  comment?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  document?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type PolicyConnectionResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['PolicyConnection'] = ResolversParentTypes['PolicyConnection']> = {
  edges?: Resolver<ReadonlyArray<ResolversTypes['PolicyEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type PolicyEdgeResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['PolicyEdge'] = ResolversParentTypes['PolicyEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Policy'], ParentType, ContextType>;
};

export type PolicyEffectResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['PolicyEffect'] = ResolversParentTypes['PolicyEffect']> = {
  effect?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  rule?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type ProducerIntegrityResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['ProducerIntegrity'] = ResolversParentTypes['ProducerIntegrity']> = {
  anchor?: Resolver<ResolversTypes['ChainAnchor'], ParentType, ContextType>;
  boot?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  chainId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  checkedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  checkpoints?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  events?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  findings?: Resolver<ReadonlyArray<ResolversTypes['IntegrityFinding']>, ParentType, ContextType>;
  firstSequence?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  firstTime?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  instance?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  lastSequence?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  lastTime?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  redelivered?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  unanchoredTail?: Resolver<Maybe<ResolversTypes['SequenceRange']>, ParentType, ContextType>;
  verifiedThrough?: Resolver<Maybe<ResolversTypes['VerifiedCheckpoint']>, ParentType, ContextType>;
  waitingFor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type ProducerSequenceResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['ProducerSequence'] = ResolversParentTypes['ProducerSequence']> = {
  boot?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  dropped?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  firstSeen?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  instance?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  lastSeen?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  lastSequence?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  maxSequence?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  minSequence?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  missing?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  received?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  state?: Resolver<Maybe<ResolversTypes['ProducerState']>, ParentType, ContextType>;
};

export type QueryResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  auditHealth?: Resolver<ResolversTypes['AuditHealth'], ParentType, ContextType>;
  auditIntegrity?: Resolver<ResolversTypes['AuditIntegrity'], ParentType, ContextType, RequireFields<QueryAuditIntegrityArgs, 'from' | 'to'>>;
  authFailures?: Resolver<ResolversTypes['DecisionConnection'], ParentType, ContextType, RequireFields<QueryAuthFailuresArgs, 'first'>>;
  credential?: Resolver<Maybe<ResolversTypes['Credential']>, ParentType, ContextType, RequireFields<QueryCredentialArgs, 'fingerprint'>>;
  credentialFingerprint?: Resolver<ResolversTypes['String'], ParentType, ContextType, RequireFields<QueryCredentialFingerprintArgs, 'secret'>>;
  credentials?: Resolver<ResolversTypes['CredentialConnection'], ParentType, ContextType, RequireFields<QueryCredentialsArgs, 'first'>>;
  decision?: Resolver<Maybe<ResolversTypes['Decision']>, ParentType, ContextType, RequireFields<QueryDecisionArgs, 'id'>>;
  decisions?: Resolver<ResolversTypes['DecisionConnection'], ParentType, ContextType, RequireFields<QueryDecisionsArgs, 'first'>>;
  failureStats?: Resolver<ReadonlyArray<ResolversTypes['FailureGroup']>, ParentType, ContextType, RequireFields<QueryFailureStatsArgs, 'groupBy' | 'limit' | 'since'>>;
  identities?: Resolver<ResolversTypes['IdentityConnection'], ParentType, ContextType, RequireFields<QueryIdentitiesArgs, 'first'>>;
  identity?: Resolver<Maybe<ResolversTypes['Identity']>, ParentType, ContextType, RequireFields<QueryIdentityArgs, 'username'>>;
  integrityKeys?: Resolver<ReadonlyArray<ResolversTypes['IntegrityKey']>, ParentType, ContextType>;
  policy?: Resolver<ResolversTypes['Policy'], ParentType, ContextType>;
  policyHistory?: Resolver<ResolversTypes['PolicyConnection'], ParentType, ContextType, RequireFields<QueryPolicyHistoryArgs, 'first'>>;
  revocations?: Resolver<ResolversTypes['RevocationConnection'], ParentType, ContextType, RequireFields<QueryRevocationsArgs, 'first'>>;
};

export type RevocationResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['Revocation'] = ResolversParentTypes['Revocation']> = {
  active?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  certificateIssuer?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  certificateSerial?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  expiresAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  fingerprint?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  jti?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  liftReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  liftedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  liftedBy?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  reason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  revokedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  revokedBy?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type RevocationConnectionResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['RevocationConnection'] = ResolversParentTypes['RevocationConnection']> = {
  edges?: Resolver<ReadonlyArray<ResolversTypes['RevocationEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type RevocationEdgeResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['RevocationEdge'] = ResolversParentTypes['RevocationEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Revocation'], ParentType, ContextType>;
};

export type SequenceRangeResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['SequenceRange'] = ResolversParentTypes['SequenceRange']> = {
  from?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  to?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type SubscriptionResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  decisions?: SubscriptionResolver<ResolversTypes['Decision'], "decisions", ParentType, ContextType, Partial<SubscriptionDecisionsArgs>>;
};

export type VerifiedCheckpointResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['VerifiedCheckpoint'] = ResolversParentTypes['VerifiedCheckpoint']> = {
  checkpointSequence?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  keyId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  lastTime?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  toSequence?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type Resolvers<ContextType = GraphqlContext> = {
  Attempt?: AttemptResolvers<ContextType>;
  AuditHealth?: AuditHealthResolvers<ContextType>;
  AuditIntegrity?: AuditIntegrityResolvers<ContextType>;
  CallerCertificate?: CallerCertificateResolvers<ContextType>;
  ChainAnchor?: ChainAnchorResolvers<ContextType>;
  ChainPosition?: ChainPositionResolvers<ContextType>;
  Credential?: CredentialResolvers<ContextType>;
  CredentialConnection?: CredentialConnectionResolvers<ContextType>;
  CredentialEdge?: CredentialEdgeResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Decision?: DecisionResolvers<ContextType>;
  DecisionCaller?: DecisionCallerResolvers<ContextType>;
  DecisionConnection?: DecisionConnectionResolvers<ContextType>;
  DecisionEdge?: DecisionEdgeResolvers<ContextType>;
  FailureBucket?: FailureBucketResolvers<ContextType>;
  FailureGroup?: FailureGroupResolvers<ContextType>;
  Identity?: IdentityResolvers<ContextType>;
  IdentityConnection?: IdentityConnectionResolvers<ContextType>;
  IdentityEdge?: IdentityEdgeResolvers<ContextType>;
  IntegrityFinding?: IntegrityFindingResolvers<ContextType>;
  IntegrityKey?: IntegrityKeyResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  NormalizedField?: NormalizedFieldResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  PartitionLag?: PartitionLagResolvers<ContextType>;
  Policy?: PolicyResolvers<ContextType>;
  PolicyConnection?: PolicyConnectionResolvers<ContextType>;
  PolicyEdge?: PolicyEdgeResolvers<ContextType>;
  PolicyEffect?: PolicyEffectResolvers<ContextType>;
  ProducerIntegrity?: ProducerIntegrityResolvers<ContextType>;
  ProducerSequence?: ProducerSequenceResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Revocation?: RevocationResolvers<ContextType>;
  RevocationConnection?: RevocationConnectionResolvers<ContextType>;
  RevocationEdge?: RevocationEdgeResolvers<ContextType>;
  SequenceRange?: SequenceRangeResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  VerifiedCheckpoint?: VerifiedCheckpointResolvers<ContextType>;
};

export type DirectiveResolvers<ContextType = GraphqlContext> = {
  requires?: RequiresDirectiveResolver<any, any, ContextType>;
};
