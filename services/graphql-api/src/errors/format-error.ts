// The last stop of every error before the response: known codes pass, Postgres statement
// timeouts become QUERY_TIMEOUT, everything else is masked as INTERNAL_SERVER_ERROR (no SQL,
// no stack, no driver message reaches a client) and logged by the caller.
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { ErrorCode } from '../generated/resolvers.generated';

// Every code of the schema's enum but INTERNAL_SERVER_ERROR (the mask itself): a Record, so a
// code added to the schema does not compile until it is listed here.
const PASSED: Readonly<Record<Exclude<ErrorCode, 'INTERNAL_SERVER_ERROR'>, true>> = {
  UNAUTHENTICATED: true,
  FORBIDDEN: true,
  PAGE_SIZE_TOO_LARGE: true,
  QUERY_TOO_DEEP: true,
  TOO_MANY_ALIASES: true,
  QUERY_TOO_COMPLEX: true,
  INVALID_CURSOR: true,
  BAD_USER_INPUT: true,
  QUERY_TIMEOUT: true,
  PUBLISH_FAILED: true,
  CONFLICT: true,
  OUTCOME_PENDING: true,
  NOT_CONFIGURED: true,
  GRAPHQL_VALIDATION_FAILED: true,
  GRAPHQL_PARSE_FAILED: true,
};
const PASS_THROUGH: ReadonlySet<string> = new Set(Object.keys(PASSED));
const APOLLO_REQUEST_ERRORS: ReadonlySet<string> = new Set(['BAD_REQUEST', 'PERSISTED_QUERY_NOT_SUPPORTED', 'OPERATION_RESOLUTION_FAILURE']);

/** Postgres SQLSTATE 57014: canceling statement due to statement timeout. */
const QUERY_CANCELED = '57014';

export type ErrorClass = 'known' | 'timeout' | 'internal';

export function classifyError(formatted: GraphQLFormattedError, original: unknown): ErrorClass {
  const cause = unwrapResolverError(original) as { code?: unknown; driverError?: { code?: unknown } } | undefined;
  const sqlState = cause?.driverError?.code ?? cause?.code;
  if (sqlState === QUERY_CANCELED) return 'timeout';
  const code = formatted.extensions?.['code'];
  // Apollo's own request errors (BAD_REQUEST, variable coercion, an unknown operationName) keep their code.
  if (typeof code === 'string' && (PASS_THROUGH.has(code) || APOLLO_REQUEST_ERRORS.has(code))) return 'known';
  return 'internal';
}

/**
 * Apollo wraps validation-rule errors as GRAPHQL_VALIDATION_FAILED; the rule's own code (QUERY_TOO_DEEP,
 * TOO_MANY_ALIASES, ...) is on the wrapped original, and that is the code clients get.
 */
function ruleCode(original: unknown): string | undefined {
  const inner = original instanceof GraphQLError ? original.originalError : undefined;
  const code = inner instanceof GraphQLError ? inner.extensions['code'] : undefined;
  return typeof code === 'string' && PASS_THROUGH.has(code) ? code : undefined;
}

export function formatError(error: GraphQLFormattedError, original: unknown, log: (error: unknown) => void): GraphQLFormattedError {
  const code = ruleCode(original);
  const formatted = code ? { ...error, extensions: { ...error.extensions, code } } : error;
  switch (classifyError(formatted, original)) {
    case 'known':
      return { ...formatted, extensions: withoutStack(formatted.extensions) };
    case 'timeout':
      return { message: 'query timed out', path: formatted.path, locations: formatted.locations, extensions: { code: 'QUERY_TIMEOUT' satisfies ErrorCode } };
    case 'internal':
      log(unwrapResolverError(original));
      return { message: 'internal error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' satisfies ErrorCode } };
  }
}

function withoutStack(extensions: GraphQLFormattedError['extensions']): Record<string, unknown> {
  const { stacktrace: _stacktrace, http: _http, ...rest } = extensions ?? {};
  return rest;
}
