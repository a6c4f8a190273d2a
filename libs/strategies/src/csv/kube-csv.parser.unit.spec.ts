import fc from 'fast-check';
import { parseKubeCsv } from './kube-csv.parser';

describe('parseKubeCsv', () => {
  it.each([
    ['a plain record is split on commas', 'tok,alice,1\n', [['tok', 'alice', '1']]],
    ['a quoted field keeps its commas', 'tok,alice,1,"g1,g2"\n', [['tok', 'alice', '1', 'g1,g2']]],
    ['doubled quotes inside a quoted field become one quote', 'tok,"a""b",1\n', [['tok', 'a"b', '1']]],
    ['leading spaces before a field are trimmed as Go does', 'tok, alice,  1\n', [['tok', 'alice', '1']]],
    ['CRLF line ends are accepted', 'a,b,c\r\nd,e,f\r\n', [['a', 'b', 'c'], ['d', 'e', 'f']]],
    ['blank lines are skipped', '\n\na,b,c\n   \n', [['a', 'b', 'c']]],
    ['a missing final newline is fine', 'a,b,c', [['a', 'b', 'c']]],
    ['a trailing comma gives an empty last field', 'a,b,', [['a', 'b', '']]],
    ['a quoted field may span lines', 'a,"x\ny",c\nd,e,f', [['a', 'x\ny', 'c'], ['d', 'e', 'f']]],
    ['a UTF-8 byte order mark is ignored', '\ufeffa,b,c', [['a', 'b', 'c']]],
  ])('%s', (_name, text, expected) => {
    const result = parseKubeCsv(text);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.records.map((r) => r.fields)).toEqual(expected);
  });

  it('records the line each record starts on', () => {
    const result = parseKubeCsv('\na,b,c\n\nd,"e\nf",g\nh,i,j\n');
    expect(result.ok && result.records.map((r) => r.line)).toEqual([2, 4, 6]);
  });

  it.each([
    ['a bare quote in an unquoted field is an error', 'sec"ret,alice,1\n', 'line 1, column 4: bare " in non-quoted field'],
    ['an unterminated quoted field is an error', 'a,b\nsecret,"alice,1\n', 'line 2, column 8: quoted field not terminated'],
    ['text after a closing quote is an error', 'secret,"alice"x,1\n', 'line 1, column 15: extraneous or missing " in quoted field'],
  ])('%s (and the message names no content)', (_name, text, error) => {
    const result = parseKubeCsv(text);
    expect(result).toEqual({ ok: false, error });
    expect(JSON.stringify(result)).not.toContain('secret');
  });

  it('never throws and always returns a typed result (property)', () => {
    const alphabet = fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', '\t', 'é', '\ufeff');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: alphabet })), (text) => {
        const result = parseKubeCsv(text);
        if (result.ok) {
          for (const record of result.records) expect(record.fields.length).toBeGreaterThan(0);
        } else {
          expect(result.error).toMatch(/^line \d+, column \d+: /);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips fields written with Go-style quoting (property)', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'z', '0', ',', '"', ' ', '\n', 'ü') });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const quote = (f: string) => `"${f.replaceAll('"', '""')}"`;
        const result = parseKubeCsv(rows.map((r) => r.map(quote).join(',')).join('\n'));
        expect(result.ok && result.records.map((r) => r.fields)).toEqual(rows);
      }),
      { numRuns: 500 },
    );
  });
});
