// Loads ONE YAML file plus environment overrides, validates everything at boot, and returns a
// typed config. Every error names the key path and where the value came from (the file or the
// environment variable), so an operator can fix it without reading code.
import { readFileSync } from 'node:fs';
import { isAbsolute, dirname, resolve } from 'node:path';
import Ajv, { type ErrorObject, type FuncKeywordDefinition } from 'ajv';
import ipaddr from 'ipaddr.js';
import { parseDocument } from 'yaml';
import { configSchema, type EnvKind } from './config.schema';
import type { AuthtrailConfig } from './config.types';
import { parseDuration, DURATION_PATTERN } from './duration';
import { decodeFingerprintSecret, parseFingerprintKeysEnv } from './fingerprint-keys';

/** Checks one strategy section; returns problems with paths relative to the section. */
export type StrategyConfigValidator = (id: string, raw: unknown, path: string) => readonly ConfigIssue[];

export interface ConfigIssue {
  /** Dotted key path, e.g. `authn.cache.successTTL`, `authn.strategies[2].tokenFile`. */
  readonly path: string;
  readonly message: string;
}

export interface LoadConfigOptions {
  readonly argv?: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Strategy sections are checked by their own strategy (the strategies registry). */
  readonly validateStrategy?: StrategyConfigValidator;
  /** Folder for relative paths when there is no config file (default: process.cwd()). */
  readonly cwd?: string;
  readonly readFile?: (path: string) => string;
}

export type ConfigResult =
  | { readonly ok: true; readonly config: AuthtrailConfig }
  | { readonly ok: false; readonly errors: readonly string[] };

