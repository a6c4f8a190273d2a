// RFC 5424 syslog messages with octet-counting framing (RFC 6587 §3.4.1, RFC 5425 §4.3): the
// frame is `<length> <message>`, so a message may contain newlines and still arrive whole.
import { DECISION_EVENT_TYPE, selectFields, severityOf, type AuthtrailEvent, type DroppableField } from '@authtrail/events';

/** RFC 5424 §6.3.3: inside PARAM-VALUE, `"`, `\` and `]` are escaped with a backslash. */
export function escapeParamValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** PRI = facility * 8 + severity (RFC 5424 §6.2.1). Allowed → info (6), denied → notice (5) or warning (4) when severe. */
export function syslogSeverity(event: AuthtrailEvent): number {
  if (event.type !== DECISION_EVENT_TYPE) return 5;
  if (event.data.decision === 'allow') return 6;
  return severityOf(event.data).id >= 4 ? 4 : 5;
}

/** The `[authtrail@PEN ...]` element: the key fields a SIEM routes on without parsing the body. */
export function structuredData(event: AuthtrailEvent, enterpriseId: number, drop: readonly DroppableField[]): string {
  const params: [string, string | undefined][] = [['id', event.id], ['type', event.type]];
  if (event.type === DECISION_EVENT_TYPE) {
    const data = event.data;
    const fields = selectFields(data, drop);
    params.push(
      ['decision', data.decision],
      ['reason', data.reason],
      ['status', String(data.httpStatus)],
      ['strategy', data.strategy],
      ['user', fields.username ?? fields.claimedUsername],
      ['userHash', data.claimedUsernameHash],
      ['src', fields.sourceIp],
      ['fp', data.credential?.fingerprint],
      ['endpoint', data.request.endpoint],
    );
  }
  const rendered = params.filter((p): p is [string, string] => p[1] !== undefined).map(([name, value]) => `${name}="${escapeParamValue(value)}"`);
  return `[authtrail@${enterpriseId} ${rendered.join(' ')}]`;
}

export interface SyslogHeader {
  readonly facility: number;
  readonly hostname: string;
  readonly appName: string;
}

/** One RFC 5424 message (without framing). PROCID is NILVALUE; MSGID says decision or control. */
export function rfc5424Message(event: AuthtrailEvent, header: SyslogHeader, sd: string, body: string): string {
  const pri = header.facility * 8 + syslogSeverity(event);
  const msgId = event.type === DECISION_EVENT_TYPE ? 'decision' : 'control';
  return `<${pri}>1 ${event.time} ${header.hostname} ${header.appName} - ${msgId} ${sd} ${body}`;
}

/** Octet-counting frame: the length is in bytes (UTF-8), not characters. */
export function octetFrame(message: string): Buffer {
  const payload = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${payload.length} `, 'ascii'), payload]);
}

/** A short human line for the message body (`body: text`). */
export function textBody(event: AuthtrailEvent, drop: readonly DroppableField[]): string {
  if (event.type !== DECISION_EVENT_TYPE) return `authtrail control event ${event.type}`;
  const data = event.data;
  const fields = selectFields(data, drop);
  const user = fields.username ?? fields.claimedUsername;
  return [
    `authentication ${data.decision}`,
    `reason=${data.reason}`,
    data.strategy !== undefined ? `strategy=${data.strategy}` : undefined,
    user !== undefined ? `user=${JSON.stringify(user)}` : undefined,
    fields.sourceIp !== undefined ? `src=${fields.sourceIp}` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(' ');
}
