// Test bootstrap tokens: a random `[a-z0-9]{6}.[a-z0-9]{16}` token and its Secret manifest
// (kube-system, type bootstrap.kubernetes.io/token), as `data` (base64) or `stringData`.
import { randomInt } from 'node:crypto';
import { stringify } from 'yaml';

export interface MintBootstrapTokenOptions {
  readonly id?: string;
  readonly secret?: string;
  /** RFC 3339 text, or a Date. Absent: no expiration. */
  readonly expiration?: string | Date;
  /** `usage-bootstrap-authentication`; default "true"; `null` leaves the key out. */
  readonly usageAuthentication?: string | null;
  /** `auth-extra-groups`, written comma-separated. */
  readonly extraGroups?: readonly string[];
  /** Where the values go (default `data`, base64 as in a real Secret). */
  readonly encoding?: 'data' | 'stringData';
  /** Override the Secret name (default `bootstrap-token-<id>`). */
  readonly name?: string;
  /** Override the `token-id` key (default the id). */
  readonly tokenIdField?: string;
}

export interface TestBootstrapToken {
  readonly id: string;
  readonly secret: string;
  /** `<id>.<secret>`, the bearer token. */
  readonly token: string;
  readonly manifest: Readonly<Record<string, unknown>>;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const randomText = (length: number) => Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

export function mintBootstrapToken(options: MintBootstrapTokenOptions = {}): TestBootstrapToken {
  const id = options.id ?? randomText(6);
  const secret = options.secret ?? randomText(16);
  const values: Record<string, string> = { 'token-id': options.tokenIdField ?? id, 'token-secret': secret };
  if (options.expiration !== undefined) {
    values['expiration'] = options.expiration instanceof Date ? options.expiration.toISOString().replace(/\.\d{3}Z$/, 'Z') : options.expiration;
  }
  if (options.usageAuthentication !== null) values['usage-bootstrap-authentication'] = options.usageAuthentication ?? 'true';
  if (options.extraGroups) values['auth-extra-groups'] = options.extraGroups.join(',');
  const encoding = options.encoding ?? 'data';
  const payload = encoding === 'data' ? Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) : values;
  return {
    id,
    secret,
    token: `${id}.${secret}`,
    manifest: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: options.name ?? `bootstrap-token-${id}`, namespace: 'kube-system' },
      type: 'bootstrap.kubernetes.io/token',
      [encoding]: payload,
    },
  };
}

/** A multi-document YAML file of the manifests. */
export function bootstrapSecretsYaml(manifests: readonly Readonly<Record<string, unknown>>[]): string {
  return manifests.map((m) => stringify(m)).join('---\n');
}
