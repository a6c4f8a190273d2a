import fc from 'fast-check';
import { DEFAULT_SIEM_PRODUCT } from '@authtrail/events';
import { decisionAt, policyAppliedAt } from '../testdata/decision-stream.fixture';
import { cefMessage, escapeCefHeader, escapeCefValue } from './cef.format';
import { escapeParamValue, octetFrame, rfc5424Message, structuredData, syslogSeverity, textBody } from './rfc5424.format';

/** Reads octet-counted frames back: what a receiver does (RFC 6587 §3.4.1). */
function readFrames(buffer: Buffer): string[] {
  const messages: string[] = [];
  let at = 0;
  while (at < buffer.length) {
    const space = buffer.indexOf(0x20, at);
    const length = Number(buffer.subarray(at, space).toString('ascii'));
    messages.push(buffer.subarray(space + 1, space + 1 + length).toString('utf8'));
    at = space + 1 + length;
  }
  return messages;
}

const header = { facility: 10, hostname: 'host-1', appName: 'authtrail' };

describe('RFC 5424 syslog format', () => {
  it('a denied decision is an authpriv notice with the key fields in structured data', () => {
    const event = decisionAt(9);
    const sd = structuredData(event, 32473, []);
    const message = rfc5424Message(event, header, sd, textBody(event, []));
    expect(message.startsWith(`<85>1 ${event.time} host-1 authtrail - decision [authtrail@32473 id="${event.id}" type="authtrail.authn.decision.v1" decision="deny" reason="invalid_password" status="401" strategy="basic-auth" userHash="hmac-sha256-username:k1:`)).toBe(true);
    expect(message).toContain('src="10.0.9.1"');
    expect(message.endsWith('authentication deny reason=invalid_password strategy=basic-auth src=10.0.9.1')).toBe(true);
  });

  it('an allowed decision is an authpriv info message carrying the username', () => {
    const event = decisionAt(1);
    expect(syslogSeverity(event)).toBe(6);
    expect(structuredData(event, 32473, [])).toContain('user="user-1"');
  });

  it('dropping usernames removes the user parameter and the name from the body', () => {
    const event = decisionAt(1);
    expect(structuredData(event, 32473, ['username'])).not.toContain('user=');
    expect(textBody(event, ['username'])).not.toContain('user-1');
  });

  it('a control event has MSGID control and only id and type parameters', () => {
    const event = policyAppliedAt(0);
    const message = rfc5424Message(event, header, structuredData(event, 32473, []), textBody(event, []));
    expect(message).toContain(' authtrail - control [authtrail@32473 id="');
  });

  const escapes: readonly [string, string, string][] = [
    ['a double quote is escaped', 'a"b', 'a\\"b'],
    ['a backslash is escaped', 'a\\b', 'a\\\\b'],
    ['a closing bracket is escaped', 'a]b', 'a\\]b'],
    ['other characters pass unchanged', 'système=ok', 'système=ok'],
  ];
  it.each(escapes)('PARAM-VALUE: %s', (_name, input, expected) => {
    expect(escapeParamValue(input)).toBe(expected);
  });

  it('octet counting counts UTF-8 bytes, so any messages are read back whole', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 20 }), (messages) => {
        expect(readFrames(Buffer.concat(messages.map(octetFrame)))).toEqual(messages.map((m) => Buffer.from(m, 'utf8').toString('utf8')));
      }),
    );
  });

  it('an escaped parameter value never ends the structured data element early', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const escaped = escapeParamValue(value);
        // Unescaped `"` or `]` would close the value or the element.
        expect(escaped.replace(/\\./g, '')).not.toMatch(/["\]]/);
      }),
    );
  });
});

describe('CEF format', () => {
  it('a denied decision is a CEF line with outcome, reason, event id and fingerprint', () => {
    const event = decisionAt(9);
    const line = cefMessage(event, DEFAULT_SIEM_PRODUCT, []);
    expect(line.startsWith('CEF:0|authtrail|authtrail|0.1.0|authtrail:authn:deny|Authentication failed: invalid_password|5|')).toBe(true);
    expect(line).toContain(`externalId=${event.id}`);
    expect(line).toContain('outcome=failure reason=invalid_password');
    expect(line).toContain('cs2Label=credentialFingerprint cs2=hmac-sha256:k1:');
  });

  const cases: readonly [string, (v: string) => string, string, string][] = [
    ['a pipe in a header field is escaped', escapeCefHeader, 'a|b', 'a\\|b'],
    ['a backslash in a header field is escaped', escapeCefHeader, 'a\\b', 'a\\\\b'],
    ['an equals sign in an extension value is escaped', escapeCefValue, 'a=b', 'a\\=b'],
    ['a newline in an extension value becomes \\n', escapeCefValue, 'a\nb', 'a\\nb'],
  ];
  it.each(cases)('%s', (_name, escape, input, expected) => {
    expect(escape(input)).toBe(expected);
  });
});
