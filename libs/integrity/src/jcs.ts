// RFC 8785 JSON Canonicalization Scheme (JCS): the one byte string a JSON value signs as.
// ECMAScript's JSON.stringify already serialises strings (§3.2.2.2) and numbers (§3.2.2.3) the
// way JCS prescribes; what JCS adds is the order of object members (sorted by their UTF-16 code
// units, which is what Array#sort does with strings) and the refusal of what I-JSON (RFC 7493)
// forbids: non-finite numbers and lone surrogates. Values that JSON would silently drop or
// change (undefined, functions, toJSON) are refused too, so what is signed is what is sent.

export class CanonicalJsonError extends Error {
  constructor(
    readonly path: string,
    readonly rule: string,
  ) {
    super(`cannot canonicalise ${path || '/'}: ${rule}`);
    this.name = 'CanonicalJsonError';
  }
}

export type CanonicalJsonValue = string | number | boolean | null | readonly CanonicalJsonValue[] | { readonly [key: string]: CanonicalJsonValue };

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The RFC 8785 text of `value`; throws CanonicalJsonError (naming the JSON Pointer) for what JCS cannot represent. */
export function canonicalJson(value: unknown): string {
  return write(value, '');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, 'numbers must be finite');
      return JSON.stringify(value);
    case 'string':
      if (LONE_SURROGATE.test(value)) throw new CanonicalJsonError(path, 'strings must not hold lone surrogates');
      return JSON.stringify(value);
    case 'object':
      if (Array.isArray(value)) return `[${value.map((item, index) => write(item, `${path}/${index}`)).join(',')}]`;
      if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
        throw new CanonicalJsonError(path, 'only plain objects, arrays, strings, numbers, booleans and null');
      }
      return writeObject(value as Record<string, unknown>, path);
    default:
      throw new CanonicalJsonError(path, `a ${typeof value} has no JSON form`);
  }
}

function writeObject(object: Record<string, unknown>, path: string): string {
  const keys = Object.keys(object).sort();
  const members: string[] = [];
  for (const key of keys) {
    if (LONE_SURROGATE.test(key)) throw new CanonicalJsonError(path, 'member names must not hold lone surrogates');
    const memberPath = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    members.push(`${JSON.stringify(key)}:${write(object[key], memberPath)}`);
  }
  return `{${members.join(',')}}`;
}
