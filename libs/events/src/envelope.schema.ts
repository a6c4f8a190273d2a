// The CloudEvents 1.0 structured-mode envelope of every authtrail event (DESIGN §4). The data
// schemas (one per event type) check `data`; this one checks everything around it.
import { ENVELOPE_SCHEMA_NAME, schemaUri } from './schema-ids';

const CONTEXT_ATTRIBUTES = ['specversion', 'id', 'source', 'type', 'time', 'datacontenttype', 'dataschema', 'subject', 'data', 'data_base64'];

export const ENVELOPE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: schemaUri(ENVELOPE_SCHEMA_NAME),
  title: 'authtrail CloudEvents 1.0 envelope (structured mode, JSON data)',
  type: 'object',
  required: ['specversion', 'id', 'source', 'type', 'time', 'datacontenttype', 'data'],
  properties: {
    specversion: { const: '1.0' },
    id: { description: 'UUIDv7 for events authtrail produces; consumers deduplicate on it.', type: 'string', minLength: 1, maxLength: 128 },
    source: { description: 'Producer, e.g. /authtrail/authn/<instance>.', type: 'string', format: 'uri-reference', minLength: 1, maxLength: 512 },
    type: { description: 'authtrail.<area>.<event>.v<N>; the version is part of the type.', type: 'string', minLength: 1, maxLength: 256 },
    time: { description: 'RFC 3339, milliseconds, UTC.', type: 'string', format: 'date-time' },
    datacontenttype: { const: 'application/json' },
    dataschema: { type: 'string', format: 'uri', maxLength: 512 },
    subject: { description: 'The partition key (DESIGN §4); also the Kafka record key.', type: 'string', minLength: 1 },
    data: { description: 'Checked by the data schema of `type`.' },
  },
  // CloudEvents lets producers add extension attributes (lower-case a-z0-9, at most 20 chars,
  // scalar values); authtrail writes none in v1 but tolerates them so that adding one (e.g.
  // `traceparent`) does not break consumers built before. `data_base64` stays forbidden: our
  // data is always JSON.
  patternProperties: {
    [`^(?!(?:${CONTEXT_ATTRIBUTES.join('|')})$)[a-z0-9]{1,20}$`]: { type: ['string', 'number', 'boolean'] },
  },
  additionalProperties: false,
} as const;
