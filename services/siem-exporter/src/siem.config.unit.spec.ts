import fc from 'fast-check';
import { parseSiemConfig } from './siem.config';

describe('siem config', () => {
  it('an absent section means no sinks, with every default filled', () => {
    const result = parseSiemConfig(undefined);
    expect(result).toEqual({
      ok: true,
      config: {
        enabled: true,
        groupId: 'authtrail-siem-exporter',
        clientId: 'authtrail-siem-exporter',
        topics: { decisions: 'authtrail.decisions.v1', control: 'authtrail.control.v1', deadLetter: 'authtrail.dead-letter.v1' },
        includeControl: true,
        retry: { initialDelayMs: 200, maxDelayMs: 30_000 },
        metrics: { port: 9464, host: '127.0.0.1' },
        productVersion: '0.1.0',
        sinks: [],
      },
    });
  });

  it('each sink type gets its defaults and a name from its type and position', () => {
    const result = parseSiemConfig({
      sinks: [
        { type: 'kafka-ocsf' },
        { type: 'kafka-ecs', name: 'elastic', filter: { decisions: ['deny'] }, drop: ['username'] },
        { type: 'syslog', host: '127.0.0.1', port: 6514, transport: 'tls', tls: { caFile: '/ca.pem' }, format: 'cef' },
        { type: 'splunk-hec', url: 'https://splunk:8088/services/collector/event', tokenEnv: 'HEC_TOKEN' },
      ],
    });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.config.sinks).toEqual([
      { type: 'kafka-ocsf', name: 'kafka-ocsf-0', topic: 'authtrail.ocsf.v1', filter: { control: true }, drop: [] },
      { type: 'kafka-ecs', name: 'elastic', topic: 'authtrail.ecs.v1', filter: { decisions: ['deny'], control: true }, drop: ['username'] },
      {
        type: 'syslog', name: 'syslog-2', host: '127.0.0.1', port: 6514, transport: 'tls', tls: { caFile: '/ca.pem', rejectUnauthorized: true }, format: 'cef', body: 'text',
        facility: 10, appName: 'authtrail', enterpriseId: 32473, connectTimeoutMs: 5000, confirmWindowMs: 100, filter: { control: true }, drop: [],
      },
      {
        type: 'splunk-hec', name: 'splunk-hec-3', url: 'https://splunk:8088/services/collector/event', tokenEnv: 'HEC_TOKEN', format: 'ocsf', source: 'authtrail',
        batchSize: 100, maxBatchBytes: 1_000_000, timeoutMs: 10_000, filter: { control: true }, drop: [],
      },
    ]);
  });

  const invalid: readonly [string, unknown, string][] = [
    ['an unknown top-level key is named', { sink: [] }, 'siem.sink: unknown key'],
    ['an unknown sink type lists the known ones', { sinks: [{ type: 'webhook' }] }, 'siem.sinks[0].type: must be one of kafka-ocsf, kafka-ecs, syslog, splunk-hec'],
    ['a syslog port out of range names the sink index', { sinks: [{ type: 'kafka-ocsf' }, { type: 'syslog', host: 'h', port: 70000 }] }, 'siem.sinks[1].port: must be <= 65535'],
    ['a missing syslog host is required', { sinks: [{ type: 'syslog', port: 514 }] }, 'siem.sinks[0].host: is required'],
    ['an unknown key inside a sink is named', { sinks: [{ type: 'kafka-ecs', topics: 'x' }] }, 'siem.sinks[0].topics: unknown key'],
    ['a bad duration says what a duration looks like', { retry: { maxDelay: '30 seconds' } }, 'siem.retry.maxDelay: must be a duration such as 500ms, 10s, 1m'],
    ['an unknown filter decision is refused', { sinks: [{ type: 'kafka-ocsf', filter: { decisions: ['maybe'] } }] }, 'siem.sinks[0].filter.decisions[0]: must be one of allow, deny'],
    ['an unknown privacy field is refused', { sinks: [{ type: 'kafka-ocsf', drop: ['password'] }] }, 'siem.sinks[0].drop[0]: must be one of username, uid, groups, extra, sourceIp, userAgent, path, message'],
    ['a HEC sink without a token source is refused', { sinks: [{ type: 'splunk-hec', url: 'http://h:8088/services/collector/event' }] }, 'siem.sinks[0]: exactly one of token, tokenFile, tokenEnv is required'],
    ['a HEC URL with credentials in it is refused', { sinks: [{ type: 'splunk-hec', url: 'https://u:p@h:8088/x', token: 't' }] }, 'siem.sinks[0].url: must match pattern "^https?://[^@/]+/"'],
    ['two sinks with one name are refused', { sinks: [{ type: 'kafka-ocsf', name: 'a' }, { type: 'kafka-ecs', name: 'a' }] }, 'siem.sinks[1].name: "a" is used by another sink'],
    ['tls settings on a plain tcp syslog sink are refused', { sinks: [{ type: 'syslog', host: 'h', port: 514, tls: {} }] }, 'siem.sinks[0].tls: only with transport: tls'],
    ['a section that is not an object is refused', 'yes', 'siem: must be object'],
  ];
  it.each(invalid)('%s', (_name, raw, error) => {
    const result = parseSiemConfig(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toContain(error);
  });

  it('a HEC token given inline never appears in an error message', () => {
    const result = parseSiemConfig({ sinks: [{ type: 'splunk-hec', url: 'ftp://nope', token: 'hec-secret-value-123' }] });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('hec-secret-value-123');
  });

  it('any JSON value is either a config or a list of errors that each name a siem key; it never throws', () => {
    const sinkLike = fc.record({ type: fc.constantFrom('kafka-ocsf', 'kafka-ecs', 'syslog', 'splunk-hec', 'other'), host: fc.string(), port: fc.integer(), url: fc.string(), token: fc.string(), filter: fc.jsonValue() }, { requiredKeys: ['type'] });
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ sinks: fc.array(fc.oneof(sinkLike, fc.jsonValue()), { maxLength: 4 }), retry: fc.jsonValue() }, { requiredKeys: [] })), (raw) => {
        const result = parseSiemConfig(raw);
        if (!result.ok) for (const error of result.errors) expect(error).toMatch(/^siem(\.|\[|:)/);
      }),
      { numRuns: 300 },
    );
  });
});
