import {
  CREDENTIAL_REVOKED_DATA_SCHEMA,
  CREDENTIAL_REVOKED_EVENT_TYPE,
  POLICY_APPLIED_DATA_SCHEMA,
  POLICY_APPLIED_EVENT_TYPE,
  REVOCATION_LIFTED_DATA_SCHEMA,
} from '@authtrail/events';
import { GraphQLError } from 'graphql';
import { assertControlData, LIFT_ARGUMENTS, POLICY_ARGUMENTS, REVOKE_ARGUMENTS } from './control-input';

// The fields the server fills in itself (ids, the caller's name, the version from expectedVersion is mapped).
const SERVER_FILLED = new Set(['revocationId', 'revokedBy', 'appliedBy', 'liftedBy']);

describe('control input: every field a caller gives maps to a GraphQL argument', () => {
  it.each([
    ['credential.revoked', CREDENTIAL_REVOKED_DATA_SCHEMA.properties, REVOKE_ARGUMENTS],
    ['policy.applied', POLICY_APPLIED_DATA_SCHEMA.properties, POLICY_ARGUMENTS],
    ['revocation.lifted (the id is the argument `id`)', REVOCATION_LIFTED_DATA_SCHEMA.properties, LIFT_ARGUMENTS],
  ])('%s', (_name, properties, argumentsOf) => {
    const fields = Object.keys(properties).filter((field) => !SERVER_FILLED.has(field) || argumentsOf[`/${field}`] !== undefined);
    for (const field of fields) expect([field, argumentsOf[`/${field}`]]).toEqual([field, expect.any(String)]);
  });

  it('a refused value is BAD_USER_INPUT naming the argument, with the rule and not the value', () => {
    const value = 'this-is-not-a-fingerprint';
    let thrown: unknown;
    try {
      assertControlData(CREDENTIAL_REVOKED_EVENT_TYPE, { revocationId: 'r', revokedBy: 'ada', fingerprint: value }, REVOKE_ARGUMENTS);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GraphQLError);
    expect((thrown as GraphQLError).extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'input.fingerprint' });
    expect((thrown as GraphQLError).message).toMatch(/^input\.fingerprint: expected: A credential fingerprint/);
    expect((thrown as GraphQLError).message).not.toContain(value);
  });

  it('a refused field the server filled in is an internal error, not the caller\'s', () => {
    expect(() => assertControlData(POLICY_APPLIED_EVENT_TYPE, { version: 1, document: '{}', appliedBy: '' }, POLICY_ARGUMENTS)).toThrow(/control event data refused at \/appliedBy/);
  });
});
