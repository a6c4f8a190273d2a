// The `siem` section of the authtrail config (DESIGN §8; libs/config passes it through as
// written). Keys, types and defaults are written once here, as JSON Schema; ajv fills the
// defaults and every error names the key path (`siem.sinks[1].port`).
import { DURATION_PATTERN, parseDuration } from '@authtrail/config';
import { DROPPABLE_FIELDS, REASON_CODES, TOPICS, type DroppableField, type ReasonCode } from '@authtrail/events';
import Ajv, { type ErrorObject } from 'ajv';

export const SINK_TYPES = ['kafka-ocsf', 'kafka-ecs', 'syslog', 'splunk-hec'] as const;
export type SinkType = (typeof SINK_TYPES)[number];

export interface SinkFilter {
  /** Only decisions with these outcomes (absent: both). */
  readonly decisions?: readonly ('allow' | 'deny')[];
  /** Only decisions taken (or last attempted) by these strategies. */
  readonly strategies?: readonly string[];
  readonly reasons?: readonly ReasonCode[];
  /** Whether control events (policy applied, revocations) go to this sink. */
  readonly control: boolean;
}

interface SinkCommon {
  readonly name: string;
  readonly filter: SinkFilter;
  /** Privacy field selection: these fields never leave authtrail through this sink. */
  readonly drop: readonly DroppableField[];
}

export interface KafkaSinkConfig extends SinkCommon {
  readonly type: 'kafka-ocsf' | 'kafka-ecs';
  readonly topic: string;
}

export interface TlsClientConfig {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly serverName?: string;
  readonly rejectUnauthorized: boolean;
}

export interface SyslogSinkConfig extends SinkCommon {
  readonly type: 'syslog';
  readonly host: string;
  readonly port: number;
  readonly transport: 'tcp' | 'tls';
  readonly tls?: TlsClientConfig;
  /** `rfc5424`: structured data + a text, OCSF or ECS body; `cef`: ArcSight CEF as the message. */
  readonly format: 'rfc5424' | 'cef';
  readonly body: 'text' | 'ocsf' | 'ecs';
  readonly facility: number;
  readonly appName: string;
  readonly hostname?: string;
  readonly enterpriseId: number;
  readonly connectTimeoutMs: number;
  /** How long a written batch must leave the connection open before it counts as received. */
  readonly confirmWindowMs: number;
}

export interface SplunkHecSinkConfig extends SinkCommon {
  readonly type: 'splunk-hec';
  /** Full endpoint, e.g. `https://splunk:8088/services/collector/event`. */
  readonly url: string;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly tokenEnv?: string;
  readonly format: 'ocsf' | 'ecs';
  readonly index?: string;
  readonly source: string;
  readonly sourcetype?: string;
  readonly batchSize: number;
  readonly maxBatchBytes: number;
  readonly timeoutMs: number;
  readonly tls?: TlsClientConfig;
}

export type SinkConfig = KafkaSinkConfig | SyslogSinkConfig | SplunkHecSinkConfig;

export interface SiemConfig {
  readonly enabled: boolean;
  readonly groupId: string;
  readonly clientId: string;
  readonly topics: { readonly decisions: string; readonly control: string; readonly deadLetter: string };
  readonly includeControl: boolean;
  readonly retry: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  readonly metrics: { readonly port: number; readonly host: string };
  readonly productVersion: string;
  readonly sinks: readonly SinkConfig[];
}

const duration = (def: string, description: string) => ({ type: 'string', pattern: DURATION_PATTERN, default: def, description }) as const;
const nonEmptyString = { type: 'string', minLength: 1 } as const;

const tlsSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'TLS client settings; PEM files.',
  properties: {
    caFile: { ...nonEmptyString, description: 'CA bundle the server certificate must chain to (default: the system CAs).' },
    certFile: { ...nonEmptyString, description: 'Client certificate for mutual TLS.' },
    keyFile: { ...nonEmptyString, description: 'Key of the client certificate.' },
    serverName: { ...nonEmptyString, description: 'Name checked against the server certificate (default: host).' },
    rejectUnauthorized: { type: 'boolean', default: true, description: 'Never turn this off outside tests.' },
  },
} as const;

