// fast-check arbitraries of valid events, for property tests (encode → decode round trips,
// mappers that must accept every valid event).
import fc from 'fast-check';
import {
  CREDENTIAL_REVOKED_EVENT_TYPE,
  POLICY_APPLIED_EVENT_TYPE,
  PRODUCER_STATUS_EVENT_TYPE,
  REASON_CODES,
  REVOCATION_LIFTED_EVENT_TYPE,
  type AuthtrailEvent,
  type CredentialRevokedData,
  type DecisionData,
  type PolicyAppliedData,
  type ProducerStatusData,
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

const bootId = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => createEventIdFactory()(d));

/** The strings a decision is built from: ordinary ones, or hostile ones (see below). */
interface TextKinds {
  readonly text: fc.Arbitrary<string>;
  readonly nonEmpty: fc.Arbitrary<string>;
  readonly list: fc.Arbitrary<string[]>;
  readonly extra: fc.Arbitrary<Record<string, string[]>>;
  readonly attempts?: fc.Arbitrary<DecisionData['attempts']>;
}

const decisionRequired = ['decision', 'httpStatus', 'reason', 'attempts', 'request', 'instance', 'sequence'] as const;

/** A webhook caller: its certificate (free text from `k`), its trusted proxies (addresses), or both; never empty. */
function callerOf(k: TextKinds): fc.Arbitrary<NonNullable<DecisionData['request']['caller']>> {
  const certificate = fc.record({ subject: k.text, issuer: k.text, serial: k.nonEmpty, sha256: hex64, verified: fc.boolean() });
  const proxies = fc.array(fc.oneof(fc.ipV4(), fc.ipV6()), { minLength: 1, maxLength: 3 });
  return fc.oneof(fc.record({ certificate }), fc.record({ proxies }), fc.record({ certificate, proxies }));
}

/** Valid decision data whose free-text fields come from `k`; fixed-vocabulary fields stay valid. */
function decisionDataOf(k: TextKinds): fc.Arbitrary<DecisionData> {
  const user = fc.record({ username: k.nonEmpty, uid: k.text, groups: k.list, extra: k.extra }, { requiredKeys: ['username', 'groups', 'extra'] });
  const credential = fc.record(
    {
      type: k.nonEmpty,
      fingerprint,
      publicId: k.text,
      issuer: k.text,
      subject: k.text,
      audiences: k.list,
      issuedAt: rfc3339,
      expiresAt: rfc3339,
      x509: fc.record({ serial: k.nonEmpty, subject: k.text, issuer: k.text, notBefore: rfc3339, notAfter: rfc3339, sha256: hex64 }),
    },
    { requiredKeys: ['type'] },
  );
  const request = fc.record(
    {
      endpoint: fc.constantFrom('tokenreview', 'selfsubjectreview', 'authenticate', 'forward-auth', 'graphql' as const),
      sourceIp: fc.oneof(fc.ipV4(), fc.ipV6()),
      forwardedFor: k.list,
      userAgent: k.text,
      method: k.text,
      path: k.text,
      tls: fc.boolean(),
      caller: callerOf(k),
    },
    { requiredKeys: ['endpoint'] },
  );
  const fields = {
    httpStatus: fc.integer({ min: 100, max: 599 }),
    reason,
    message: k.text,
    strategy: k.nonEmpty,
    attempts:
      k.attempts ??
      fc.array(fc.record({ strategy: k.nonEmpty, outcome: fc.constantFrom('authenticated', 'abstained', 'rejected', 'errored' as const), reason }, { requiredKeys: ['strategy', 'outcome'] }), { maxLength: 4 }),
    claimedUsername: k.text,
    claimedUsernameHash: usernameHash,
    credential,
    request,
    policy: fc.record({
      version: fc.nat(),
      effects: fc.array(fc.record({ rule: k.nonEmpty, effect: fc.constantFrom('warn', 'deny' as const), message: k.text }), { maxLength: 3 }),
    }),
    latencyMicros: fc.nat(),
    instance: k.nonEmpty,
    sequence: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    boot: bootId,
    dropped: fc.nat(),
  };
  return fc.oneof(
    fc.record({ ...fields, decision: fc.constant('allow' as const), user }, { requiredKeys: [...decisionRequired, 'user'] }),
    fc.record({ ...fields, decision: fc.constant('deny' as const), user }, { requiredKeys: [...decisionRequired] }),
  );
}

export const decisionDataArbitrary: fc.Arbitrary<DecisionData> = decisionDataOf({ text, nonEmpty: nonEmptyText, list: strings, extra: fc.dictionary(nonEmptyText, strings, { maxKeys: 3 }) });

export const policyAppliedDataArbitrary: fc.Arbitrary<PolicyAppliedData> = fc.record(
  { version: fc.integer({ min: 1, max: 1_000_000 }), document: fc.string({ maxLength: 200, unit: 'binary' }), appliedBy: nonEmptyText, comment: text },
  { requiredKeys: ['version', 'document'] },
);

