// Field errors worded exactly as Kubernetes words them (k8s.io/apimachinery
// pkg/util/validation/field/errors.go): `<path>: <Type>[: <value>][: <detail>]`, so an operator
// who knows kube-apiserver's messages recognises ours, e.g.
//   jwt[0].issuer.url: Invalid value: "http://idp": URL scheme must be https
// Values are configuration (URLs, expressions, keys), never token content; a CA bundle is shown
// as "<omitted>" as Kubernetes does.

export type FieldErrorType = 'Required value' | 'Invalid value' | 'Duplicate value' | 'Forbidden' | 'Too many';

export interface FieldError {
  readonly type: FieldErrorType;
  /** `jwt[0].issuer.url` */
  readonly field: string;
  readonly badValue?: unknown;
  readonly detail?: string;
}

export const required = (field: string, detail = ''): FieldError => ({ type: 'Required value', field, detail });
export const invalid = (field: string, badValue: unknown, detail: string): FieldError => ({ type: 'Invalid value', field, badValue, detail });
export const duplicate = (field: string, badValue: unknown): FieldError => ({ type: 'Duplicate value', field, badValue });
export const forbidden = (field: string, detail: string): FieldError => ({ type: 'Forbidden', field, detail });
export const tooMany = (field: string, actual: number, max: number): FieldError => ({ type: 'Too many', field, badValue: actual, detail: `must have at most ${max} ${max === 1 ? 'item' : 'items'}` });

/** `field.Error.Error()` of Kubernetes. */
export function formatFieldError(error: FieldError): string {
  let body: string = error.type;
  // Required and Forbidden print no value (ErrorBody); the others print it.
  if (error.type !== 'Required value' && error.type !== 'Forbidden') body += `: ${goValue(error.badValue)}`;
  if (error.detail) body += `: ${error.detail}`;
  return `${error.field}: ${body}`;
}

/**
 * `utilerrors.NewAggregate(errs).Error()`: one message alone, several as `[a, b]`, duplicates
 * dropped.
 */
export function aggregate(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? (unique[0] ?? '') : `[${unique.join(', ')}]`;
}

/** Go's rendering of a bad value: `%q` for strings, `%v` for numbers and booleans, JSON otherwise. */
function goValue(value: unknown): string {
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === undefined) return 'null';
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return String(value);
  }
}

const GO_ESCAPES: Readonly<Record<string, string>> = { '\u0007': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u000b': '\\v' };

/** `strconv.Quote`: printable characters as they are, control characters as Go escapes. */
export function goQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (GO_ESCAPES[char]) out += GO_ESCAPES[char];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return `${out}"`;
}
