// The JSON Schema files under libs/events/schemas/ are generated from the TS source. This test
// fails when they are stale; regenerate with:
//   AUTHTRAIL_WRITE_SCHEMAS=1 npx jest -c libs/events/jest.config.js event-schemas
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import { CREDENTIAL_REVOKED_EVENT_TYPE, DECISION_EVENT_TYPE, POLICY_APPLIED_EVENT_TYPE, PRODUCER_STATUS_EVENT_TYPE, REVOCATION_LIFTED_EVENT_TYPE } from './decision.event';
import { EVENT_SCHEMAS, EVENT_TYPES, dataSchemaUriOf } from './event-catalogue';
import { validateEnvelope, validateEventData } from './schema-validators';
import { ALLOWED_DECISION, DENIED_DECISION, SAMPLE_FINGERPRINT } from './testdata/event.fixtures';
import {
  credentialRevokedDataArbitrary,
  decisionDataArbitrary,
  policyAppliedDataArbitrary,
  producerStatusDataArbitrary,
  revocationLiftedDataArbitrary,
} from './testdata/event.arbitraries';

const BOOT = '019acea0-1f3b-7abc-8def-0123456789ab';
const CALLER_CERTIFICATE = { subject: 'CN=kube-apiserver-webhook-client, O=kube-master', issuer: 'CN=cluster CA', serial: '5E2F01', sha256: 'ef'.repeat(32), verified: true };

const SCHEMA_DIR = join(__dirname, '..', 'schemas');
const fileText = (schema: object) => `${JSON.stringify(schema, null, 2)}\n`;

describe('schema files', () => {
  if (process.env['AUTHTRAIL_WRITE_SCHEMAS'] === '1') {
    for (const [name, schema] of Object.entries(EVENT_SCHEMAS)) writeFileSync(join(SCHEMA_DIR, `${name}.schema.json`), fileText(schema));
  }

  it.each(Object.entries(EVENT_SCHEMAS))('%s.schema.json is the generated text of its TS schema', (name, schema) => {
    expect(readFileSync(join(SCHEMA_DIR, `${name}.schema.json`), 'utf8')).toBe(fileText(schema));
  });

  it('the folder holds exactly the envelope and one data schema per event type', () => {
    expect(readdirSync(SCHEMA_DIR).sort()).toEqual(Object.keys(EVENT_SCHEMAS).map((name) => `${name}.schema.json`).sort());
    expect(Object.keys(EVENT_SCHEMAS)).toHaveLength(EVENT_TYPES.length + 1);
  });

  it('every file is a valid draft 2020-12 schema for a strict ajv, on its own', () => {
    for (const name of Object.keys(EVENT_SCHEMAS)) {
      const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, `${name}.schema.json`), 'utf8'));
      const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, validateFormats: false });
      expect(() => ajv.compile(schema)).not.toThrow();
    }
  });

  it.each(EVENT_TYPES)('the data schema of %s has the dataschema URI as $id', (type) => {
    expect((EVENT_SCHEMAS[type] as { $id: string }).$id).toBe(dataSchemaUriOf(type));
  });
});