// Any non-empty text without whitespace or control characters (JTI_PATTERN), and hex serials in both spellings.
const jtiChar = (ch: string): string => {
  const code = ch.codePointAt(0) ?? 0;
  return code <= 0x20 || (code >= 0x7f && code <= 0x9f) ? 'x' : ch;
};
const jti = fc.string({ minLength: 1, maxLength: 24, unit: 'binary' }).map((s) => [...s].map(jtiChar).join(''));
const serial = fc.oneof(fc.stringMatching(/^[0-9A-Fa-f]{1,40}$/), fc.array(fc.stringMatching(/^[0-9a-f]{2}$/), { minLength: 2, maxLength: 20 }).map((pairs) => pairs.join(':')));
const revocationBase = { revocationId: nonEmptyText, reason: text, revokedBy: nonEmptyText, expiresAt: rfc3339 };
export const credentialRevokedDataArbitrary: fc.Arbitrary<CredentialRevokedData> = fc.oneof(
  fc.record({ ...revocationBase, fingerprint }, { requiredKeys: ['revocationId', 'fingerprint'] }),
  fc.record({ ...revocationBase, jti }, { requiredKeys: ['revocationId', 'jti'] }),
  fc.record({ ...revocationBase, certificate: fc.record({ serial, issuer: nonEmptyText }) }, { requiredKeys: ['revocationId', 'certificate'] }),
);

export const revocationLiftedDataArbitrary: fc.Arbitrary<RevocationLiftedData> = fc.record(
  { revocationId: nonEmptyText, liftedBy: nonEmptyText, reason: text },
  { requiredKeys: ['revocationId'] },
);

export const producerStatusDataArbitrary: fc.Arbitrary<ProducerStatusData> = fc.record({
  instance: nonEmptyText,
  boot: bootId,
  state: fc.constantFrom('running', 'stopped', 'lost' as const),
  lastSequence: fc.nat(),
  dropped: fc.nat(),
});

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
  fc.tuple(origin, producerStatusDataArbitrary).map(([o, data]) => controlEvent({ ...o, id: ids(o.time), type: PRODUCER_STATUS_EVENT_TYPE, data })),
);

// Hostile strings, as a caller of /v1/authenticate or a proxy can send them: NUL and other C0 /
// C1 controls, DEL, U+2028/U+2029, bidi controls, lone high and low surrogates, emoji (valid
// surrogate pairs that must be kept), anything else, and sometimes thousands of them.
const HOSTILE_UNITS = [
  '\u0000', '\u0001', '\u0009', '\u000a', '\u000d', '\u001b', '\u001f', '\u007f', '\u0080', '\u0085', '\u009f',
  '\u061c', '\u200e', '\u200f', '\u2028', '\u2029', '\u202a', '\u202e', '\u2066', '\u2069',
  '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d', '\ude00',
  '\ud83d\ude00', '\u{1f469}\u200d\u{1f4bb}', 'é', '\u00a0', '\ufeff', '\ufffd', 'a', 'Z', '0', ' ', '/', '%', '"', '\\',
];
const hostileUnit = fc.oneof(fc.constantFrom(...HOSTILE_UNITS), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
const shortHostile = fc.string({ unit: hostileUnit, maxLength: 12 });
/** Short, or a short piece repeated up to 3000 times (past every string limit: 16 KiB and more). */
export const hostileTextArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: shortHostile },
  { weight: 1, arbitrary: fc.tuple(fc.string({ unit: hostileUnit, minLength: 1, maxLength: 6 }), fc.integer({ min: 100, max: 3000 })).map(([piece, times]) => piece.repeat(times)) },
);
const hostileNonEmpty = hostileTextArbitrary.filter((s) => s.length > 0);
/** Short lists, or one item repeated past the list limits (32 forwarded-for, 1000 elsewhere). */
const hostileList = fc.oneof(
  { weight: 4, arbitrary: fc.array(hostileTextArbitrary, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.tuple(shortHostile, fc.integer({ min: 20, max: 1100 })).map(([item, times]) => Array.from({ length: times }, (_, i) => `${item}${i % 3}`)) },
);
const hostileExtra = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(hostileNonEmpty, fc.array(hostileTextArbitrary, { maxLength: 3 }), { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.tuple(shortHostile, fc.integer({ min: 60, max: 80 })).map(([key, n]) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${key}${i}`, [key]]))) },
);

/** Valid decision data whose free-text strings are hostile: what producers hand to `decisionEvent()` (it normalises them). */
export const hostileDecisionDataArbitrary: fc.Arbitrary<DecisionData> = decisionDataOf({
  text: hostileTextArbitrary,
  nonEmpty: hostileNonEmpty,
  list: hostileList,
  extra: hostileExtra,
  attempts: fc.oneof(
    fc.array(fc.record({ strategy: hostileNonEmpty, outcome: fc.constantFrom('authenticated', 'abstained', 'rejected', 'errored' as const) }), { maxLength: 3 }),
    fc.integer({ min: 999, max: 1003 }).map((n) => Array.from({ length: n }, () => ({ strategy: 'static-token', outcome: 'abstained' as const }))),
  ),
});
