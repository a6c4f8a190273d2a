// The integrity checkpoint of a producer chain (issue 21, docs/integrity.md): a signed summary of
// the events a producer boot published since its previous checkpoint. It is a control event and
// itself a member of the chain it summarises; `@authtrail/integrity` builds, signs and checks it.
import type { CloudEvent } from './decision.event';
import { UUID_V7_PATTERN } from './decision-data.schema';
import { schemaUri } from './schema-ids';

export const INTEGRITY_CHECKPOINT_EVENT_TYPE = 'authtrail.control.integrity.checkpoint.v1';

/** `data` of `authtrail.control.integrity.checkpoint.v1`. Strings, integers and null only (it is signed as RFC 8785 JSON). */
export interface IntegrityCheckpointData {
  /** `<instance>/<boot>`, the `chainid` of every event of the boot. */
  readonly chainId: string;
  readonly instance: string;
  readonly boot: string;
  /** The chain sequence range this checkpoint covers: the events after the previous checkpoint, up to the head. */
  readonly fromSequence: number;
  readonly toSequence: number;
  readonly count: number;
  /** Lower-case hex SHA-256 of the record value of event `toSequence`. */
  readonly head: string;
  /** `time` of events `fromSequence` and `toSequence`. */
  readonly firstTime: string;
  readonly lastTime: string;
  /** Hex SHA-256 of the record value of this producer's previous checkpoint (an earlier boot's too), or null. */
  readonly previousCheckpoint: string | null;
  readonly keyId: string;
  /** Ed25519 signature, base64url without padding (86 characters). */
  readonly signature: string;
}

export type IntegrityCheckpointEvent = CloudEvent<typeof INTEGRITY_CHECKPOINT_EVENT_TYPE, IntegrityCheckpointData>;

const SHA256_HEX_PATTERN = '^[0-9a-f]{64}$';
const sequence = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;

export const INTEGRITY_CHECKPOINT_DATA_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: schemaUri(INTEGRITY_CHECKPOINT_EVENT_TYPE),
  title: `data of ${INTEGRITY_CHECKPOINT_EVENT_TYPE}: a signed summary of a producer chain`,
  type: 'object',
  required: ['chainId', 'instance', 'boot', 'fromSequence', 'toSequence', 'count', 'head', 'firstTime', 'lastTime', 'previousCheckpoint', 'keyId', 'signature'],
  properties: {
    chainId: { description: 'The chain: `<instance>/<boot>`, equal to the `chainid` attribute of its events.', type: 'string', minLength: 1, maxLength: 1200 },
    instance: { description: 'The producer instance (pod name, host).', type: 'string', minLength: 1, maxLength: 1024 },
    boot: { description: 'The boot of the producer (UUIDv7).', type: 'string', pattern: UUID_V7_PATTERN },
    fromSequence: { ...sequence, description: 'First chain sequence covered (the one after the previous checkpoint).' },
    toSequence: { ...sequence, description: 'Last chain sequence covered (the head).' },
    count: { ...sequence, description: 'Events covered: toSequence - fromSequence + 1.' },
    head: { description: 'Lower-case hex SHA-256 of the record value of event toSequence.', type: 'string', pattern: SHA256_HEX_PATTERN },
    firstTime: { description: 'time of event fromSequence.', type: 'string', format: 'date-time' },
    lastTime: { description: 'time of event toSequence.', type: 'string', format: 'date-time' },
    previousCheckpoint: { description: 'Lower-case hex SHA-256 of the previous checkpoint record of this producer, or null.', type: ['string', 'null'], pattern: SHA256_HEX_PATTERN },
    keyId: { description: 'Id of the Ed25519 key that signed it.', type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
    signature: { description: 'Ed25519 over the RFC 8785 JSON of the event without data.signature, base64url.', type: 'string', pattern: '^[A-Za-z0-9_-]{86}$' },
  },
  additionalProperties: false,
} as const;
