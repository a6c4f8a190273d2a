import fc from 'fast-check';
import { copyField, copyText } from './copy-text';
import { escapeCopyBytes } from './decision-copy';

describe('COPY text', () => {
  it.each([
    ['null is \\N', null, '\\N'],
    ['a tab, newline and CR are escaped', 'a\tb\nc\rd', 'a\\tb\\nc\\rd'],
    ['a backslash is doubled', 'a\\b', 'a\\\\b'],
    ['an array becomes a quoted text[] literal', ['a"b', 'c,d'], '{"a\\\\"b","c,d"}'],
    ['an object becomes JSON', { a: 'x\ny' }, '{"a":"x\\\\ny"}'],
    ['a number is its decimal text', 42, '42'],
  ])('%s', (_name, value, expected) => {
    expect(copyField(value)).toBe(expected);
  });

  it('a field never contains a raw tab or line break, whatever the string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(copyField(s)).not.toMatch(/[\t\n\r]/);
      }),
    );
  });

  it('rows become one line each, columns in order', () => {
    expect(copyText([{ a: 1, b: 'x' }, { a: 2, b: null }], ['b', 'a'])).toBe('x\t1\n\\N\t2\n');
  });

  it('escaping bytes gives the bytes of the escaped text, for any string (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json()), (text) => {
        expect(escapeCopyBytes(Buffer.from(text)).equals(Buffer.from(copyField(text)))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('bytes with nothing to escape are returned as they are', () => {
    const bytes = Buffer.from('{"a":"caf\u00e9"}');
    expect(escapeCopyBytes(bytes)).toBe(bytes);
  });
});
