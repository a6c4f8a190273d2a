import { GraphQLError } from 'graphql';
import { formatError } from './format-error';

describe('formatError', () => {
  it.each([
    ['a coded API error passes with its code', new GraphQLError('x', { extensions: { code: 'FORBIDDEN' } }), 'FORBIDDEN', 'x'],
    ['a driver error is masked as INTERNAL_SERVER_ERROR without its message', Object.assign(new Error('relation "secret_table" does not exist'), { code: '42P01' }), 'INTERNAL_SERVER_ERROR', 'internal error'],
    ['a statement timeout becomes QUERY_TIMEOUT', Object.assign(new Error('canceling statement due to statement timeout'), { driverError: { code: '57014' } }), 'QUERY_TIMEOUT', 'query timed out'],
    [
      'a validation rule code survives Apollo wrapping it as GRAPHQL_VALIDATION_FAILED',
      new GraphQLError('too deep', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' }, originalError: new GraphQLError('too deep', { extensions: { code: 'QUERY_TOO_DEEP' } }) }),
      'QUERY_TOO_DEEP',
      'too deep',
    ],
  ])('%s', (_name, error, code, message) => {
    const logged: unknown[] = [];
    const formatted = error instanceof GraphQLError ? error.toJSON() : { message: error.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    const result = formatError(formatted, error, (e) => logged.push(e));
    expect(result.extensions?.['code']).toBe(code);
    expect(result.message).toBe(message);
    expect(JSON.stringify(result)).not.toContain('secret_table');
  });
});
