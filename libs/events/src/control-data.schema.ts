// JSON Schemas of the `data` of the control events (DESIGN §7): policy versions and
// revocations, replayed by every authn instance at start, and the status of producers (how far
// each boot got, for gap detection). Mirrors the `*Data` interfaces.
import { CREDENTIAL_REVOKED_EVENT_TYPE, POLICY_APPLIED_EVENT_TYPE, PRODUCER_STATUS_EVENT_TYPE, REVOCATION_LIFTED_EVENT_TYPE } from './decision.event';
import { FINGERPRINT_PATTERN, UUID_V7_PATTERN } from './decision-data.schema';
import { schemaUri } from './schema-ids';

const actor = { description: 'Username of the admin who did it.', type: 'string', minLength: 1 } as const;
const revocationId = { description: 'Names the revocation; the lift refers to it.', type: 'string', minLength: 1, maxLength: 128 } as const;
const note = { description: 'Free text, at most 2048 characters.', type: 'string', maxLength: 2048 } as const;

/**
 * A JWT `jti` as revocations match it (exactly): 1 to 256 characters, no whitespace and no
 * control characters (C0, DEL, C1) — such a value is a paste error, and a revocation that can
 * never match is worse than a refusal. Written with explicit ranges so every regex engine reads it.
 */
export const JTI_PATTERN = '^[^\\u0000-\\u0020\\u007f-\\u009f]{1,256}$';
/**
 * A certificate serial as hex digits, either run together (`0A1B…`) or in colon-separated
 * pairs (`0a:1b:…`); at most 32 bytes (RFC 5280 allows 20, some CAs write more). Case and
 * leading zeros are normalised when matching.
 */
export const CERTIFICATE_SERIAL_PATTERN = '^(?:[0-9A-Fa-f]{1,64}|[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){1,31})$';
/** The largest policy version: the read model stores versions as 32-bit integers, GraphQL as Int. */
export const MAX_POLICY_VERSION = 2_147_483_647;
/** The largest policy document in characters (the API's request body is capped at 256 KiB too). */
export const MAX_POLICY_DOCUMENT_LENGTH = 256 * 1024;

export const POLICY_APPLIED_DATA_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: schemaUri(POLICY_APPLIED_EVENT_TYPE),
  title: `data of ${POLICY_APPLIED_EVENT_TYPE}: a policy version was applied`,
  type: 'object',
  required: ['version', 'document'],
  properties: {
    version: {
      description: 'The version this document claims: it takes effect only if it is the version in force + 1 when the event is read (compare-and-set; the first claim in topic order wins).',
      type: 'integer',
      minimum: 1,
      maximum: MAX_POLICY_VERSION,
    },
    document: { description: 'The YAML document as applied.', type: 'string', maxLength: MAX_POLICY_DOCUMENT_LENGTH },
    appliedBy: actor,
    comment: note,
  },
  additionalProperties: false,
} as const;

export const CREDENTIAL_REVOKED_DATA_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: schemaUri(CREDENTIAL_REVOKED_EVENT_TYPE),
  title: `data of ${CREDENTIAL_REVOKED_EVENT_TYPE}: a credential was revoked`,
  description: 'Exactly one selector says what is revoked: fingerprint, jti, or certificate (serial and issuer).',
  type: 'object',
  required: ['revocationId'],
  properties: {
    revocationId,
    fingerprint: { description: 'A credential fingerprint, `hmac-sha256:<keyId>:<64 hex digits>`.', type: 'string', pattern: FINGERPRINT_PATTERN },
    jti: { description: 'A JWT id (service-account and OIDC tokens): 1 to 256 characters, no whitespace or control characters.', type: 'string', pattern: JTI_PATTERN },
    certificate: {
      type: 'object',
      required: ['serial', 'issuer'],
      properties: {
        serial: { description: 'A certificate serial: hex digits, run together or in colon-separated pairs, at most 32 bytes.', type: 'string', pattern: CERTIFICATE_SERIAL_PATTERN },
        issuer: { description: 'The issuer DN exactly as the certificate states it (1 to 1024 characters).', type: 'string', minLength: 1, maxLength: 1024 },
      },
      additionalProperties: false,
    },
    reason: note,
    revokedBy: actor,
    expiresAt: { description: 'Absent: until lifted.', type: 'string', format: 'date-time' },
  },
  // Exactly one selector says what is revoked.
  oneOf: [{ required: ['fingerprint'] }, { required: ['jti'] }, { required: ['certificate'] }],
  additionalProperties: false,
} as const;

export const REVOCATION_LIFTED_DATA_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: schemaUri(REVOCATION_LIFTED_EVENT_TYPE),
  title: `data of ${REVOCATION_LIFTED_EVENT_TYPE}: a revocation was lifted`,
  type: 'object',
  required: ['revocationId'],
  properties: {
    revocationId,
    liftedBy: actor,
    reason: note,
  },
  additionalProperties: false,
} as const;

export const PRODUCER_STATUS_DATA_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: schemaUri(PRODUCER_STATUS_EVENT_TYPE),
  title: `data of ${PRODUCER_STATUS_EVENT_TYPE}: how far a producer boot got`,
  type: 'object',
  required: ['instance', 'boot', 'state', 'lastSequence', 'dropped'],
  properties: {
    instance: { description: 'The `instance` of the decision events of this producer.', type: 'string', minLength: 1, maxLength: 1024 },
    boot: { description: 'The `boot` of the decision events this status is about.', type: 'string', pattern: UUID_V7_PATTERN },
    state: {
      description: 'running: heartbeat; stopped: shut down after flushing its events; lost: ended without stopping (reported by the next boot).',
      enum: ['running', 'stopped', 'lost'],
    },
    lastSequence: { description: 'The last sequence number the boot handed out (0: none).', type: 'integer', minimum: 0 },
    dropped: { description: 'Decision events the boot dropped itself (memory buffer and spool full).', type: 'integer', minimum: 0 },
  },
  additionalProperties: false,
} as const;
