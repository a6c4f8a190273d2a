import fc from 'fast-check';
import { canonicalJson, CanonicalJsonError } from './jcs';

describe('canonicalJson (RFC 8785)', () => {
  it('serialises the RFC 8785 §3.2.2 example (literals, numbers, string escapes) as the RFC prints it', () => {
    // The input of RFC 8785 §3.2.2, parsed by JSON.parse, and the output the RFC gives for it.
    const input = JSON.parse('{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}');
    expect(canonicalJson(input)).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('sorts member names by UTF-16 code units as in RFC 8785 §3.2.3', () => {
    const input = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    const names = Object.keys(JSON.parse(canonicalJson(input)));
    // Integer-like names come first in any JS object's key order; compare the text order instead.
    const order = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'].map((name) => canonicalJson(input).indexOf(JSON.stringify(name)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(names).toHaveLength(7);
  });

  it('writes no whitespace and nested objects sorted too', () => {
    expect(canonicalJson({ b: [1, { z: null, a: 'x' }], a: { d: 2, c: 1 } })).toBe('{"a":{"c":1,"d":2},"b":[1,{"a":"x","z":null}]}');
  });

  it.each([
    ['NaN', { n: Number.NaN }, '/n', 'numbers must be finite'],
    ['Infinity', [Infinity], '/0', 'numbers must be finite'],
    ['a lone high surrogate', { s: 'a\ud800' }, '/s', 'lone surrogates'],
    ['a lone low surrogate in a name', { '\udc00': 1 }, '/', 'member names must not hold lone surrogates'],
    ['undefined', { u: undefined }, '/u', 'a undefined has no JSON form'],
    ['a Date (JSON would call toJSON)', { d: new Date(0) }, '/d', 'only plain objects'],
    ['a bigint', { b: 1n }, '/b', 'a bigint has no JSON form'],
  ])('refuses %s with a CanonicalJsonError naming the path', (_name, value, path, rule) => {
    let thrown: unknown;
    try {
      canonicalJson(value);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CanonicalJsonError);
    expect((thrown as CanonicalJsonError).path || '/').toBe(path);
    expect((thrown as CanonicalJsonError).message).toContain(rule);
  });

  // Checkpoint bodies hold strings, integers and null; the property covers those and nesting.
  const scalar = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary-ascii' }), fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), fc.constant(null));
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.string({ unit: 'grapheme' }), tie('value'), { maxKeys: 5 })),
  })).value;

  it('parses back to the same value, and is the same text whatever the member order (property)', () => {
    fc.assert(
      fc.property(json, fc.integer(), (value, seed) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(value);
        expect(canonicalJson(reorder(value, seed))).toBe(text);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
    );
  });

  it('lists members in strictly rising UTF-16 code-unit order and writes no whitespace outside strings (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'grapheme' }), scalar, { minKeys: 2, maxKeys: 8 }), (object) => {
        const text = canonicalJson(object);
        const parsedNames = [...text.matchAll(/(?:^\{|,)("(?:[^"\\]|\\.)*"):/g)].map((match) => JSON.parse(match[1]) as string);
        const codeUnits = (name: string) => [...name].flatMap((char) => [...Array(char.length).keys()].map((i) => char.charCodeAt(i)));
        for (let i = 1; i < parsedNames.length; i += 1) expect(compareUnits(codeUnits(parsedNames[i - 1]), codeUnits(parsedNames[i]))).toBeLessThan(0);
        expect(text.replace(/"(?:[^"\\]|\\.)*"/g, '""')).not.toMatch(/\s/);
      }),
    );
  });
});

function compareUnits(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** The same value with object members inserted in another order. */
function reorder(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item) => reorder(item, seed));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const rotated = entries.length === 0 ? entries : [...entries.slice(Math.abs(seed) % entries.length), ...entries.slice(0, Math.abs(seed) % entries.length)].reverse();
  return Object.fromEntries(rotated.map(([key, item]) => [key, reorder(item, seed)]));
}
