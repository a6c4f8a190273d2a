import { hostname as osHostname } from 'node:os';
import { DEFAULT_SIEM_PRODUCT, toEcs, toOcsf, type AuthtrailEvent, type SiemMapOptions } from '@authtrail/events';
import type { SyslogSinkConfig } from '../siem.config';
import { cefMessage } from '../syslog/cef.format';
import { octetFrame, rfc5424Message, structuredData, textBody } from '../syslog/rfc5424.format';
import { SyslogConnection } from '../syslog/syslog-connection';
import { ACKNOWLEDGED, type Sink } from './sink.port';

/** `syslog`: RFC 5424 over TCP or TLS with octet counting; CEF in the message when `format: cef`. */
export function createSyslogSink(config: SyslogSinkConfig, productVersion: string): Sink {
  const options: SiemMapOptions = { product: { ...DEFAULT_SIEM_PRODUCT, version: productVersion }, drop: config.drop };
  const header = { facility: config.facility, appName: config.appName, hostname: sanitizeHostname(config.hostname ?? osHostname()) };
  const connection = new SyslogConnection(config);
  const closing = new AbortController();

  const body = (event: AuthtrailEvent): string => {
    if (config.format === 'cef') return cefMessage(event, options.product, config.drop);
    switch (config.body) {
      case 'ocsf':
        return JSON.stringify(toOcsf(event, options));
      case 'ecs':
        return JSON.stringify(toEcs(event, options));
      case 'text':
        return textBody(event, config.drop);
    }
  };

  return {
    name: config.name,
    async deliver(items) {
      if (items.length === 0) return ACKNOWLEDGED;
      const frames = items.map(({ event }) => octetFrame(rfc5424Message(event, header, structuredData(event, config.enterpriseId, config.drop), body(event))));
      const outcome = await connection.send(Buffer.concat(frames), closing.signal);
      return outcome.ok ? ACKNOWLEDGED : { kind: 'unavailable', detail: outcome.detail };
    },
    async close() {
      closing.abort();
      connection.close();
    },
  };
}

/** HOSTNAME is printable US-ASCII without spaces, at most 255 (RFC 5424 §6.2.4). */
function sanitizeHostname(name: string): string {
  const clean = name.replace(/[^!-~]/g, '').slice(0, 255);
  return clean.length > 0 ? clean : '-';
}
