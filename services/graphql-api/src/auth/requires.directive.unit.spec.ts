import { buildExecutableSchema } from '../schema/executable-schema';
import { requiredRole } from './requires.directive';

describe('@requires: who may call which root field (the contract)', () => {
  const schema = buildExecutableSchema();
  const roles = Object.fromEntries(
    [schema.getQueryType()!, schema.getMutationType()!, schema.getSubscriptionType()!].flatMap((type) =>
      Object.values(type.getFields()).map((field) => [`${type.name}.${field.name}`, requiredRole(field, type.name)]),
    ),
  );

  it('admin-only fields are exactly the fingerprint lookup and every mutation', () => {
    expect(Object.entries(roles).filter(([, role]) => role === 'ADMIN').map(([name]) => name).sort()).toEqual([
      'Mutation.applyPolicy',
      'Mutation.liftRevocation',
      'Mutation.revokeCredential',
      'Query.credentialFingerprint',
    ]);
  });

  it('every other query and the subscription need the viewer role', () => {
    expect(roles['Query.decisions']).toBe('VIEWER');
    expect(roles['Subscription.decisions']).toBe('VIEWER');
    expect(Object.values(roles).every((role) => role === 'VIEWER' || role === 'ADMIN')).toBe(true);
  });
});
