// Config of the `x509` strategy: `{ id: x509, clientCAFile, crlFile?, reloadIntervalMs? }`.
import type { JsonSchema } from '../shared/json-schema';

export interface X509Config {
  readonly id: 'x509';
  /** PEM bundle of trusted CA certificates (roots, and intermediates whose CRLs you load). */
  readonly clientCAFile: string;
  /** PEM file of one or more CRLs, each signed by a CA of the bundle; reloaded on change. */
  readonly crlFile?: string;
  readonly reloadIntervalMs?: number;
}

export const X509_DEFAULTS = { reloadIntervalMs: 10_000, maxChainLength: 10 } as const;

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'clientCAFile'],
  properties: {
    id: { const: 'x509' },
    clientCAFile: { type: 'string', minLength: 1, description: 'PEM bundle of trusted client CAs (read at start).' },
    crlFile: { type: 'string', minLength: 1, description: 'PEM CRLs signed by those CAs; reloaded on change.' },
    reloadIntervalMs: { type: 'integer', minimum: 100, maximum: 3_600_000, description: 'Stat fallback period for CRL reloads (default 10000).' },
  },
};
