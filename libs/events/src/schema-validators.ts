// The schemas compiled once (lazily, on first use: importing the lib has no side effects) with
// ajv for draft 2020-12 plus ajv-formats. Results are values, never exceptions.
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { EVENT_CATALOGUE, EVENT_TYPES, type AuthtrailEventType } from './event-catalogue';
import { ENVELOPE_SCHEMA } from './envelope.schema';

export type ValidationResult = { readonly ok: true } | { readonly ok: false; readonly detail: string };

interface Validators {
  readonly envelope: ValidateFunction;
  readonly data: Readonly<Record<AuthtrailEventType, ValidateFunction>>;
}

let compiled: Validators | undefined;

function validators(): Validators {
  if (compiled) return compiled;
  // strictRequired off: `then` and `oneOf` branches name properties declared one level up.
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: false, allowUnionTypes: true });
  addFormats(ajv, ['date-time', 'uri', 'uri-reference', 'ipv4', 'ipv6']);
  compiled = {
    envelope: ajv.compile(ENVELOPE_SCHEMA),
    data: Object.fromEntries(EVENT_TYPES.map((type) => [type, ajv.compile(EVENT_CATALOGUE[type].dataSchema)])) as Record<AuthtrailEventType, ValidateFunction>,
  };
  return compiled;
}

/** Checks the CloudEvents envelope (not `data`). */
export function validateEnvelope(value: unknown): ValidationResult {
  const validate = validators().envelope;
  return validate(value) ? { ok: true } : { ok: false, detail: describeErrors(validate.errors, '') };
}

/** The compiled data validator of `type` (the one decoding uses), for validation helpers of this lib. */
export function dataValidator(type: AuthtrailEventType): ValidateFunction {
  return validators().data[type];
}

/** Checks `data` against the schema of `type`. */
export function validateEventData(type: AuthtrailEventType, data: unknown): ValidationResult {
  const validate = validators().data[type];
  return validate(data) ? { ok: true } : { ok: false, detail: describeErrors(validate.errors, '/data') };
}

/** Envelope and data: what a producer can assert in its tests before publishing. */
export function validateEvent(event: { readonly type: AuthtrailEventType; readonly data: unknown }): ValidationResult {
  const envelope = validateEnvelope(event);
  return envelope.ok ? validateEventData(event.type, event.data) : envelope;
}

// Ajv messages name the path and the rule, never the offending value. Path segments that are
// not property names of our schemas (keys of `user.extra`, an unexpected property) come from
// the input and could be anything, a secret included: they are printed as `*`.
function describeErrors(errors: readonly ErrorObject[] | null | undefined, prefix: string): string {
  // anyOf/oneOf report each branch's error first and their own last; the combined one reads better.
  const first = errors?.find((error) => error.keyword === 'anyOf' || error.keyword === 'oneOf') ?? errors?.[0];
  if (!first) return 'does not match the schema';
  const where = `${prefix}${safePath(first.instancePath)}` || '/';
  return `${where} ${first.message ?? 'is invalid'}`;
}

function safePath(path: string): string {
  const names = schemaPropertyNames();
  return path
    .split('/')
    .map((segment) => (segment === '' || /^\d{1,9}$/.test(segment) || names.has(segment) ? segment : '*'))
    .join('/');
}

let propertyNames: ReadonlySet<string> | undefined;

function schemaPropertyNames(): ReadonlySet<string> {
  if (propertyNames) return propertyNames;
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'properties' && typeof value === 'object' && value !== null) Object.keys(value).forEach((name) => names.add(name));
        walk(value);
      }
    }
  };
  walk([ENVELOPE_SCHEMA, ...EVENT_TYPES.map((type) => EVENT_CATALOGUE[type].dataSchema)]);
  propertyNames = names;
  return names;
}
