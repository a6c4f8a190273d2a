// JSON Schema of the `data` of `authtrail.authn.decision.v1` (DESIGN §4), mirroring
// `DecisionData`. `additionalProperties: false` everywhere: an event can only say what this
// schema names, so a producer bug cannot slip a token or an Authorization header into a new
// field unnoticed — the consumers reject the event.
import { DECISION_EVENT_TYPE, REASON_CODES } from './decision.event';
import { NORMALIZED_FIELDS } from './decision-normalize';
import { schemaUri } from './schema-ids';

/** `hmac-sha256:<keyId>:<hex>` (see fingerprinter). */
export const FINGERPRINT_PATTERN = '^hmac-sha256:[A-Za-z0-9._-]{1,64}:[0-9a-f]{64}$';
/** `hmac-sha256-username:<keyId>:<hex>` (see fingerprinter `usernameHash`). */
export const USERNAME_HASH_PATTERN = '^hmac-sha256-username:[A-Za-z0-9._-]{1,64}:[0-9a-f]{64}$';
/** A lower-case canonical UUIDv7 (see event-id.ts): event ids and producer boot ids. */
export const UUID_V7_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';

const string = { type: 'string' } as const;
const nonEmptyString = { type: 'string', minLength: 1 } as const;
const stringList = { type: 'array', items: string } as const;
const timestamp = { type: 'string', format: 'date-time' } as const;
const reason = { enum: REASON_CODES } as const;

const attempt = {
  type: 'object',
  required: ['strategy', 'outcome'],
  properties: {
    strategy: nonEmptyString,
    outcome: { enum: ['authenticated', 'abstained', 'rejected', 'errored'] },
    reason,
  },
  additionalProperties: false,
} as const;

const user = {
  type: 'object',
  required: ['username', 'groups', 'extra'],
  properties: {
    username: nonEmptyString,
    uid: string,
    groups: stringList,
    extra: { type: 'object', additionalProperties: stringList },
  },
  additionalProperties: false,
} as const;

const x509 = {
  type: 'object',
  required: ['serial', 'subject', 'issuer', 'notBefore', 'notAfter', 'sha256'],
  properties: {
    serial: nonEmptyString,
    subject: string,
    issuer: string,
    notBefore: timestamp,
    notAfter: timestamp,
    sha256: { description: 'SHA-256 of the DER certificate (public, not a secret).', type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
  },
  additionalProperties: false,
} as const;

const credential = {
  type: 'object',
  required: ['type'],
  properties: {
    type: nonEmptyString,
    fingerprint: { description: 'HMAC of the raw secret under a configured key; never the secret.', type: 'string', pattern: FINGERPRINT_PATTERN },
    publicId: string,
    issuer: string,
    subject: string,
    audiences: stringList,
    issuedAt: timestamp,
    expiresAt: timestamp,
    x509,
    passwordStorage: {
      description: 'basic-auth: how the matched password is stored (plaintext is flagged by policy).',
      enum: ['argon2id', 'scrypt', 'bcrypt', 'plaintext'],
    },
  },
  additionalProperties: false,
} as const;

const ipAddress = { anyOf: [{ type: 'string', format: 'ipv4' }, { type: 'string', format: 'ipv6' }] } as const;

const caller = {
  description: 'Who sent the request to authtrail (not who was authenticated): the TLS client certificate of the connection, when it is not the credential judged, and the trusted proxy chain.',
  type: 'object',
  properties: {
    certificate: {
      type: 'object',
      required: ['subject', 'issuer', 'serial', 'sha256', 'verified'],
      properties: {
        subject: string,
        issuer: string,
        serial: nonEmptyString,
        sha256: { description: 'SHA-256 of the DER certificate (public, not a secret).', type: 'string', pattern: '^[0-9a-f]{64}$' },
        verified: { description: "The TLS handshake verified the chain against the listener's CA list; false: the subject is only claimed.", type: 'boolean' },
      },
      additionalProperties: false,
    },
    proxies: {
      description: 'Trusted proxies between the client (sourceIp) and authtrail: nearest the client first, the peer of authtrail last.',
      type: 'array',
      items: ipAddress,
      minItems: 1,
      maxItems: 32,
    },
  },
  minProperties: 1,
  additionalProperties: false,
} as const;

const request = {
  type: 'object',
  required: ['endpoint'],
  properties: {
    endpoint: { enum: ['tokenreview', 'selfsubjectreview', 'authenticate', 'forward-auth', 'graphql'] },
    sourceIp: ipAddress,
    // As received: a proxy may put anything there ("unknown", obfuscated ids), so no format.
    forwardedFor: stringList,
    userAgent: string,
    method: string,
    path: string,
    tls: { type: 'boolean' },
    caller,
  },
  additionalProperties: false,
} as const;

const policy = {
  type: 'object',
  required: ['version', 'effects'],
  properties: {
    version: { type: 'integer', minimum: 0 },
    effects: {
      type: 'array',
      items: {
        type: 'object',
        required: ['rule', 'effect', 'message'],
        properties: { rule: nonEmptyString, effect: { enum: ['warn', 'deny'] }, message: string },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

export const DECISION_DATA_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: schemaUri(DECISION_EVENT_TYPE),
  title: `data of ${DECISION_EVENT_TYPE}: one authentication decision`,
  type: 'object',
  required: ['decision', 'httpStatus', 'reason', 'attempts', 'request', 'instance', 'sequence'],
  properties: {
    decision: { enum: ['allow', 'deny'] },
    httpStatus: { description: 'Status of the answer authtrail gave (a TokenReview answer is always 200).', type: 'integer', minimum: 100, maximum: 599 },
    reason,
    message: { description: 'Safe to show and to log; never contains the credential.', type: 'string', maxLength: 2048 },
    strategy: nonEmptyString,
    attempts: { type: 'array', items: attempt },
    user,
    claimedUsername: string,
    claimedUsernameHash: { type: 'string', pattern: USERNAME_HASH_PATTERN },
    credential,
    request,
    policy,
    latencyMicros: { type: 'integer', minimum: 0 },
    instance: nonEmptyString,
    boot: { description: 'One id per process start of the producer (UUIDv7); `sequence` restarts with each boot.', type: 'string', pattern: UUID_V7_PATTERN },
    sequence: { description: 'Per-(instance, boot) counter starting at 1, for gap detection.', type: 'integer', minimum: 1 },
    dropped: { description: 'Decision events this boot dropped before this one (memory buffer and spool full); absent when 0.', type: 'integer', minimum: 0 },
    normalized: {
      description: 'What the producer changed in strings to keep the event storable: each (field, action) once.',
      type: 'array',
      maxItems: NORMALIZED_FIELDS.length * 2,
      items: {
        type: 'object',
        required: ['field', 'action'],
        properties: { field: { enum: NORMALIZED_FIELDS }, action: { enum: ['truncated', 'replaced'] } },
        additionalProperties: false,
      },
    },
  },
  // An allowed request always names who was allowed.
  if: { properties: { decision: { const: 'allow' } } },
  then: { required: ['user'] },
  additionalProperties: false,
} as const;
