// The CEL of kube-apiserver's JWT authenticator (k8s.io/apiserver pkg/authentication/cel):
// claim expressions see `claims` (a map of the verified token's claims: JSON values, numbers as
// doubles), user validation rules see `user` (username, uid, groups, extra). Compiled once per
// file load with @marcbachmann/cel-js: syntax and types are checked, rules must be typed `bool`
// ("must evaluate to bool"), mapping expressions may return anything and are checked when
// evaluated. Optional types (`claims.?email_verified.orValue(true)`) and kube's `sets` library
// (`sets.contains/equivalent/intersects`) are available; the string extension functions are
// those cel-js provides (split, join, lowerAscii, upperAscii, ...).
//
// Expressions come from the operator's file; claims come from a token whose signature was
// verified first. Evaluation never throws: failures are values.
import { Environment, type ASTNode, type ParseResult } from '@marcbachmann/cel-js';

export interface CompiledExpression {
  readonly expression: string;
  readonly evaluate: ParseResult;
}

export type CompileResult = { readonly ok: true; readonly compiled: CompiledExpression } | { readonly ok: false; readonly detail: string };

export type Evaluation = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/** `sets.*` of cel-go's ext.Sets, bound to a constant `sets` of its own type. */
class KubernetesSets {}

function withSets(env: Environment): Environment {
  const list = (name: string) => ({ name, type: 'list' });
  const fn = (name: string, handler: (a: readonly unknown[], b: readonly unknown[]) => boolean) =>
    env.registerFunction({ name, receiverType: 'kubernetes.sets', returnType: 'bool', params: [list('a'), list('b')], handler: (_sets: unknown, a: unknown[], b: unknown[]) => handler(a, b) });
  env.registerType('kubernetes.sets', KubernetesSets).registerConstant('sets', 'kubernetes.sets', new KubernetesSets());
  fn('contains', (a, b) => b.every((x) => a.some((y) => celEquals(x, y))));
  fn('equivalent', (a, b) => a.every((x) => b.some((y) => celEquals(x, y))) && b.every((x) => a.some((y) => celEquals(x, y))));
  fn('intersects', (a, b) => a.some((x) => b.some((y) => celEquals(x, y))));
  return env;
}

let claimsEnvironment: Environment | undefined;
let userEnvironment: Environment | undefined;

function claimsEnv(): Environment {
  claimsEnvironment ??= withSets(new Environment({ enableOptionalTypes: true })).registerVariable('claims', 'map');
  return claimsEnvironment;
}

function userEnv(): Environment {
  // kube's `kubernetes.UserInfo` object type: a misspelt field is a compile error.
  userEnvironment ??= withSets(new Environment({ enableOptionalTypes: true })).registerVariable({
    name: 'user',
    schema: { username: 'string', uid: 'string', groups: 'list<string>', extra: 'map<string, list<string>>' },
  });
  return userEnvironment;
}

/** `claims` expressions: `bool` for claim validation rules, anything for mappings. */
export function compileClaimsExpression(expression: string, returns: 'bool' | 'any'): CompileResult {
  return compile(claimsEnv(), expression, returns);
}

/** `user` expressions (userValidationRules): must be `bool`. */
export function compileUserExpression(expression: string): CompileResult {
  return compile(userEnv(), expression, 'bool');
}

function compile(env: Environment, expression: string, returns: 'bool' | 'any'): CompileResult {
  let evaluate: ParseResult;
  try {
    evaluate = env.parse(expression);
  } catch (error) {
    return { ok: false, detail: `compilation failed: ${describeCelError(error, expression)}` };
  }
  let checked;
  try {
    checked = evaluate.check();
  } catch (error) {
    return { ok: false, detail: `compilation failed: ${describeCelError(error, expression)}` };
  }
  if (!checked.valid) return { ok: false, detail: `compilation failed: ${describeCelError(checked.error, expression)}` };
  // kube compares the checked output type: `dyn` is not `bool`.
  if (returns === 'bool' && checked.type !== 'bool') return { ok: false, detail: 'must evaluate to bool' };
  return { ok: true, compiled: { expression, evaluate } };
}

/** cel-go's `ERROR: <input>:line:column: message` for a parse or type error. */
function describeCelError(error: unknown, expression: string): string {
  const message = ((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '').slice(0, 300);
  const node = (error as { node?: { pos?: number } } | undefined)?.node;
  if (typeof node?.pos !== 'number') return `ERROR: <input>: ${message}`;
  const before = expression.slice(0, node.pos);
  const line = before.split('\n').length;
  const column = node.pos - (before.lastIndexOf('\n') + 1) + 1;
  return `ERROR: <input>:${line}:${column}: ${message}`;
}

export function evaluateClaims(compiled: CompiledExpression, claims: Readonly<Record<string, unknown>>): Evaluation {
  return run(compiled, { claims });
}

export function evaluateUser(compiled: CompiledExpression, user: { readonly username: string; readonly uid: string; readonly groups: readonly string[]; readonly extra: Readonly<Record<string, readonly string[]>> }): Evaluation {
  return run(compiled, { user });
}

function run(compiled: CompiledExpression, context: Record<string, unknown>): Evaluation {
  try {
    const value: unknown = compiled.evaluate(context);
    // Async handlers are never registered here; a promise would be a contract breach.
    if (value instanceof Promise) return { ok: false, error: 'expression did not evaluate synchronously' };
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: ((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '').slice(0, 300) };
  }
}

/**
 * kube's convertCELValueToStringList: a string or a list of strings; "", [] and null mean "not
 * present" (empty), empty strings inside a list are dropped; anything else is an error (undefined).
 */
export function stringOrStringList(value: unknown): readonly string[] | undefined {
  if (value === null) return [];
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value)) {
    if (!value.every((v): v is string => typeof v === 'string')) return undefined;
    return value.filter((v) => v !== '');
  }
  return undefined;
}

/**
 * kube's hasSelectExp(ast, "claims", field): the expression selects `claims.<field>` (or
 * `claims.?<field>`) directly. Index access (`claims["email"]`) does not count, as in Kubernetes.
 */
export function selectsClaim(compiled: CompiledExpression, field: string): boolean {
  return selects(compiled.evaluate.ast, 'claims', field);
}

function selects(node: unknown, operand: string, field: string): boolean {
  if (Array.isArray(node)) return node.some((child) => selects(child, operand, field));
  if (typeof node !== 'object' || node === null || !('op' in node)) return false;
  const { op, args } = node as ASTNode;
  if ((op === '.' || op === '.?') && Array.isArray(args)) {
    const [target, name] = args as [ASTNode, string];
    if (target.op === 'id' && target.args === operand && name === field) return true;
    return selects(target, operand, field);
  }
  return Array.isArray(args) ? selects(args, operand, field) : false;
}

/** CEL equality for the values claims and lists hold (numbers compare across int and double). */
function celEquals(a: unknown, b: unknown): boolean {
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => celEquals(x, b[i]));
  if (a instanceof Map && b instanceof Map) return a.size === b.size && [...a].every(([k, v]) => b.has(k) && celEquals(v, b.get(k)));
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && celEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}
