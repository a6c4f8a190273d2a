// Mutation input → control event data, checked with the validator the consumers decode with
// (`validateControlData` of libs/events): what the control topic would dead-letter is refused
// here as BAD_USER_INPUT naming the GraphQL argument, and nothing is published. The rules live
// in the event schemas only; this file maps their field paths to argument names.
import { validateControlData, type ControlEventType } from '@authtrail/events';
import type { GraphQLError } from 'graphql';
import { badInput } from '../../errors/api-error';

/** Data field (JSON Pointer) → the argument it comes from. */
export type ArgumentsOf = Readonly<Record<string, string>>;

export const POLICY_ARGUMENTS: ArgumentsOf = { '/version': 'expectedVersion', '/document': 'document', '/comment': 'comment' };
export const REVOKE_ARGUMENTS: ArgumentsOf = {
  '': 'input',
  '/fingerprint': 'input.fingerprint',
  '/jti': 'input.jti',
  '/certificate': 'input',
  '/certificate/serial': 'input.certificateSerial',
  '/certificate/issuer': 'input.certificateIssuer',
  '/reason': 'input.reason',
  '/expiresAt': 'input.expiresAt',
};
export const LIFT_ARGUMENTS: ArgumentsOf = { '/revocationId': 'id', '/reason': 'reason' };

/** Throws BAD_USER_INPUT (with `extensions.argument`) when the event schema refuses `data`. */
export function assertControlData(type: ControlEventType, data: unknown, argumentsOf: ArgumentsOf): void {
  const result = validateControlData(type, data);
  if (result.ok) return;
  const argument = argumentsOf[result.pointer];
  // A field the server filled in (the caller's name, the revocation id) is not the caller's mistake.
  if (argument === undefined) throw new Error(`control event data refused at ${result.pointer || '/'}: ${result.message}`);
  throw invalid(argument, result.message);
}

function invalid(argument: string, message: string): GraphQLError {
  return badInput(`${argument}: ${message}`, argument);
}

/** Free text: absent when null or empty (the schema bounds its length). */
export function optionalText(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === '' ? undefined : value;
}

/** A selector as given: null/undefined is absent, anything else (even '') goes to the schema. */
export function given(value: string | null | undefined): string | undefined {
  return value === null || value === undefined ? undefined : value;
}
