// RFC 3339 date-times with an explicit offset; anything else is a coded input error.
import { GraphQLScalarType, Kind } from 'graphql';
import { badInput } from '../errors/api-error';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

export function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !RFC3339.test(value)) throw badInput('DateTime must be an RFC 3339 string with an offset, e.g. 2026-11-29T00:00:00Z');
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw badInput('DateTime is not a valid date');
  return date;
}

export const dateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'RFC 3339 date-time with an offset; returned in UTC with milliseconds.',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new TypeError('DateTime cannot serialize an invalid date');
    return date.toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw badInput('DateTime must be a string');
    return parseDateTime(ast.value);
  },
});
