// Config of the `static-token` strategy: `{ id: static-token, tokenFile, reloadIntervalMs? }`.
import type { JsonSchema } from '../shared/json-schema';

export interface StaticTokenConfig {
  readonly id: 'static-token';
  /** kube `--token-auth-file` CSV: `token,user,uid,"g1,g2"[,expiry]`. */
  readonly tokenFile: string;
  /** Period of the stat fallback behind fs.watch. */
  readonly reloadIntervalMs?: number;
}

export const STATIC_TOKEN_DEFAULTS = { reloadIntervalMs: 2_000 } as const;

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'tokenFile'],
  properties: {
    id: { const: 'static-token' },
    tokenFile: { type: 'string', minLength: 1, description: 'CSV file token,user,uid,"groups"[,RFC 3339 expiry]; reloaded on change.' },
    reloadIntervalMs: { type: 'integer', minimum: 100, maximum: 3_600_000, description: 'Stat fallback period for reloads (default 2000).' },
  },
};
