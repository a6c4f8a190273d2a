// Checks the `data` of a control event before it is published, with the same validator every
// consumer decodes it with (schema-validators.ts): a writer (the GraphQL mutations) can refuse
// what the control topic would dead-letter, and say which field is wrong, from one source.
import type { ErrorObject } from 'ajv/dist/2020';
import type { ControlEvent } from './decision.event';
import { EVENT_CATALOGUE } from './event-catalogue';
import { dataValidator } from './schema-validators';

export type ControlEventType = ControlEvent['type'];

export type ControlDataValidation =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** JSON Pointer of the offending property in `data` ('' for the object as a whole). */
      readonly pointer: string;
      /** The rule broken, in words: the schema's description of the field where it has one. Never the value. */
      readonly message: string;
    };

// Keywords whose rule the field's description states better than ajv's message (which would
// print a regular expression or a bare number).
const DESCRIBED_KEYWORDS = new Set(['pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'oneOf', 'anyOf', 'type']);

/** Validates `data` for a control event of `type`; on failure names the field (first error only). */
export function validateControlData(type: ControlEventType, data: unknown): ControlDataValidation {
  const validate = dataValidator(type);
  if (validate(data)) return { ok: true };
  const errors = validate.errors ?? [];
  // oneOf/anyOf report each branch's error first and their own last; the combined one is the point.
  const error = errors.find((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf') ?? errors[0];
  if (!error) return { ok: false, pointer: '', message: 'does not match the schema' };
  return problemOf(error, EVENT_CATALOGUE[type].dataSchema);
}

function problemOf(error: ErrorObject, schema: object): Exclude<ControlDataValidation, { ok: true }> {
  const node = schemaNodeAt(schema, error.schemaPath);
  if (error.keyword === 'required') {
    const missing = String((error.params as { missingProperty?: unknown }).missingProperty ?? '');
    return { ok: false, pointer: `${error.instancePath}/${missing}`, message: 'is required' };
  }
  if (error.keyword === 'additionalProperties') {
    // The unexpected name comes from the input: not repeated.
    return { ok: false, pointer: error.instancePath, message: 'has a property the schema does not allow' };
  }
  const description = typeof node?.['description'] === 'string' ? node['description'] : undefined;
  const message = description && DESCRIBED_KEYWORDS.has(error.keyword) ? `expected: ${description}` : (error.message ?? 'is invalid');
  return { ok: false, pointer: error.instancePath, message };
}

/** The schema object holding the failing keyword (`#/properties/jti/pattern` → the `jti` schema). */
function schemaNodeAt(schema: object, schemaPath: string): Record<string, unknown> | undefined {
  const segments = schemaPath.replace(/^#\/?/, '').split('/').filter((s) => s !== '').slice(0, -1);
  let node: unknown = schema;
  for (const segment of segments) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[decodeURIComponent(segment.replace(/~1/g, '/').replace(/~0/g, '~'))];
  }
  return typeof node === 'object' && node !== null ? (node as Record<string, unknown>) : undefined;
}
