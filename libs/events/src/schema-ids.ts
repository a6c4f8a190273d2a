// Where schemas are named. CloudEvents `dataschema` must be an absolute URI; authtrail owns no
// web domain, so the ids are URNs. Each one is also a file under `libs/events/schemas/`
// (`<name>.schema.json`), generated from the TS source by `event-schemas.unit.spec.ts`.

const SCHEMA_URN_PREFIX = 'urn:authtrail:schema:';

/** `$id` of the JSON Schema called `name`, and the `dataschema` of events of that type. */
export function schemaUri(name: string): string {
  return `${SCHEMA_URN_PREFIX}${name}`;
}

export const ENVELOPE_SCHEMA_NAME = 'cloudevents.envelope.v1';
