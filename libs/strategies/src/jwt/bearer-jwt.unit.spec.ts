import fc from 'fast-check';
import type { CredentialDescription, CredentialType } from '../strategy';
import { jwtCredential, withGrantedAudiences } from './bearer-jwt';
import { audiencesOf, bounded, dateClaim, stringClaim } from './jwt-claims';
import type { JwtClaims } from './compact-jwt.parser';

/** The credential as the spread-based version built it: the model the field-by-field one must equal. */
function modelCredential(type: CredentialType, token: string, claims: JwtClaims, audiences?: readonly string[]): CredentialDescription {
  const jti = stringClaim(claims, 'jti');
  const iss = stringClaim(claims, 'iss');
  const sub = stringClaim(claims, 'sub');
  const issuedAt = dateClaim(claims, 'iat');
  const expiresAt = dateClaim(claims, 'exp');
  const aud = audiences ?? audiencesOf(claims);
  return {
    type,
    secretForFingerprint: token,
    ...(jti ? { publicId: bounded(jti) } : {}),
    ...(iss ? { issuer: bounded(iss) } : {}),
    ...(sub ? { subject: bounded(sub) } : {}),
    ...(aud ? { audiences: aud.slice(0, 16).map((a) => bounded(a)) } : {}),
    ...(issuedAt ? { issuedAt } : {}),
    ...(expiresAt ? { expiresAt } : {}),
  };
}

const text = fc.oneof(fc.string({ maxLength: 8 }), fc.string({ minLength: 250, maxLength: 300 }));
const anyValue = fc.oneof(text, fc.integer(), fc.double(), fc.constant(null), fc.array(text, { maxLength: 3 }));
const wellFormedAud = fc.oneof(fc.constant(undefined), text, fc.array(text, { maxLength: 20 }));
const claimsArbitrary = (aud: fc.Arbitrary<unknown>) =>
  fc.record(
    {
      jti: anyValue,
      iss: anyValue,
      sub: anyValue,
      aud,
      iat: fc.oneof(fc.integer({ min: 0, max: 2_000_000_000 }), anyValue, fc.constant(1e300)),
      exp: fc.oneof(fc.integer({ min: 0, max: 2_000_000_000 }), anyValue, fc.constant(-1)),
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<JwtClaims>;
const granted = fc.array(text, { minLength: 1, maxLength: 20 });

/** Equal, and with the fields in the same order (the event lists them as they come). */
function expectSameCredential(actual: CredentialDescription, expected: CredentialDescription): void {
  expect(actual).toEqual(expected);
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
}

describe('jwtCredential', () => {
  it('describes a JWT exactly as before, field for field and in the same order (property)', () => {
    fc.assert(
      fc.property(claimsArbitrary(fc.oneof(wellFormedAud, anyValue)), fc.option(granted, { nil: undefined }), (claims, audiences) => {
        expectSameCredential(jwtCredential('oidc', 'tok', claims, audiences), modelCredential('oidc', 'tok', claims, audiences));
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves out what the claims do not hold and caps what they do', () => {
    expectSameCredential(jwtCredential('service-account', 'tok', { jti: '', iss: 7, exp: 1e300, aud: [1] }), { type: 'service-account', secretForFingerprint: 'tok' });
    const credential = jwtCredential('oidc', 'tok', { sub: 's'.repeat(300), aud: Array.from({ length: 20 }, (_, i) => `a${i}`) });
    expect(credential.subject).toBe(`${'s'.repeat(256)}…`);
    expect(credential.audiences).toHaveLength(16);
  });
});

describe('withGrantedAudiences', () => {
  it('equals the credential built with the granted audiences, when the token has a well-formed aud (property)', () => {
    fc.assert(
      fc.property(claimsArbitrary(wellFormedAud), granted, (claims, audiences) => {
        expectSameCredential(withGrantedAudiences(jwtCredential('service-account', 'tok', claims), audiences), jwtCredential('service-account', 'tok', claims, audiences));
      }),
      { numRuns: 1000 },
    );
  });

  it('caps the granted audiences like jwtCredential does, and leaves the credential it was given alone', () => {
    const credential = jwtCredential('service-account', 'tok', { aud: 'a', exp: 10 });
    const widened = withGrantedAudiences(credential, Array.from({ length: 20 }, (_, i) => `${'x'.repeat(300)}${i}`));
    expect(widened.audiences).toHaveLength(16);
    expect(widened.audiences?.[0]).toBe(`${'x'.repeat(256)}…`);
    expect(credential.audiences).toEqual(['a']);
    expect(widened.expiresAt).toBe(credential.expiresAt);
  });
});
