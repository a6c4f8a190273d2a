// Config of the `bootstrap-token` strategy: `{ id: bootstrap-token, secretsFile, reloadIntervalMs? }`.
import type { JsonSchema } from '../shared/json-schema';

export interface BootstrapTokenConfig {
  readonly id: 'bootstrap-token';
  /** YAML file of Secret manifests (`type: bootstrap.kubernetes.io/token`), `---` separated or a List. */
  readonly secretsFile: string;
  readonly reloadIntervalMs?: number;
}

export const BOOTSTRAP_TOKEN_DEFAULTS = { reloadIntervalMs: 2_000 } as const;

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'secretsFile'],
  properties: {
    id: { const: 'bootstrap-token' },
    secretsFile: { type: 'string', minLength: 1, description: 'YAML file of bootstrap token Secret manifests; reloaded on change.' },
    reloadIntervalMs: { type: 'integer', minimum: 100, maximum: 3_600_000, description: 'Stat fallback period for reloads (default 2000).' },
  },
};
