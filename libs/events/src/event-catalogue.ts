// Every event type authtrail writes, with its topic and data schema: the one table the codec,
// the builders, the schema files and docs/events.md are derived from.
import { CREDENTIAL_REVOKED_DATA_SCHEMA, POLICY_APPLIED_DATA_SCHEMA, PRODUCER_STATUS_DATA_SCHEMA, REVOCATION_LIFTED_DATA_SCHEMA } from './control-data.schema';
import { DECISION_DATA_SCHEMA } from './decision-data.schema';
import {
  CREDENTIAL_REVOKED_EVENT_TYPE,
  DECISION_EVENT_TYPE,
  POLICY_APPLIED_EVENT_TYPE,
  PRODUCER_STATUS_EVENT_TYPE,
  REVOCATION_LIFTED_EVENT_TYPE,
  TOPICS,
  type AuthtrailEvent,
} from './decision.event';
import { ENVELOPE_SCHEMA } from './envelope.schema';
import { INTEGRITY_CHECKPOINT_DATA_SCHEMA, INTEGRITY_CHECKPOINT_EVENT_TYPE } from './integrity-checkpoint.event';
import { ENVELOPE_SCHEMA_NAME, schemaUri } from './schema-ids';

export type AuthtrailEventType = AuthtrailEvent['type'];

interface CatalogueEntry {
  readonly topic: string;
  readonly dataSchema: { readonly $id: string };
}

export const EVENT_CATALOGUE: Readonly<Record<AuthtrailEventType, CatalogueEntry>> = {
  [DECISION_EVENT_TYPE]: { topic: TOPICS.decisions, dataSchema: DECISION_DATA_SCHEMA },
  [POLICY_APPLIED_EVENT_TYPE]: { topic: TOPICS.control, dataSchema: POLICY_APPLIED_DATA_SCHEMA },
  [CREDENTIAL_REVOKED_EVENT_TYPE]: { topic: TOPICS.control, dataSchema: CREDENTIAL_REVOKED_DATA_SCHEMA },
  [REVOCATION_LIFTED_EVENT_TYPE]: { topic: TOPICS.control, dataSchema: REVOCATION_LIFTED_DATA_SCHEMA },
  [PRODUCER_STATUS_EVENT_TYPE]: { topic: TOPICS.control, dataSchema: PRODUCER_STATUS_DATA_SCHEMA },
  [INTEGRITY_CHECKPOINT_EVENT_TYPE]: { topic: TOPICS.control, dataSchema: INTEGRITY_CHECKPOINT_DATA_SCHEMA },
};

export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as readonly AuthtrailEventType[];

export function isKnownEventType(type: string): type is AuthtrailEventType {
  // hasOwn, not `in`: a type named "constructor" or "__proto__" must not find Object.prototype.
  return Object.hasOwn(EVENT_CATALOGUE, type);
}

/** The topic events of `type` are published to. */
export function topicOf(type: AuthtrailEventType): string {
  return EVENT_CATALOGUE[type].topic;
}

/** The CloudEvents `dataschema` of events of `type` (the `$id` of its data schema). */
export function dataSchemaUriOf(type: AuthtrailEventType): string {
  return schemaUri(type);
}

/**
 * Every schema by file name (without `.schema.json`): the envelope and one data schema per
 * event type. The SIEM mappers and the docs read these; the files under `libs/events/schemas/`
 * are generated from this table.
 */
export const EVENT_SCHEMAS: Readonly<Record<string, object>> = {
  [ENVELOPE_SCHEMA_NAME]: ENVELOPE_SCHEMA,
  ...Object.fromEntries(EVENT_TYPES.map((type) => [type, EVENT_CATALOGUE[type].dataSchema])),
};

const VERSIONED_TYPE_RE = /^(.+)\.v(\d{1,9})$/;

/**
 * `authtrail.authn.decision` for `authtrail.authn.decision.v7`; undefined without a version
 * suffix. Decoding tells "a version of a type we know" from "a type we never heard of".
 */
export function eventTypeFamily(type: string): { readonly family: string; readonly version: number } | undefined {
  const match = VERSIONED_TYPE_RE.exec(type);
  return match ? { family: match[1], version: Number(match[2]) } : undefined;
}

const KNOWN_FAMILIES: ReadonlySet<string> = new Set(EVENT_TYPES.map((type) => eventTypeFamily(type)?.family ?? type));

export function isKnownEventFamily(type: string): boolean {
  const parsed = eventTypeFamily(type);
  return parsed !== undefined && KNOWN_FAMILIES.has(parsed.family);
}
