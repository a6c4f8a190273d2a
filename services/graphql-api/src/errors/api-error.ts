// Every error a client sees carries a code from the schema's `ErrorCode` enum in
// `extensions.code`; clients and tests branch on it, never on the message.
import { GraphQLError } from 'graphql';
import type { ErrorCode } from '../generated/resolvers.generated';

export type { ErrorCode };

export function apiError(code: ErrorCode, message: string, extensions: Readonly<Record<string, unknown>> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export const unauthenticated = (): GraphQLError => apiError('UNAUTHENTICATED', 'authentication required', { http: { status: 401 } });
export const forbidden = (field: string, role: string): GraphQLError =>
  apiError('FORBIDDEN', `${field} requires the ${role.toLowerCase()} role`, { requiredRole: role });
export const badInput = (message: string, argument?: string): GraphQLError =>
  apiError('BAD_USER_INPUT', message, argument ? { argument } : {});

/** A compare-and-set mutation lost, or its precondition no longer holds; nothing changed. */
export const conflict = (message: string, extensions: Readonly<Record<string, unknown>> = {}): GraphQLError => apiError('CONFLICT', message, extensions);