const commonProperties = {
  type: { enum: SINK_TYPES },
  name: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'Unique; the `sink` label of the metrics (default: type-index).' },
  filter: {
    type: 'object',
    additionalProperties: false,
    default: {},
    properties: {
      decisions: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['allow', 'deny'] } },
      strategies: { type: 'array', minItems: 1, uniqueItems: true, items: nonEmptyString },
      reasons: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: REASON_CODES } },
      control: { type: 'boolean', default: true },
    },
  },
  drop: { type: 'array', uniqueItems: true, default: [], items: { enum: DROPPABLE_FIELDS } },
} as const;

const SINK_SCHEMAS: Readonly<Record<SinkType, object>> = {
  'kafka-ocsf': kafkaSinkSchema(TOPICS.ocsf),
  'kafka-ecs': kafkaSinkSchema(TOPICS.ecs),
  syslog: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'host', 'port'],
    properties: {
      ...commonProperties,
      host: nonEmptyString,
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      transport: { enum: ['tcp', 'tls'], default: 'tcp' },
      tls: tlsSchema,
      format: { enum: ['rfc5424', 'cef'], default: 'rfc5424' },
      body: { enum: ['text', 'ocsf', 'ecs'], default: 'text' },
      facility: { type: 'integer', minimum: 0, maximum: 23, default: 10, description: '10 = authpriv.' },
      appName: { type: 'string', pattern: '^[!-~]{1,48}$', default: 'authtrail' },
      hostname: { type: 'string', pattern: '^[!-~]{1,255}$' },
      enterpriseId: { type: 'integer', minimum: 1, default: 32473, description: 'Private enterprise number of the SD-ID (32473 is the documentation PEN of RFC 5612).' },
      connectTimeout: duration('5s', 'TCP/TLS connect timeout.'),
      confirmWindow: duration('100ms', 'TCP syslog has no acknowledgement: a batch counts as received once the connection stayed open this long after it.'),
    },
  },
  'splunk-hec': {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'url'],
    properties: {
      ...commonProperties,
      url: { type: 'string', pattern: '^https?://[^@/]+/', description: 'HEC endpoint, e.g. https://splunk:8088/services/collector/event (no credentials in the URL).' },
      token: { ...nonEmptyString, description: 'HEC token. Prefer tokenFile or tokenEnv.' },
      tokenFile: { ...nonEmptyString, description: 'File holding the HEC token.' },
      tokenEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Environment variable holding the HEC token.' },
      format: { enum: ['ocsf', 'ecs'], default: 'ocsf' },
      index: nonEmptyString,
      source: { ...nonEmptyString, default: 'authtrail' },
      sourcetype: nonEmptyString,
      batchSize: { type: 'integer', minimum: 1, maximum: 10000, default: 100 },
      maxBatchBytes: { type: 'integer', minimum: 1024, default: 1_000_000 },
      timeout: duration('10s', 'Per request.'),
      tls: tlsSchema,
    },
  },
};

function kafkaSinkSchema(defaultTopic: string): object {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: { ...commonProperties, topic: { type: 'string', pattern: '^[a-zA-Z0-9._-]{1,249}$', default: defaultTopic } },
  };
}

const siemSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean', default: true },
    groupId: { ...nonEmptyString, default: 'authtrail-siem-exporter' },
    clientId: { ...nonEmptyString, default: 'authtrail-siem-exporter' },
    topics: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        decisions: { ...nonEmptyString, default: TOPICS.decisions },
        control: { ...nonEmptyString, default: TOPICS.control },
        deadLetter: { ...nonEmptyString, default: TOPICS.deadLetter },
      },
    },
    includeControl: { type: 'boolean', default: true },
    retry: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { initialDelay: duration('200ms', 'First backoff while a sink is down.'), maxDelay: duration('30s', 'Backoff ceiling.') },
    },
    metrics: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { port: { type: 'integer', minimum: 0, maximum: 65535, default: 9464 }, host: { ...nonEmptyString, default: '127.0.0.1' } },
    },
    productVersion: { ...nonEmptyString, default: '0.1.0' },
    sinks: { type: 'array', default: [], items: { type: 'object', required: ['type'], properties: { type: { enum: SINK_TYPES } } } },
  },
} as const;

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validateTop = ajv.compile(siemSchema);
const validateSink = Object.fromEntries(SINK_TYPES.map((t) => [t, ajv.compile(SINK_SCHEMAS[t])])) as Record<SinkType, ReturnType<typeof ajv.compile>>;