describe('decision data schema', () => {
  const cases: ReadonlyArray<readonly [string, unknown, string | undefined]> = [
    ['an allowed decision with user and credential is valid', ALLOWED_DECISION, undefined],
    ['a denied decision with attempts, claimed username and policy effects is valid', DENIED_DECISION, undefined],
    ['an allowed decision without a user is invalid', { ...ALLOWED_DECISION, user: undefined }, "/data must have required property 'user'"],
    ['an unknown reason code is invalid', { ...DENIED_DECISION, reason: 'wrong_password' }, '/data/reason must be equal to one of the allowed values'],
    ['an HTTP status outside 100-599 is invalid', { ...DENIED_DECISION, httpStatus: 9001 }, '/data/httpStatus must be <= 599'],
    ['a raw token field in the credential is refused', { ...DENIED_DECISION, credential: { type: 'static-token', token: 'x' } }, '/data/credential must NOT have additional properties'],
    ['an unknown top-level field is refused', { ...DENIED_DECISION, authorization: 'Bearer x' }, '/data must NOT have additional properties'],
    ['a fingerprint that is not hmac-sha256:<keyId>:<hex> is refused', { ...DENIED_DECISION, credential: { type: 'static-token', fingerprint: 'sha256:abc' } }, '/data/credential/fingerprint must match pattern "^hmac-sha256:[A-Za-z0-9._-]{1,64}:[0-9a-f]{64}$"'],
    ['a claimed username hash in the credential fingerprint format is refused', { ...DENIED_DECISION, claimedUsernameHash: SAMPLE_FINGERPRINT }, '/data/claimedUsernameHash must match pattern "^hmac-sha256-username:[A-Za-z0-9._-]{1,64}:[0-9a-f]{64}$"'],
    ['a sequence of 0 is invalid (sequences start at 1)', { ...DENIED_DECISION, sequence: 0 }, '/data/sequence must be >= 1'],
    ['a source IP that is not an address is invalid', { ...DENIED_DECISION, request: { endpoint: 'authenticate', sourceIp: 'example.com' } }, '/data/request/sourceIp must match a schema in anyOf'],
    ['an unknown endpoint is invalid', { ...DENIED_DECISION, request: { endpoint: 'ssh' } }, '/data/request/endpoint must be equal to one of the allowed values'],
    ['an expiry that is not RFC 3339 is invalid', { ...ALLOWED_DECISION, credential: { type: 'oidc', expiresAt: 'tomorrow' } }, '/data/credential/expiresAt must match format "date-time"'],
    ['user extras must be lists of strings, and the extra key (input) is printed as *', { ...ALLOWED_DECISION, user: { username: 'a', groups: [], extra: { k: 'v' } } }, '/data/user/extra/* must be array'],
    ['a missing instance is invalid', { ...DENIED_DECISION, instance: undefined }, "/data must have required property 'instance'"],
    ['data that is not an object is invalid', 'allow', '/data must be object'],
    ['a decision with its boot, drop count and normalisation marks is valid', { ...DENIED_DECISION, boot: BOOT, dropped: 3, normalized: [{ field: 'request.userAgent', action: 'replaced' }] }, undefined],
    ['a boot that is not a UUIDv7 is invalid', { ...DENIED_DECISION, boot: 'pod-7-1' }, '/data/boot must match pattern "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"'],
    ['a negative drop count is invalid', { ...DENIED_DECISION, dropped: -1 }, '/data/dropped must be >= 0'],
    ['a normalisation mark for a field the builder does not normalise is invalid', { ...DENIED_DECISION, normalized: [{ field: 'password', action: 'replaced' }] }, '/data/normalized/0/field must be equal to one of the allowed values'],
    ['a TokenReview with its caller (certificate and trusted proxies) is valid', { ...ALLOWED_DECISION, request: { ...ALLOWED_DECISION.request, caller: { certificate: CALLER_CERTIFICATE, proxies: ['10.0.0.9', '2001:db8::2'] } } }, undefined],
    ['an empty caller is invalid (absent when nothing is known)', { ...ALLOWED_DECISION, request: { ...ALLOWED_DECISION.request, caller: {} } }, '/data/request/caller must NOT have fewer than 1 properties'],
    ['a caller cannot carry a user (the user comes only from the credential)', { ...ALLOWED_DECISION, request: { ...ALLOWED_DECISION.request, caller: { certificate: CALLER_CERTIFICATE, user: { username: 'kube-apiserver' } } } }, '/data/request/caller must NOT have additional properties'],
    ['a caller certificate without its verification flag is invalid', { ...ALLOWED_DECISION, request: { ...ALLOWED_DECISION.request, caller: { certificate: { ...CALLER_CERTIFICATE, verified: undefined } } } }, "/data/request/caller/certificate must have required property 'verified'"],
    ['a caller certificate hash in upper case is invalid (lower-case hex like the producers write)', { ...ALLOWED_DECISION, request: { ...ALLOWED_DECISION.request, caller: { certificate: { ...CALLER_CERTIFICATE, sha256: 'AB'.repeat(32) } } } }, '/data/request/caller/certificate/sha256 must match pattern "^[0-9a-f]{64}$"'],
    ['a proxy that is not an address is invalid', { ...ALLOWED_DECISION, request: { ...ALLOWED_DECISION.request, caller: { proxies: ['proxy.example'] } } }, '/data/request/caller/proxies/0 must match a schema in anyOf'],
    ['a normalisation mark with an unknown action is invalid', { ...DENIED_DECISION, normalized: [{ field: 'message', action: 'removed' }] }, '/data/normalized/0/action must be equal to one of the allowed values'],
  ];
  it.each(cases)('%s', (_sentence, data, detail) => {
    const result = validateEventData(DECISION_EVENT_TYPE, JSON.parse(JSON.stringify(data)));
    expect(result).toEqual(detail === undefined ? { ok: true } : { ok: false, detail });
  });

  it('every generated decision is valid (property)', () => {
    fc.assert(fc.property(decisionDataArbitrary, (data) => expect(validateEventData(DECISION_EVENT_TYPE, data)).toEqual({ ok: true })), { numRuns: 300 });
  });
});

