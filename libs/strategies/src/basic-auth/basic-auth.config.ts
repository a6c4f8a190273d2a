// Config of the `basic-auth` strategy:
// `{ id: basic-auth, passwordFile, reloadIntervalMs?, maxConcurrentHashes?, maxQueuedHashes? }`.
import type { JsonSchema } from '../shared/json-schema';

export interface BasicAuthConfig {
  readonly id: 'basic-auth';
  /** CSV `password,user,uid,"groups"`; the password column is a PHC hash or plaintext. */
  readonly passwordFile: string;
  readonly reloadIntervalMs?: number;
  /** Password hashes verified at the same time (each takes a core for tens of ms). */
  readonly maxConcurrentHashes?: number;
  /** Verifications waiting for a slot; beyond it requests are refused with `throttled`. */
  readonly maxQueuedHashes?: number;
}

export const BASIC_AUTH_DEFAULTS = { reloadIntervalMs: 2_000, maxConcurrentHashes: 2, maxQueuedHashes: 64 } as const;

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'passwordFile'],
  properties: {
    id: { const: 'basic-auth' },
    passwordFile: { type: 'string', minLength: 1, description: 'CSV password,user,uid,"groups" (PHC argon2id/scrypt/bcrypt or plaintext); reloaded on change.' },
    reloadIntervalMs: { type: 'integer', minimum: 100, maximum: 3_600_000, description: 'Stat fallback period for reloads (default 2000).' },
    maxConcurrentHashes: { type: 'integer', minimum: 1, maximum: 64, description: 'Concurrent password-hash verifications (default 2).' },
    maxQueuedHashes: { type: 'integer', minimum: 0, maximum: 100_000, description: 'Verifications allowed to wait; more are throttled (default 64).' },
  },
};