export class ConfigError extends Error {
  constructor(readonly errors: readonly string[]) {
    super(`invalid configuration:\n  ${errors.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Throws ConfigError (all problems at once) when the config is invalid. */
export function loadConfig(options: LoadConfigOptions = {}): AuthtrailConfig {
  const result = readConfig(options);
  if (!result.ok) throw new ConfigError(result.errors);
  return result.config;
}

type Json = Record<string, unknown>;
interface SchemaNode {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode;
  readonly format?: string;
  readonly 'x-env'?: string;
  readonly 'x-envKind'?: EnvKind;
  readonly 'x-path'?: boolean;
}

/** `x-minDuration: '1s'` / `x-maxDuration: '1s'`: bounds of a duration key (a 0 s heartbeat would spin). */
function durationBound(keyword: 'x-minDuration' | 'x-maxDuration'): FuncKeywordDefinition {
  const within = keyword === 'x-minDuration' ? (value: number, limit: number) => value >= limit : (value: number, limit: number) => value <= limit;
  return {
    keyword,
    type: 'string',
    schemaType: 'string',
    errors: true,
    validate: function checkDurationBound(bound: string, data: string): boolean {
      const value = parseDuration(data);
      const limit = parseDuration(bound);
      // A malformed value is the `duration` format's error, not this one.
      if (!value.ok || !limit.ok || within(value.ms, limit.ms)) return true;
      const message = `must be at ${keyword === 'x-minDuration' ? 'least' : 'most'} ${bound}`;
      (checkDurationBound as unknown as { errors: Partial<ErrorObject>[] }).errors = [{ keyword, message, params: { limit: bound } }];
      return false;
    },
  };
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strictTypes: false, allowUnionTypes: true });
ajv.addVocabulary(['x-env', 'x-envKind', 'x-path']);
ajv.addFormat('duration', { type: 'string', validate: (s: string) => parseDuration(s).ok });
ajv.addKeyword(durationBound('x-minDuration'));
ajv.addKeyword(durationBound('x-maxDuration'));
ajv.addFormat('cidr', { type: 'string', validate: isCidr });
ajv.addFormat('base64key', { type: 'string', validate: (s: string) => decodeFingerprintSecret(s) !== undefined });
const validateSchema = ajv.compile(configSchema);

export function readConfig(options: LoadConfigOptions = {}): ConfigResult {
  const env = options.env ?? process.env;
  const fileArg = configFileArgument(options.argv ?? []) ?? nonEmpty(env['AUTHTRAIL_CONFIG']);
  const configFile = fileArg === undefined ? undefined : resolve(options.cwd ?? process.cwd(), fileArg);
  const baseDir = configFile ? dirname(configFile) : resolve(options.cwd ?? process.cwd());
  const label = configFile ?? '<defaults>';

  let raw: Json = {};
  if (configFile) {
    const read = readYaml(configFile, options.readFile ?? ((p) => readFileSync(p, 'utf8')));
    if (!read.ok) return { ok: false, errors: read.errors };
    raw = read.value;
  }

  const envSources = new Map<string, string>();
  const envErrors = applyEnvOverrides(raw, env, envSources);
  if (envErrors.length > 0) return { ok: false, errors: envErrors };

  const sourceOf = (path: string): string => {
    for (const [envPath, variable] of envSources) {
      if (path === envPath || path.startsWith(`${envPath}.`) || path.startsWith(`${envPath}[`) || envPath.startsWith(`${path}.`)) {
        return `env ${variable}`;
      }
    }
    return label;
  };

  const errors: string[] = [];
  if (!validateSchema(raw)) {
    for (const issue of dedupe((validateSchema.errors ?? []).map(toIssue))) errors.push(`${sourceOf(issue.path)}: ${issue.path}: ${issue.message}`);
    return { ok: false, errors };
  }

  const strategies = ((raw['authn'] as Json)['strategies'] as Json[]) ?? [];
  const apiAuth = (raw['graphql'] as Json)['auth'] as Json;
  const apiStrategies = apiAuth['strategies'] as Json[] | undefined;
  const validateStrategy = options.validateStrategy;
  if (validateStrategy) {
    const check = (sections: readonly Json[], prefix: string) =>
      sections.forEach((section, index) => {
        for (const issue of validateStrategy(String(section['id']), section, `${prefix}[${index}]`)) {
          errors.push(`${label}: ${issue.path}: ${issue.message}`);
        }
      });
    check(strategies, 'authn.strategies');
    check(apiStrategies ?? [], 'graphql.auth.strategies');
  }
  if (errors.length > 0) return { ok: false, errors };

  const typed = convert(raw, configSchema as unknown as SchemaNode, baseDir) as Json;
  const keyFileErrors = readFingerprintKeyFile(typed['fingerprint'] as FingerprintSection, sourceOf('fingerprint.keyFile'), options.readFile ?? ((p) => readFileSync(p, 'utf8')));
  if (keyFileErrors.length > 0) return { ok: false, errors: keyFileErrors };
  (typed['authn'] as Json)['strategies'] = strategies.map((s) => resolveStrategyPaths(s, baseDir));
  if (apiStrategies) ((typed['graphql'] as Json)['auth'] as Json)['strategies'] = apiStrategies.map((s) => resolveStrategyPaths(s, baseDir));
  return { ok: true, config: { ...(typed as unknown as AuthtrailConfig), ...(configFile ? { configFile } : {}), baseDir } };
}

interface FingerprintSection {
  keys: unknown[];
  readonly keyFile?: string;
}

/**
 * `fingerprint.keyFile`: the keys from a file (a mounted Secret, compose's demo volume) in
 * AUTHTRAIL_FINGERPRINT_KEY's format. Read here, at boot, so a missing or malformed file stops
 * the start with the key's name (never a silently generated or default key); messages name the
 * file, never a secret.
 */
function readFingerprintKeyFile(section: FingerprintSection, source: string, readFile: (path: string) => string): string[] {
  const file = section.keyFile;
  if (file === undefined) return [];
  if (section.keys.length > 0) return [`${source}: fingerprint.keyFile: set fingerprint.keys or fingerprint.keyFile, not both`];
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    return [`${source}: fingerprint.keyFile: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'EIO'})`];
  }
  const parsed = parseFingerprintKeysEnv(text.split('\n').join(','));
  if (!parsed.ok) return [`${source}: fingerprint.keyFile: ${file}: ${parsed.message}`];
  const weak = parsed.keys.findIndex((k) => decodeFingerprintSecret(k.secret) === undefined);
  if (weak >= 0) return [`${source}: fingerprint.keyFile: ${file}: key #${weak + 1} must be base64 of at least 32 bytes`];
  section.keys = parsed.keys.map((k) => ({ ...k }));
  return [];
}

function configFileArgument(argv: readonly string[]): string | undefined {
  for (const [i, arg] of argv.entries()) {
    if (arg === '--config' || arg === '-c') return nonEmpty(argv[i + 1]);
    if (arg.startsWith('--config=')) return nonEmpty(arg.slice('--config='.length));
  }
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function readYaml(file: string, readFile: (path: string) => string): { ok: true; value: Json } | { ok: false; errors: string[] } {
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    return { ok: false, errors: [`${file}: cannot read the config file (${code})`] };
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: invalid YAML: ${(e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`;
      }),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Unresolved aliases, alias bombs: the parser accepted the text, building values did not.
    return { ok: false, errors: [`${file}: invalid YAML: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 200) ?? ''}`] };
  }
  if (value === null || value === undefined) return { ok: true, value: {} };
  if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, errors: [`${file}: the top level must be a mapping of keys`] };
  return { ok: true, value: value as Json };
}

/** Walks the schema for `x-env` keys and writes present variables into the raw document. */
function applyEnvOverrides(raw: Json, env: Readonly<Record<string, string | undefined>>, sources: Map<string, string>): string[] {
  const errors: string[] = [];
  const walk = (node: SchemaNode, path: readonly string[]) => {
    const variable = node['x-env'];
    if (variable !== undefined) {
      const text = nonEmpty(env[variable]);
      if (text !== undefined) {
        const dotted = path.join('.');
        const parsed = parseEnvValue(text.trim(), node['x-envKind'] ?? 'string');
        if (!parsed.ok) errors.push(`env ${variable}: ${dotted}: ${parsed.message}`);
        else {
          setPath(raw, path, parsed.value);
          sources.set(dotted, variable);
        }
      }
    }
    for (const [key, child] of Object.entries(node.properties ?? {})) walk(child, [...path, key]);
  };
  walk(configSchema as unknown as SchemaNode, []);
  return errors;
}

function parseEnvValue(text: string, kind: EnvKind): { ok: true; value: unknown } | { ok: false; message: string } {
  switch (kind) {
    case 'string':
      return { ok: true, value: text };
    // Not a number: keep the text so the schema reports it with its usual message.
    case 'integer':
      return { ok: true, value: /^[0-9]+$/.test(text) ? Number(text) : text };
    case 'boolean':
      return { ok: true, value: text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : text };
    case 'list':
      return { ok: true, value: text.split(',').map((s) => s.trim()).filter((s) => s.length > 0) };
    case 'fingerprint-keys': {
      const parsed = parseFingerprintKeysEnv(text);
      return parsed.ok ? { ok: true, value: parsed.keys.map((k) => ({ ...k })) } : { ok: false, message: parsed.message };
    }
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

function setPath(target: Json, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Json;
  }
  node[path[path.length - 1] ?? ''] = value;
}

function toIssue(error: ErrorObject): ConfigIssue {
  const base = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^[0-9]+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
  const join = (key: string) => (base ? `${base}.${key}` : key);
  switch (error.keyword) {
    case 'additionalProperties':
      return { path: join(String(error.params['additionalProperty'])), message: 'unknown key' };
    case 'required':
      return { path: join(String(error.params['missingProperty'])), message: 'is required' };
    case 'format': {
      const format = String(error.params['format']);
      const message =
        format === 'duration' ? 'must match duration like 10s' :
        format === 'cidr' ? 'must be a CIDR like 10.0.0.0/8' :
        format === 'base64key' ? 'must be base64 of at least 32 bytes' : `must be a ${format}`;
      return { path: base || '(root)', message };
    }
    case 'enum':
      return { path: base || '(root)', message: `must be one of: ${(error.params['allowedValues'] as unknown[]).join(', ')}` };
    case 'pattern':
      return { path: base || '(root)', message: patternMessage(base, String(error.params['pattern'])) };
    default:
      return { path: base || '(root)', message: error.message ?? 'is invalid' };
  }
}

function patternMessage(path: string, pattern: string): string {
  if (pattern === DURATION_PATTERN) return 'must match duration like 10s';
  if (path.startsWith('events.kafka.brokers')) return 'must be host:port';
  if (path === 'database.url') return 'must be a postgres:// URL';
  return `must match ${pattern}`;
}

function dedupe(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isCidr(text: string): boolean {
  try {
    ipaddr.parseCIDR(text);
    return true;
  } catch {
    return false;
  }
}

/** Validated raw → typed: durations to milliseconds, `x-path` keys to absolute paths. */
function convert(value: unknown, node: SchemaNode | undefined, baseDir: string): unknown {
  if (node === undefined) return value;
  if (typeof value === 'string') {
    if (node.format === 'duration') {
      const parsed = parseDuration(value);
      return parsed.ok ? parsed.ms : value;
    }
    if (node['x-path']) return isAbsolute(value) ? value : resolve(baseDir, value);
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => convert(item, node.items, baseDir));
  if (typeof value === 'object' && value !== null) {
    const out: Json = {};
    for (const [key, child] of Object.entries(value)) out[key] = convert(child, node.properties?.[key], baseDir);
    return out;
  }
  return value;
}

/** Strategy sections belong to their strategies; by convention `*File`, `*Files`, `*Dir` are paths. */
function resolveStrategyPaths(value: unknown, baseDir: string, key = ''): unknown {
  const resolvePath = (p: unknown) => (typeof p === 'string' && !isAbsolute(p) && !/^[a-z]+:\/\//i.test(p) ? resolve(baseDir, p) : p);
  if (/(File|Dir)$/.test(key) && typeof value === 'string') return resolvePath(value);
  if (/Files$/.test(key) && Array.isArray(value)) return value.map(resolvePath);
  if (Array.isArray(value)) return value.map((item) => resolveStrategyPaths(item, baseDir));
  if (typeof value === 'object' && value !== null) {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveStrategyPaths(v, baseDir, k);
    return out;
  }
  return value;
}