describe('control data schemas', () => {
  const cases: ReadonlyArray<readonly [string, (typeof EVENT_TYPES)[number], unknown, string | undefined]> = [
    ['a policy version with its document is valid', POLICY_APPLIED_EVENT_TYPE, { version: 1, document: 'strategies: {}\n', appliedBy: 'admin' }, undefined],
    ['policy version 0 is invalid (versions start at 1)', POLICY_APPLIED_EVENT_TYPE, { version: 0, document: '' }, '/data/version must be >= 1'],
    ['a policy event without its document is invalid', POLICY_APPLIED_EVENT_TYPE, { version: 2 }, "/data must have required property 'document'"],
    ['a revocation by fingerprint is valid', CREDENTIAL_REVOKED_EVENT_TYPE, { revocationId: 'r1', fingerprint: SAMPLE_FINGERPRINT, reason: 'leaked' }, undefined],
    ['a revocation by JWT id is valid', CREDENTIAL_REVOKED_EVENT_TYPE, { revocationId: 'r2', jti: 'abc', expiresAt: '2027-01-01T00:00:00.000Z' }, undefined],
    ['a revocation by certificate serial and issuer is valid', CREDENTIAL_REVOKED_EVENT_TYPE, { revocationId: 'r3', certificate: { serial: '0a1b', issuer: 'CN=ca' } }, undefined],
    ['a revocation without a selector is invalid', CREDENTIAL_REVOKED_EVENT_TYPE, { revocationId: 'r4' }, '/data must match exactly one schema in oneOf'],
    ['a revocation with two selectors is invalid', CREDENTIAL_REVOKED_EVENT_TYPE, { revocationId: 'r5', jti: 'a', fingerprint: SAMPLE_FINGERPRINT }, '/data must match exactly one schema in oneOf'],
    ['a revocation carrying a raw token is refused', CREDENTIAL_REVOKED_EVENT_TYPE, { revocationId: 'r6', jti: 'a', token: 'x' }, '/data must NOT have additional properties'],
    ['a lift naming its revocation is valid', REVOCATION_LIFTED_EVENT_TYPE, { revocationId: 'r1', liftedBy: 'admin' }, undefined],
    ['a lift without a revocation id is invalid', REVOCATION_LIFTED_EVENT_TYPE, { liftedBy: 'admin' }, "/data must have required property 'revocationId'"],
    ['a producer heartbeat is valid', PRODUCER_STATUS_EVENT_TYPE, { instance: 'pod-7', boot: BOOT, state: 'running', lastSequence: 0, dropped: 0 }, undefined],
    ['a lost boot with its last sequence and drops is valid', PRODUCER_STATUS_EVENT_TYPE, { instance: 'pod-7', boot: BOOT, state: 'lost', lastSequence: 4711, dropped: 2 }, undefined],
    ['a producer status with an unknown state is invalid', PRODUCER_STATUS_EVENT_TYPE, { instance: 'pod-7', boot: BOOT, state: 'crashed', lastSequence: 1, dropped: 0 }, '/data/state must be equal to one of the allowed values'],
    ['a producer status without its last sequence is invalid', PRODUCER_STATUS_EVENT_TYPE, { instance: 'pod-7', boot: BOOT, state: 'stopped', dropped: 0 }, "/data must have required property 'lastSequence'"],
  ];
  it.each(cases)('%s', (_sentence, type, data, detail) => {
    expect(validateEventData(type, data)).toEqual(detail === undefined ? { ok: true } : { ok: false, detail });
  });

  it('every generated control event data is valid (property)', () => {
    fc.assert(fc.property(policyAppliedDataArbitrary, (data) => expect(validateEventData(POLICY_APPLIED_EVENT_TYPE, data).ok).toBe(true)));
    fc.assert(fc.property(credentialRevokedDataArbitrary, (data) => expect(validateEventData(CREDENTIAL_REVOKED_EVENT_TYPE, data).ok).toBe(true)));
    fc.assert(fc.property(revocationLiftedDataArbitrary, (data) => expect(validateEventData(REVOCATION_LIFTED_EVENT_TYPE, data).ok).toBe(true)));
    fc.assert(fc.property(producerStatusDataArbitrary, (data) => expect(validateEventData(PRODUCER_STATUS_EVENT_TYPE, data).ok).toBe(true)));
  });
});

describe('envelope schema', () => {
  const valid = {
    specversion: '1.0',
    id: '019acea0-1f3b-7abc-8def-0123456789ab',
    source: '/authtrail/authn/pod-7',
    type: DECISION_EVENT_TYPE,
    time: '2026-11-29T10:15:30.123Z',
    datacontenttype: 'application/json',
    dataschema: dataSchemaUriOf(DECISION_EVENT_TYPE),
    subject: 'alice',
    data: {},
  };
  const cases: ReadonlyArray<readonly [string, unknown, string | undefined]> = [
    ['a complete envelope is valid', valid, undefined],
    ['an envelope with a CloudEvents extension attribute is valid', { ...valid, traceparent: '00-abc-01' }, undefined],
    ['an extension attribute with a non-scalar value is invalid', { ...valid, traceparent: { a: 1 } }, '/* must be string,number,boolean'],
    ['an attribute name with upper case is not an extension and is refused', { ...valid, Token: 'x' }, '/ must NOT have additional properties'],
    ['binary data (data_base64) is refused', { ...valid, data_base64: 'eA==' }, '/ must NOT have additional properties'],
    ['an envelope without data is invalid', { ...valid, data: undefined }, "/ must have required property 'data'"],
    ['a time without a zone is invalid', { ...valid, time: '2026-11-29T10:15:30' }, '/time must match format "date-time"'],
    ['a content type other than JSON is invalid', { ...valid, datacontenttype: 'text/plain' }, '/datacontenttype must be equal to constant'],
    ['an empty id is invalid', { ...valid, id: '' }, '/id must NOT have fewer than 1 characters'],
  ];
  it.each(cases)('%s', (_sentence, envelope, detail) => {
    expect(validateEnvelope(JSON.parse(JSON.stringify(envelope)))).toEqual(detail === undefined ? { ok: true } : { ok: false, detail });
  });
});