export type SiemConfigResult = { readonly ok: true; readonly config: SiemConfig } | { readonly ok: false; readonly errors: readonly string[] };

/** Validates the raw `siem` section (absent: no sinks). Never throws; errors name `siem.<path>`. */
export function parseSiemConfig(raw: unknown): SiemConfigResult {
  const input: unknown = structuredClone(raw ?? {});
  if (!validateTop(input)) return { ok: false, errors: (validateTop.errors ?? []).map((e) => describeError('siem', e)) };
  const section = input as Record<string, unknown> & { sinks: Record<string, unknown>[] };
  const errors: string[] = [];
  section.sinks.forEach((sink, index) => {
    const validate = validateSink[sink['type'] as SinkType];
    if (!validate(sink)) errors.push(...(validate.errors ?? []).map((e) => describeError(`siem.sinks[${index}]`, e)));
  });
  const names = section.sinks.map((sink, index) => (sink['name'] as string | undefined) ?? `${sink['type'] as string}-${index}`);
  names.forEach((name, index) => {
    if (names.indexOf(name) !== index) errors.push(`siem.sinks[${index}].name: "${name}" is used by another sink`);
  });
  section.sinks.forEach((sink, index) => {
    if (sink['type'] !== 'splunk-hec') return;
    const given = ['token', 'tokenFile', 'tokenEnv'].filter((k) => sink[k] !== undefined);
    if (given.length !== 1) errors.push(`siem.sinks[${index}]: exactly one of token, tokenFile, tokenEnv is required`);
  });
  section.sinks.forEach((sink, index) => {
    if (sink['type'] === 'syslog' && sink['transport'] === 'tcp' && sink['tls'] !== undefined) errors.push(`siem.sinks[${index}].tls: only with transport: tls`);
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, config: toTyped(section, names) };
}

function ms(value: unknown): number {
  const parsed = parseDuration(value as string);
  return parsed.ok ? parsed.ms : 0;
}

function toTyped(section: Record<string, unknown> & { sinks: Record<string, unknown>[] }, names: readonly string[]): SiemConfig {
  const retry = section['retry'] as Record<string, string>;
  return {
    ...(section as unknown as Omit<SiemConfig, 'retry' | 'sinks'>),
    retry: { initialDelayMs: ms(retry['initialDelay']), maxDelayMs: ms(retry['maxDelay']) },
    sinks: section.sinks.map((sink, index) => {
      const { connectTimeout, confirmWindow, timeout, ...rest } = sink;
      const typed = { ...rest, name: names[index] };
      if (sink['type'] === 'syslog') return { ...typed, connectTimeoutMs: ms(connectTimeout), confirmWindowMs: ms(confirmWindow) } as unknown as SyslogSinkConfig;
      if (sink['type'] === 'splunk-hec') return { ...typed, timeoutMs: ms(timeout) } as unknown as SplunkHecSinkConfig;
      return typed as unknown as KafkaSinkConfig;
    }),
  };
}

/** `/sinks/1/port` → `siem.sinks[1].port: must be <= 65535`. */
function describeError(prefix: string, error: ErrorObject): string {
  const segments = error.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`));
  let path = prefix + segments.join('');
  if (error.keyword === 'additionalProperties') path += `.${String(error.params['additionalProperty'])}`;
  if (error.keyword === 'required') path += `.${String(error.params['missingProperty'])}`;
  const message =
    error.keyword === 'additionalProperties' ? 'unknown key'
    : error.keyword === 'required' ? 'is required'
    : error.keyword === 'enum' ? `must be one of ${(error.params['allowedValues'] as unknown[]).join(', ')}`
    : error.keyword === 'pattern' && error.instancePath.match(/(Timeout|Window|Delay|timeout)$/) ? 'must be a duration such as 500ms, 10s, 1m'
    : (error.message ?? 'is invalid');
  return `${path}: ${message}`;
}
