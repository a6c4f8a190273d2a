import Ajv from 'ajv';
import fc from 'fast-check';
import { maxLengthByCodeUnitsFirst } from './max-length';

// Stock ajv is the judge: the same verdict and the same errors for any string and any limit.
const schemaOf = (limit: number) => ({ type: 'object', properties: { token: { type: 'string', maxLength: limit } } });
const stock = new Ajv({ allErrors: false });
const fast = maxLengthByCodeUnitsFirst(new Ajv({ allErrors: false }));

const outcome = (validate: ReturnType<Ajv['compile']>, value: unknown) => ({ valid: validate(value), errors: validate.errors ?? null });

describe('maxLength by code units first', () => {
  // Code units and code points part ways on surrogates: pairs (one code point, two units) and lone halves (one each).
  const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
  const text = fc.string({ unit: fc.oneof(fc.constantFrom('a', '😀', 'é'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), loneSurrogate), maxLength: 24 });

  it('gives the verdict and errors of ajv’s own maxLength for any string and limit', () => {
    fc.assert(
      fc.property(text, fc.nat(30), (token, limit) => {
        const schema = schemaOf(limit);
        expect(outcome(fast.compile(schema), { token })).toEqual(outcome(stock.compile(schema), { token }));
      }),
    );
  });

  it.each([
    ['at the limit in code units', 'abcd', 4, true],
    ['one code unit over', 'abcde', 4, false],
    ['over in code units, within in code points (two surrogate pairs)', '😀😀', 2, true],
    ['over in code points too', '😀😀😀', 2, false],
    ['a lone high surrogate after a pair counts as one code point', '😀\ud800', 2, true],
  ])('%s', (_name, token, limit, valid) => {
    expect(fast.compile(schemaOf(limit))({ token })).toBe(valid);
  });

  it('names the limit as ajv does', () => {
    const validate = fast.compile(schemaOf(3));
    validate({ token: 'abcd' });
    expect(validate.errors?.[0]).toMatchObject({ keyword: 'maxLength', instancePath: '/token', params: { limit: 3 }, message: 'must NOT have more than 3 characters' });
  });

  it('minLength is left as ajv counts it', () => {
    expect(fast.compile({ type: 'string', minLength: 2 })('😀')).toBe(false);
  });
});
