// Config of the `anonymous` strategy: `{ id: anonymous, paths? }` (same meaning as
// `authn.anonymous.paths` of the service config).
import type { JsonSchema } from '../shared/json-schema';

export interface AnonymousConfig {
  readonly id: 'anonymous';
  /** Request paths that may be anonymous: exact, or a prefix when the entry ends with `*`. Absent: every path. */
  readonly paths?: readonly string[];
}

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: {
    id: { const: 'anonymous' },
    paths: {
      type: 'array',
      items: { type: 'string', minLength: 1, pattern: '^/' },
      description: 'Paths that may be anonymous (exact, or prefix with a trailing `*`). Absent: all.',
    },
  },
};
