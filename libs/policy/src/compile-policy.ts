import { parseDuration as parseConfigDuration } from '@authtrail/config';
import { parse as parseCel } from '@marcbachmann/cel-js';
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import { parse as parseYaml } from 'yaml';
import { parseCidr } from './cidr';
import type {
  CompiledPolicy,
  CompiledStrategyRules,
  CompiledThrottleRule,
  CompiledUserValidationRule,
  PolicyDocument,
  StrategyRulesDocument,
  ThrottleRuleDocument,
} from './policy-document';
import { policyDocumentSchema } from './policy-schema';

export type CompileResult = { readonly ok: true; readonly policy: CompiledPolicy } | { readonly ok: false; readonly errors: readonly string[] };

const validateDocument = new Ajv2020({ allErrors: true, strict: false }).compile(policyDocumentSchema);

/** The empty policy: every strategy enforced, no extra rules. Version 0 until one is applied. */
export const EMPTY_POLICY: CompiledPolicy = Object.freeze({
  version: 0,
  document: {},
  strategies: new Map(),
  throttle: {},
  userValidationRules: [],
});

/**
 * Parses and validates a YAML policy document. Errors name the key path
 * (`strategies.x509.maxValidity: must match …`) and never throw.
 */
export function compilePolicy(yamlText: string, version: number): CompileResult {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText) ?? {};
  } catch (error) {
    return { ok: false, errors: [`policy is not valid YAML: ${(error as Error).message.split('\n')[0]}`] };
  }
  if (!validateDocument(raw)) return { ok: false, errors: (validateDocument.errors ?? []).map(describeSchemaError) };
  const document = raw as PolicyDocument;
  const errors: string[] = [];

  const strategies = new Map<string, CompiledStrategyRules>();
  for (const [id, rules] of Object.entries(document.strategies ?? {})) {
    strategies.set(id, compileStrategyRules(`strategies.${id}`, rules, errors));
  }
  const userValidationRules = (document.userValidationRules ?? []).map((rule, index) =>
    compileUserValidationRule(`userValidationRules[${index}]`, rule, errors),
  );
  const throttle = {
    perSourceIp: document.throttle?.perSourceIp && compileThrottle(document.throttle.perSourceIp),
    perCredential: document.throttle?.perCredential && compileThrottle(document.throttle.perCredential),
  };
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, policy: { version, document, strategies, throttle, userValidationRules } };
}

/** Milliseconds of a duration the schema has already checked. */
function parseDuration(text: string): number {
  const parsed = parseConfigDuration(text);
  return parsed.ok ? parsed.ms : 0;
}

function compileStrategyRules(path: string, rules: StrategyRulesDocument, errors: string[]): CompiledStrategyRules {
  const allowedSourceCidrs = rules.allowedSourceCidrs?.map((text, index) => {
    const cidr = parseCidr(text);
    if (!cidr) errors.push(`${path}.allowedSourceCidrs[${index}]: "${text}" is not an IP address or CIDR range`);
    return cidr;
  });
  return {
    mode: rules.mode ?? 'enforce',
    requireTls: rules.requireTls ?? false,
    requireExpiration: rules.requireExpiration ?? false,
    maxValidityMs: rules.maxValidity === undefined ? undefined : parseDuration(rules.maxValidity),
    maxTokenLifetimeMs: rules.maxTokenLifetime === undefined ? undefined : parseDuration(rules.maxTokenLifetime),
    allowedSourceCidrs: allowedSourceCidrs?.filter((c) => c !== undefined),
    denyGroups: new Set(rules.denyGroups ?? []),
    denyUsernames: new Set(rules.denyUsernames ?? []),
    rejectPlaintextPasswords: rules.rejectPlaintextPasswords ?? false,
  };
}

function compileThrottle(rule: ThrottleRuleDocument): CompiledThrottleRule {
  return { failures: rule.failures, windowMs: parseDuration(rule.window), blockMs: parseDuration(rule.block) };
}

function compileUserValidationRule(
  path: string,
  rule: { expression: string; message: string },
  errors: string[],
): CompiledUserValidationRule {
  try {
    const evaluate = parseCel(rule.expression) as (context: { user: Record<string, unknown> }) => unknown;
    return { expression: rule.expression, message: rule.message, evaluate };
  } catch (error) {
    errors.push(`${path}.expression: not a valid CEL expression: ${(error as Error).message.split('\n')[0]}`);
    return { expression: rule.expression, message: rule.message, evaluate: () => false };
  }
}

function describeSchemaError(error: ErrorObject): string {
  const path = error.instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.');
  const where = path || '(document)';
  if (error.keyword === 'additionalProperties') {
    return `${where}: unknown key "${(error.params as { additionalProperty: string }).additionalProperty}"`;
  }
  if (error.keyword === 'propertyNames') {
    return `${where}: unknown strategy "${(error.params as { propertyName: string }).propertyName}"`;
  }
  if (error.keyword === 'enum') {
    return `${where}: must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  }
  if (error.keyword === 'pattern') return `${where}: must be a duration like 30s, 5m, 1h or 90d`;
  return `${where}: ${error.message}`;
}
