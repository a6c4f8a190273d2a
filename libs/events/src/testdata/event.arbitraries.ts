// fast-check arbitraries of valid events, for property tests (encode → decode round trips,
// mappers that must accept every valid event).
import fc from 'fast-check';
import {
  CREDENTIAL_REVOKED_EVENT_TYPE,
  POLICY_APPLIED_EVENT_TYPE,
  REASON_CODES,
  REVOCATION_LIFTED_EVENT_TYPE,
  type AuthtrailEvent,
  type CredentialRevokedData,
  type DecisionData,
  type PolicyAppliedData,
  type RevocationLiftedData,
} from '../decision.event';
import { createEventIdFactory } from '../event-id';
import { controlEvent, decisionEvent, eventSource } from '../event.builders';

const text = fc.string({ maxLength: 24, unit: 'binary' });
const nonEmptyText = fc.string({ minLength: 1, maxLength: 24, unit: 'binary' });
const keyId = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/);
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const fingerprint = fc.tuple(keyId, hex64).map(([id, hex]) => `hmac-sha256:${id}:${hex}`);
const usernameHash = fc.tuple(keyId, hex64).map(([id, hex]) => `hmac-sha256-username:${id}:${hex}`);
const rfc3339 = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const reason = fc.constantFrom(...REASON_CODES);
const strings = fc.array(text, { maxLength: 4 });

const user = fc.record(
  {
    username: nonEmptyText,
    uid: text,
    groups: strings,
    extra: fc.dictionary(nonEmptyText, strings, { maxKeys: 3 }),
  },
  { requiredKeys: ['username', 'groups', 'extra'] },
);

const credential = fc.record(
  {
    type: nonEmptyText,
    fingerprint,
    publicId: text,
    issuer: text,
    subject: text,
    audiences: strings,
    issuedAt: rfc3339,
    expiresAt: rfc3339,
    x509: fc.record({ serial: nonEmptyText, subject: text, issuer: text, notBefore: rfc3339, notAfter: rfc3339, sha256: hex64 }),
  },
  { requiredKeys: ['type'] },
);

const request = fc.record(
  {
    endpoint: fc.constantFrom('tokenreview', 'selfsubjectreview', 'authenticate', 'forward-auth', 'graphql' as const),
    sourceIp: fc.oneof(fc.ipV4(), fc.ipV6()),
    forwardedFor: strings,
    userAgent: text,
    method: text,
    path: text,
    tls: fc.boolean(),
  },
  { requiredKeys: ['endpoint'] },
);

const decisionFields = {
  httpStatus: fc.integer({ min: 100, max: 599 }),
  reason,
  message: text,
  strategy: nonEmptyText,
  attempts: fc.array(
    fc.record(
      { strategy: nonEmptyText, outcome: fc.constantFrom('authenticated', 'abstained', 'rejected', 'errored' as const), reason },
      { requiredKeys: ['strategy', 'outcome'] },
    ),
    { maxLength: 4 },
  ),
  claimedUsername: text,
  claimedUsernameHash: usernameHash,
  credential,
  request,
  policy: fc.record({
    version: fc.nat(),
    effects: fc.array(fc.record({ rule: nonEmptyText, effect: fc.constantFrom('warn', 'deny' as const), message: text }), { maxLength: 3 }),
  }),
  latencyMicros: fc.nat(),
  instance: nonEmptyText,
  sequence: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
};
const decisionRequired = ['decision', 'httpStatus', 'reason', 'attempts', 'request', 'instance', 'sequence'] as const;

export const decisionDataArbitrary: fc.Arbitrary<DecisionData> = fc.oneof(
  fc.record({ ...decisionFields, decision: fc.constant('allow' as const), user }, { requiredKeys: [...decisionRequired, 'user'] }),
  fc.record({ ...decisionFields, decision: fc.constant('deny' as const), user }, { requiredKeys: [...decisionRequired] }),
);

export const policyAppliedDataArbitrary: fc.Arbitrary<PolicyAppliedData> = fc.record(
  { version: fc.integer({ min: 1, max: 1_000_000 }), document: fc.string({ maxLength: 200, unit: 'binary' }), appliedBy: nonEmptyText, comment: text },
  { requiredKeys: ['version', 'document'] },
);

const revocationBase = { revocationId: nonEmptyText, reason: text, revokedBy: nonEmptyText, expiresAt: rfc3339 };
export const credentialRevokedDataArbitrary: fc.Arbitrary<CredentialRevokedData> = fc.oneof(
  fc.record({ ...revocationBase, fingerprint }, { requiredKeys: ['revocationId', 'fingerprint'] }),
  fc.record({ ...revocationBase, jti: nonEmptyText }, { requiredKeys: ['revocationId', 'jti'] }),
  fc.record({ ...revocationBase, certificate: fc.record({ serial: nonEmptyText, issuer: nonEmptyText }) }, { requiredKeys: ['revocationId', 'certificate'] }),
);

export const revocationLiftedDataArbitrary: fc.Arbitrary<RevocationLiftedData> = fc.record(
  { revocationId: nonEmptyText, liftedBy: nonEmptyText, reason: text },
  { requiredKeys: ['revocationId'] },
);

const origin = fc.record({
  time: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }),
  source: fc.tuple(fc.constantFrom('authn', 'graphql-api'), nonEmptyText).map(([service, instance]) => eventSource(service, instance)),
});
const ids = createEventIdFactory();

/** Any valid authtrail event, as the builders make it. */
export const eventArbitrary: fc.Arbitrary<AuthtrailEvent> = fc.oneof(
  fc.tuple(origin, decisionDataArbitrary).map(([o, data]) => decisionEvent({ ...o, id: ids(o.time), data })),
  fc.tuple(origin, policyAppliedDataArbitrary).map(([o, data]) => controlEvent({ ...o, id: ids(o.time), type: POLICY_APPLIED_EVENT_TYPE, data })),
  fc.tuple(origin, credentialRevokedDataArbitrary).map(([o, data]) => controlEvent({ ...o, id: ids(o.time), type: CREDENTIAL_REVOKED_EVENT_TYPE, data })),
  fc.tuple(origin, revocationLiftedDataArbitrary).map(([o, data]) => controlEvent({ ...o, id: ids(o.time), type: REVOCATION_LIFTED_EVENT_TYPE, data })),
);
