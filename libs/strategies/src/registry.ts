// Strategy id → { configSchema, create }. Each strategy owns its folder and its schema
// (`additionalProperties: false`); the config is validated once at boot, and an unknown key fails
// with its full path (`authn.strategies[2].tokenfile: unknown key "tokenfile" (did you mean
// "tokenFile"?)`). To add a strategy: import its folder and list it in STRATEGY_MODULES.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { JsonSchema } from './shared/json-schema';
import type { StrategyDeps } from './shared/strategy-deps';
import type { Strategy } from './strategy';
import * as anonymous from './anonymous';
import * as basicAuth from './basic-auth';
import * as bootstrapToken from './bootstrap-token';
import * as staticToken from './static-token';
import * as x509 from './x509';
import * as serviceAccount from './service-account';
import * as oidc from './oidc';

/** What a strategy folder's `index.ts` exports. */
export interface StrategyModule {
  readonly id: string;
  readonly configSchema: JsonSchema;
  /** `config` has passed `configSchema`. Loads files and keys; rejects when it cannot start. */
  create(config: never, deps: StrategyDeps): Strategy | Promise<Strategy>;
}

const STRATEGY_MODULES: readonly StrategyModule[] = [staticToken, bootstrapToken, basicAuth, x509, serviceAccount, oidc, anonymous];

/** Same shape as `ConfigIssue` of @authtrail/config, so the loader can take `validateStrategyConfig`. */
export interface StrategyConfigIssue {
  readonly path: string;
  readonly message: string;
}

export class StrategyConfigError extends Error {
  constructor(readonly issues: readonly StrategyConfigIssue[]) {
    super(`invalid strategy configuration:\n  ${issues.map((i) => `${i.path}: ${i.message}`).join('\n  ')}`);
    this.name = 'StrategyConfigError';
  }
}

const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
const validators = new Map<string, ValidateFunction>();

export function knownStrategyIds(): readonly string[] {
  return STRATEGY_MODULES.map((m) => m.id);
}

export function strategyModule(id: string): StrategyModule | undefined {
  return STRATEGY_MODULES.find((m) => m.id === id);
}

/** Problems of one `authn.strategies[i]` section (empty when valid). `path` prefixes every key. */
export function validateStrategyConfig(id: string, raw: unknown, path: string): readonly StrategyConfigIssue[] {
  const module = strategyModule(id);
  if (!module) {
    return [{ path: `${path}.id`, message: `unknown strategy "${id}" (known: ${knownStrategyIds().join(', ')})` }];
  }
  let validate = validators.get(id);
  if (!validate) {
    validate = ajv.compile(module.configSchema);
    validators.set(id, validate);
  }
  if (validate(raw)) return [];
  const issues = (validate.errors ?? []).map((e) => issueOf(e, path, module.configSchema));
  return issues.filter((issue, i) => issues.findIndex((o) => o.path === issue.path && o.message === issue.message) === i);
}

/** Validates and creates one strategy. Rejects with StrategyConfigError on a bad section. */
export async function createStrategy(config: { readonly id: string } & Record<string, unknown>, deps: StrategyDeps = {}, path = 'strategy'): Promise<Strategy> {
  const issues = validateStrategyConfig(config.id, config, path);
  if (issues.length > 0) throw new StrategyConfigError(issues);
  const module = strategyModule(config.id);
  if (!module) throw new StrategyConfigError([{ path: `${path}.id`, message: `unknown strategy "${config.id}"` }]);
  return module.create(config as never, deps);
}

function issueOf(error: ErrorObject, path: string, schema: JsonSchema): StrategyConfigIssue {
  const at = path + pointerToPath(error.instancePath);
  if (error.keyword === 'additionalProperties') {
    const key = String((error.params as { additionalProperty: string }).additionalProperty);
    const known = Object.keys(schemaAt(schema, error.schemaPath)?.properties ?? {});
    const suggestion = known.find((k) => k.toLowerCase() === key.toLowerCase());
    return { path: `${at}.${key}`, message: `unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}` };
  }
  if (error.keyword === 'required') {
    return { path: `${at}.${String((error.params as { missingProperty: string }).missingProperty)}`, message: 'required key is missing' };
  }
  if (error.keyword === 'const') return { path: at, message: `must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}` };
  return { path: at, message: error.message ?? 'is invalid' };
}

/** `/paths/0/x` → `.paths[0].x` */
function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('');
}

/** The schema object that holds the failing keyword (`#/properties/a/additionalProperties` → a). */
function schemaAt(schema: JsonSchema, schemaPath: string): JsonSchema | undefined {
  const parts = schemaPath.replace(/^#\/?/, '').split('/').slice(0, -1);
  let node: unknown = schema;
  for (const part of parts) {
    if (part === '') continue;
    node = (node as Record<string, unknown> | undefined)?.[part];
  }
  return node as JsonSchema | undefined;
}
