// The events of DESIGN §4 as readonly data. Past-tense facts; producers fill them, consumers
// (projector, siem-exporter, any SIEM) only read them.

/** Stable reason codes: SIEM rules and GraphQL filters depend on these strings. */
import type { IntegrityCheckpointEvent } from './integrity-checkpoint.event';
export const REASON_CODES = [
  'ok',
  'no_credentials',
  'malformed_credentials',
  'unknown_token',
  'invalid_password',
  'token_expired',
  'token_not_yet_valid',
  'bad_signature',
  'unsupported_algorithm',
  'issuer_mismatch',
  'audience_mismatch',
  'missing_claim',
  'email_not_verified',
  'cert_untrusted',
  'cert_expired',
  'cert_not_client_auth',
  'cert_revoked',
  'bootstrap_token_expired',
  'bootstrap_token_not_for_authentication',
  'service_account_unknown',
  'credential_revoked',
  'policy_denied',
  'throttled',
  'bad_request',
  'upstream_unavailable',
  'internal_error',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export const DECISION_EVENT_TYPE = 'authtrail.authn.decision.v1';
export const POLICY_APPLIED_EVENT_TYPE = 'authtrail.control.policy.applied.v1';
export const CREDENTIAL_REVOKED_EVENT_TYPE = 'authtrail.control.credential.revoked.v1';
export const REVOCATION_LIFTED_EVENT_TYPE = 'authtrail.control.revocation.lifted.v1';
export const PRODUCER_STATUS_EVENT_TYPE = 'authtrail.control.producer.status.v1';

export const TOPICS = {
  decisions: 'authtrail.decisions.v1',
  control: 'authtrail.control.v1',
  ocsf: 'authtrail.ocsf.v1',
  ecs: 'authtrail.ecs.v1',
  deadLetter: 'authtrail.dead-letter.v1',
} as const;

export type DecisionEndpoint = 'tokenreview' | 'selfsubjectreview' | 'authenticate' | 'forward-auth' | 'graphql';

export interface DecisionAttempt {
  readonly strategy: string;
  readonly outcome: 'authenticated' | 'abstained' | 'rejected' | 'errored';
  readonly reason?: ReasonCode;
}

export interface DecisionUser {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

export interface DecisionCredential {
  readonly type: string;
  /** `hmac-sha256:<keyId>:<hex>` of the raw secret; never the secret. */
  readonly fingerprint?: string;
  readonly publicId?: string;
  readonly issuer?: string;
  readonly subject?: string;
  readonly audiences?: readonly string[];
  /** RFC 3339 */
  readonly issuedAt?: string;
  readonly expiresAt?: string;
  readonly x509?: {
    readonly serial: string;
    readonly subject: string;
    readonly issuer: string;
    readonly notBefore: string;
    readonly notAfter: string;
    readonly sha256: string;
  };
  /** basic-auth: how the matched password is stored; policy flags `plaintext`. */
  readonly passwordStorage?: 'argon2id' | 'scrypt' | 'bcrypt' | 'plaintext';
}

export interface DecisionRequest {
  readonly endpoint: DecisionEndpoint;
  readonly sourceIp?: string;
  readonly forwardedFor?: readonly string[];
  readonly userAgent?: string;
  readonly method?: string;
  readonly path?: string;
  readonly tls?: boolean;
  /** Who sent the request to authtrail, as opposed to who was authenticated; absent when nothing is known beyond `sourceIp`. */
  readonly caller?: DecisionCaller;
}

/**
 * The caller of a request: the client certificate of the TLS connection it came over (when that
 * certificate is not the credential being judged: a TokenReview's caller is kube-apiserver, whose
 * certificate says nothing about the token's user), and the trusted proxies it passed through.
 * Never an identity for the decision: `user` comes only from the credential.
 */
export interface DecisionCaller {
  readonly certificate?: CallerCertificate;
  /** Trusted proxies (addresses) between the client (`sourceIp`) and authtrail: nearest the client first, authtrail's peer last. */
  readonly proxies?: readonly string[];
}

/** The leaf of the caller's TLS client certificate chain, as presented in the handshake. */
export interface CallerCertificate {
  /** RFC 2253-like, RDNs joined by `, ` (as `credential.x509.subject`). */
  readonly subject: string;
  readonly issuer: string;
  /** Upper-case hex, as `X509Certificate.serialNumber` prints it. */
  readonly serial: string;
  /** SHA-256 of the DER certificate, lower-case hex (public, not a secret). */
  readonly sha256: string;
  /**
   * The TLS handshake verified the chain against the listener's CA list (`authn.https.clientCAFile`).
   * False: the subject is only what the caller claims (any client can present a self-signed certificate).
   */
  readonly verified: boolean;
}

export interface PolicyEffect {
  readonly rule: string;
  readonly effect: 'warn' | 'deny';
  readonly message: string;
}

/**
 * A string the event builder changed so the event stays storable and safe to show (see
 * decision-normalize.ts): `replaced` (control characters, bidi controls, U+2028/U+2029 or lone
 * surrogates became U+FFFD), `truncated` (longer than its field's limit, or a list or map cut
 * short). `field` is the path of the string in `data` (`request.userAgent`), or of the list or
 * map that holds the changed item (`request.forwardedFor`, `user.extra`, `attempts`).
 */
export interface NormalizedField {
  readonly field: string;
  readonly action: 'truncated' | 'replaced';
}

/** `data` of an `authtrail.authn.decision.v1` event. */
export interface DecisionData {
  readonly decision: 'allow' | 'deny';
  readonly httpStatus: number;
  readonly reason: ReasonCode;
  readonly message?: string;
  readonly strategy?: string;
  readonly attempts: readonly DecisionAttempt[];
  readonly user?: DecisionUser;
  /**
   * On failures: the username the credential claimed, in clear only when it cannot be a secret —
   * an account the strategy knows, or a name from a structured credential (certificate CN, JWT
   * `sub`). A name a person typed that matches no account is kept only as `claimedUsernameHash`.
   */
  readonly claimedUsername?: string;
  /** `hmac-sha256-username:<keyId>:<hex>` of the claimed or typed username, on every failure that named one. */
  readonly claimedUsernameHash?: string;
  readonly credential?: DecisionCredential;
  readonly request: DecisionRequest;
  readonly policy?: { readonly version: number; readonly effects: readonly PolicyEffect[] };
  readonly latencyMicros?: number;
  readonly instance: string;
  /** One id per process start of the producer (UUIDv7): `sequence` restarts with each boot. */
  readonly boot?: string;
  /** Per-(instance, boot) counter, starting at 1, for gap detection. */
  readonly sequence: number;
  /** Decision events this boot dropped before this one (memory buffer and spool both full); absent when 0. */
  readonly dropped?: number;
  /** What the builder changed in request-derived strings; absent when nothing was changed. */
  readonly normalized?: readonly NormalizedField[];
}

/**
 * `data` of `authtrail.control.producer.status.v1`: how far a producer boot got. `running` is a
 * heartbeat, `stopped` is sent after a graceful shutdown flushed its events, `lost` is sent by the
 * next boot of the same instance about a boot that ended without `stopped` (SIGKILL, crash),
 * from the sequence ledger it left in the data directory. Consumers compare `lastSequence` with
 * the decision events they received from that boot: the difference is exactly what was lost.
 */
export interface ProducerStatusData {
  readonly instance: string;
  readonly boot: string;
  readonly state: 'running' | 'stopped' | 'lost';
  /** The last sequence number the boot handed out (0: none yet). */
  readonly lastSequence: number;
  /** Decision events the boot dropped itself (buffer and spool full), as far as it is known. */
  readonly dropped: number;
}

/** `data` of `authtrail.control.policy.applied.v1`. */
export interface PolicyAppliedData {
  readonly version: number;
  /** The YAML document as applied. */
  readonly document: string;
  readonly appliedBy?: string;
  readonly comment?: string;
}

/** `data` of `authtrail.control.credential.revoked.v1`: exactly one selector is set. */
export interface CredentialRevokedData {
  readonly revocationId: string;
  readonly fingerprint?: string;
  readonly jti?: string;
  readonly certificate?: { readonly serial: string; readonly issuer: string };
  readonly reason?: string;
  readonly revokedBy?: string;
  /** RFC 3339; absent means until lifted. */
  readonly expiresAt?: string;
}

/** `data` of `authtrail.control.revocation.lifted.v1`. */
export interface RevocationLiftedData {
  readonly revocationId: string;
  readonly liftedBy?: string;
  readonly reason?: string;
}

/** CloudEvents 1.0 structured-mode envelope (DESIGN §4). */
export interface CloudEvent<TType extends string = string, TData = unknown> {
  readonly specversion: '1.0';
  /** UUIDv7: time-ordered, unique. Consumers deduplicate on it. */
  readonly id: string;
  /** e.g. `/authtrail/authn/<instance>` */
  readonly source: string;
  readonly type: TType;
  /** RFC 3339 with milliseconds. */
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly dataschema?: string;
  /** The partition key (DESIGN §4). */
  readonly subject?: string;
  /** Integrity chain of the producer boot (docs/integrity.md): `<instance>/<boot>`. Extension attributes, set by the producer as it publishes. */
  readonly chainid?: string;
  /** Position in the chain: 1, 2, 3 … over every event of the boot. */
  readonly chainseq?: number;
  /** Hex SHA-256 of the previous record value of the chain (or of the last checkpoint of the instance's previous boot). */
  readonly chainprev?: string;
  readonly data: TData;
}

export type DecisionEvent = CloudEvent<typeof DECISION_EVENT_TYPE, DecisionData>;
export type PolicyAppliedEvent = CloudEvent<typeof POLICY_APPLIED_EVENT_TYPE, PolicyAppliedData>;
export type CredentialRevokedEvent = CloudEvent<typeof CREDENTIAL_REVOKED_EVENT_TYPE, CredentialRevokedData>;
export type RevocationLiftedEvent = CloudEvent<typeof REVOCATION_LIFTED_EVENT_TYPE, RevocationLiftedData>;
export type ProducerStatusEvent = CloudEvent<typeof PRODUCER_STATUS_EVENT_TYPE, ProducerStatusData>;
/** The control events policy state is made of (authn replays them at start). */
export type PolicyControlEvent = PolicyAppliedEvent | CredentialRevokedEvent | RevocationLiftedEvent;
/** Every control event; integrity checkpoints are defined with their schema (integrity-checkpoint.event.ts). */
export type ControlEvent = PolicyControlEvent | ProducerStatusEvent | IntegrityCheckpointEvent;
export type AuthtrailEvent = DecisionEvent | ControlEvent;
