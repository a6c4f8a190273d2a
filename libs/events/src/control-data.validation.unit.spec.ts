import { validateControlData } from './control-data.validation';
import { CREDENTIAL_REVOKED_EVENT_TYPE, POLICY_APPLIED_EVENT_TYPE, REVOCATION_LIFTED_EVENT_TYPE } from './decision.event';
import { decodeEvent, encodeEvent } from './cloudevent.codec';
import { controlEvent } from './event.builders';

const FINGERPRINT = `hmac-sha256:k1:${'ab'.repeat(32)}`;
const revoked = (selector: Record<string, unknown>) => ({ revocationId: 'r-1', revokedBy: 'ada', ...selector });

describe('validateControlData', () => {
  const refused: ReadonlyArray<readonly [string, Parameters<typeof validateControlData>[0], unknown, string]> = [
    ['a fingerprint that is not hmac-sha256:<keyId>:<hex> is refused at /fingerprint', CREDENTIAL_REVOKED_EVENT_TYPE, revoked({ fingerprint: 'abc' }), '/fingerprint'],
    ['a fingerprint with upper-case hex is refused', CREDENTIAL_REVOKED_EVENT_TYPE, revoked({ fingerprint: FINGERPRINT.toUpperCase() }), '/fingerprint'],
    ['an empty jti is refused at /jti', CREDENTIAL_REVOKED_EVENT_TYPE, revoked({ jti: '' }), '/jti'],
    ['a jti with a space is refused', CREDENTIAL_REVOKED_EVENT_TYPE, revoked({ jti: 'two words' }), '/jti'],
    ['a jti with a newline is refused', CREDENTIAL_REVOKED_EVENT_TYPE, revoked({ jti: 'abc\n' }), '/jti'],
    ['a jti of 257 characters is refused', CREDENTIAL_REVOKED_EVENT_TYPE, revoked({ jti: 'j'.repeat(257) }), '/jti'],
    ['a serial that is not hex is refused at /certificate/serial', CREDENTIAL_REVOKED_EVENT_TYPE, revoked({ certificate: { serial: 'xyz', issuer: 'CN=ca' } }), '/certificate/serial'],
    ['a serial with odd colon groups is refused', CREDENTIAL_REVOKED_EVENT_TYPE, revoked({ certificate: { serial: '0a:b', issuer: 'CN=ca' } }), '/certificate/serial'],
    ['a serial of 65 hex digits is refused', CREDENTIAL_REVOKED_EVENT_TYPE, revoked({ certificate: { serial: 'a'.repeat(65), issuer: 'CN=ca' } }), '/certificate/serial'],
    ['a certificate without issuer names the missing issuer', CREDENTIAL_REVOKED_EVENT_TYPE, revoked({ certificate: { serial: '0a' } }), '/certificate/issuer'],
    ['no selector is refused for the object as a whole', CREDENTIAL_REVOKED_EVENT_TYPE, revoked({}), ''],
    ['two selectors are refused for the object as a whole', CREDENTIAL_REVOKED_EVENT_TYPE, revoked({ jti: 'a', fingerprint: FINGERPRINT }), ''],
    ['a reason of 2049 characters is refused at /reason', CREDENTIAL_REVOKED_EVENT_TYPE, revoked({ jti: 'a', reason: 'r'.repeat(2049) }), '/reason'],
    ['a policy version 0 is refused at /version', POLICY_APPLIED_EVENT_TYPE, { version: 0, document: '{}' }, '/version'],
    ['a policy version above 2^31-1 is refused', POLICY_APPLIED_EVENT_TYPE, { version: 2 ** 31, document: '{}' }, '/version'],
    ['a comment of 2049 characters is refused at /comment', POLICY_APPLIED_EVENT_TYPE, { version: 1, document: '{}', comment: 'c'.repeat(2049) }, '/comment'],
    ['a lift without revocation id names it', REVOCATION_LIFTED_EVENT_TYPE, { liftedBy: 'ada' }, '/revocationId'],
  ];

  it.each(refused)('%s', (_name, type, data, pointer) => {
    const result = validateControlData(type, data);
    expect(result).toEqual({ ok: false, pointer, message: expect.any(String) });
  });

  it.each([
    ['a fingerprint', revoked({ fingerprint: FINGERPRINT })],
    ['a jti (UUID)', revoked({ jti: '5c7e1d1a-8f0e-4a55-9d4b-1f2e3d4c5b6a' })],
    ['a jti with non-ASCII letters', revoked({ jti: 'jéti-Ω' })],
    ['a serial run together', revoked({ certificate: { serial: '00A1B2C3', issuer: 'CN=kube-ca' } })],
    ['a serial in colon pairs', revoked({ certificate: { serial: '0a:1b:2c', issuer: 'CN=kube-ca' } })],
  ])('accepts %s', (_name, data) => {
    expect(validateControlData(CREDENTIAL_REVOKED_EVENT_TYPE, data)).toEqual({ ok: true });
  });

  it('says the rule in words, from the field description, never the value', () => {
    const secretLooking = 'not a fingerprint but maybe a token';
    const result = validateControlData(CREDENTIAL_REVOKED_EVENT_TYPE, revoked({ fingerprint: secretLooking }));
    expect(result.ok).toBe(false);
    const message = (result as { message: string }).message;
    expect(message).toContain('hmac-sha256:<keyId>');
    expect(message).not.toContain(secretLooking);
  });

  it('agrees with decoding: what it accepts decodes, what it refuses is refused by the consumers', () => {
    const at = { id: '019acea0-1f3b-7abc-8def-0123456789ab', time: new Date('2026-12-01T00:00:00Z'), source: '/authtrail/test' };
    for (const [, type, data] of refused.filter(([, t]) => t === CREDENTIAL_REVOKED_EVENT_TYPE)) {
      const event = controlEvent({ ...at, type, data } as Parameters<typeof controlEvent>[0]);
      expect(decodeEvent(encodeEvent(event)).ok).toBe(false);
    }
    const good = controlEvent({ ...at, type: CREDENTIAL_REVOKED_EVENT_TYPE, data: revoked({ jti: 'abc' }) });
    expect(decodeEvent(encodeEvent(good)).ok).toBe(true);
  });
});
