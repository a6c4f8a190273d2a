// JSON Schemas of the `data` of the control events (DESIGN §7): policy versions and
// revocations, replayed by every authn instance at start, and the status of producers (how far
// each boot got, for gap detection). Mirrors the `*Data` interfaces.
import { CREDENTIAL_REVOKED_EVENT_TYPE, POLICY_APPLIED_EVENT_TYPE, PRODUCER_STATUS_EVENT_TYPE, REVOCATION_LIFTED_EVENT_TYPE } from './decision.event';
import { FINGERPRINT_PATTERN, UUID_V7_PATTERN } from './decision-data.schema';
import { schemaUri } from './schema-ids';

const actor = { description: 'Username of the admin who did it.', type: 'string', minLength: 1 } as const;
const revocationId = { description: 'Names the revocation; the lift refers to it.', type: 'string', minLength: 1, maxLength: 128 } as const;

export const POLICY_APPLIED_DATA_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: schemaUri(POLICY_APPLIED_EVENT_TYPE),
  title: `data of ${POLICY_APPLIED_EVENT_TYPE}: a policy version was applied`,
  type: 'object',
  required: ['version', 'document'],
  properties: {
    version: { description: 'Increases by one per applied document.', type: 'integer', minimum: 1 },
    document: { description: 'The YAML document as applied.', type: 'string' },
    appliedBy: actor,
    comment: { type: 'string', maxLength: 2048 },
  },
  additionalProperties: false,
} as const;

export const CREDENTIAL_REVOKED_DATA_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: schemaUri(CREDENTIAL_REVOKED_EVENT_TYPE),
  title: `data of ${CREDENTIAL_REVOKED_EVENT_TYPE}: a credential was revoked`,
  type: 'object',
  required: ['revocationId'],
  properties: {
    revocationId,
    fingerprint: { type: 'string', pattern: FINGERPRINT_PATTERN },
    jti: { description: 'JWT id (service-account and OIDC tokens).', type: 'string', minLength: 1 },
    certificate: {
      type: 'object',
      required: ['serial', 'issuer'],
      properties: { serial: { type: 'string', minLength: 1 }, issuer: { type: 'string', minLength: 1 } },
      additionalProperties: false,
    },
    reason: { type: 'string', maxLength: 2048 },
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
    reason: { type: 'string', maxLength: 2048 },
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
