import { MissingKeyError } from '../require-key';
import { decisionConditions } from './decision.queries';
import { findDecisionById } from './decision.queries';
import { findIdentitiesByUsernames } from './identity.queries';
import { SqlParams, likePrefix, whereClause } from './sql-params';
import { selectRows } from './sql-runner';

const neverCalled = { query: async () => { throw new Error('must not reach the database'); } };

describe('SqlParams and the key guards', () => {
  it('hands out $n placeholders in order', () => {
    const params = new SqlParams();
    expect([params.add('a'), params.add(1), params.add(null)]).toEqual(['$1', '$2', '$3']);
    expect(params.values).toEqual(['a', 1, null]);
  });

  it.each([
    ['an undefined parameter is refused before any SQL runs', () => new SqlParams().add(undefined, 'username')],
  ])('%s', (_name, run) => {
    expect(run).toThrow(MissingKeyError);
  });

  it.each([
    ['selectRows refuses an undefined positional parameter', () => selectRows(neverCalled, 'SELECT $1', [undefined])],
    ['a point lookup refuses an empty id', () => findDecisionById(neverCalled, '')],
    ['a batch lookup refuses an undefined username', () => findIdentitiesByUsernames(neverCalled, ['a', undefined as unknown as string])],
  ])('%s', async (_name, run) => {
    await expect(run()).rejects.toThrow(MissingKeyError);
  });

  it.each([
    ['plain text gets a trailing %', 'system:', 'system:%'],
    ['% and _ are escaped so they match literally', 'a%b_c', 'a\\%b\\_c%'],
    ['backslashes are escaped first', 'a\\', 'a\\\\%'],
  ])('likePrefix: %s', (_name, input, pattern) => {
    expect(likePrefix(input)).toBe(pattern);
  });

  it('whereClause is empty without conditions and ANDs them otherwise', () => {
    expect(whereClause([])).toBe('');
    expect(whereClause(['a', 'b'])).toBe('WHERE a AND b');
  });
});

describe('decisionConditions', () => {
  it.each([
    ['no filter, no conditions', {}, [], []],
    ['an exact address casts to inet', { sourceIp: { kind: 'exact', address: '10.0.0.1' } }, ['source_ip = $1::inet'], ['10.0.0.1']],
    ['a network uses <<= on cidr', { sourceIp: { kind: 'cidr', network: '10.0.0.0/8' } }, ['source_ip <<= $1::cidr'], ['10.0.0.0/8']],
    ['lists become = ANY', { reasons: ['a', 'b'] }, ['reason = ANY($1::text[])'], [['a', 'b']]],
    ['an empty list is no condition', { reasons: [] }, [], []],
    ['values never enter the SQL text', { username: "x' OR '1'='1" }, ['username = $1'], ["x' OR '1'='1"]],
  ] as const)('%s', (_name, filter, sql, values) => {
    const params = new SqlParams();
    expect(decisionConditions(filter as never, params)).toEqual(sql);
    expect(params.values).toEqual(values);
  });
});
