// The test's own statement of the normalisation rules (issue #14 contract §3), written from the
// contract and NOT imported from libs/events: the golden test compares the product against it.
//
// replaced: each UTF-16 code unit that is C0 (U+0000–U+001F), DEL, C1 (U+0080–U+009F), U+2028,
//           U+2029, a bidi control (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) or a
//           lone surrogate → U+FFFD, one per code unit; a valid surrogate pair stays.
// truncated: afterwards, a string longer than its limit keeps its first N code points.

export type NormalizedAction = 'truncated' | 'replaced';

export interface NormalizedMark {
  readonly field: string;
  readonly action: NormalizedAction;
}

/** Code-point limits per field path; every other string: 1024. */
export const STRING_LIMITS: Readonly<Record<string, number>> = { 'request.path': 2048, 'request.userAgent': 512, message: 512 };
export const DEFAULT_STRING_LIMIT = 1024;
export const FORWARDED_FOR_LIMIT = 32;

const REPLACEMENT = '\uFFFD';

function isReplacedUnit(unit: number): boolean {
  return (
    unit <= 0x1f ||
    (unit >= 0x7f && unit <= 0x9f) ||
    unit === 0x2028 ||
    unit === 0x2029 ||
    unit === 0x061c ||
    unit === 0x200e ||
    unit === 0x200f ||
    (unit >= 0x202a && unit <= 0x202e) ||
    (unit >= 0x2066 && unit <= 0x2069)
  );
}

export interface NormalizedString {
  readonly value: string;
  readonly replaced: boolean;
  readonly truncated: boolean;
}

export function normalizeString(input: string, limit: number): NormalizedString {
  const codePoints: string[] = [];
  let replaced = false;
  for (let i = 0; i < input.length; i += 1) {
    const unit = input.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = input.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        codePoints.push(input.slice(i, i + 2));
        i += 1;
      } else {
        codePoints.push(REPLACEMENT);
        replaced = true;
      }
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      codePoints.push(REPLACEMENT);
      replaced = true;
    } else if (isReplacedUnit(unit)) {
      codePoints.push(REPLACEMENT);
      replaced = true;
    } else {
      codePoints.push(input[i] as string);
    }
  }
  const truncated = codePoints.length > limit;
  return { value: (truncated ? codePoints.slice(0, limit) : codePoints).join(''), replaced, truncated };
}

/** Collects the marks of one event while its fields are normalised. */
export class Normalizer {
  private readonly marks = new Map<string, NormalizedMark>();

  /** A string field at `field`. */
  string(field: string, value: string): string {
    const result = normalizeString(value, STRING_LIMITS[field] ?? DEFAULT_STRING_LIMIT);
    if (result.replaced) this.mark(field, 'replaced');
    if (result.truncated) this.mark(field, 'truncated');
    return result.value;
  }

  /** A list of strings at `field`: items beyond `maxItems` are cut, each item is a string of the default limit. */
  list(field: string, values: readonly string[], maxItems: number): string[] {
    if (values.length > maxItems) this.mark(field, 'truncated');
    return values.slice(0, maxItems).map((item) => {
      const result = normalizeString(item, DEFAULT_STRING_LIMIT);
      if (result.replaced) this.mark(field, 'replaced');
      if (result.truncated) this.mark(field, 'truncated');
      return result.value;
    });
  }

  /** Sorted by field, then action, each pair once. */
  result(): NormalizedMark[] {
    return [...this.marks.values()].sort((a, b) => (a.field === b.field ? compare(a.action, b.action) : compare(a.field, b.field)));
  }

  private mark(field: string, action: NormalizedAction): void {
    this.marks.set(`${field}\u0000${action}`, { field, action });
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
