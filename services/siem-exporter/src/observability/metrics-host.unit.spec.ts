import { loadConfig } from '@authtrail/config';
import { parseSiemConfig } from '../siem.config';

function listenerOf(env: Record<string, string>, file = ''): unknown {
  const config = loadConfig({ argv: ['--config', '/etc/authtrail/authtrail.yaml'], env, readFile: () => file });
  const parsed = parseSiemConfig(config.siem);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.config.metrics;
}

describe('siem.metrics listener', () => {
  it('binds loopback on its default port unless told otherwise', () => {
    expect(listenerOf({})).toEqual({ host: '127.0.0.1', port: 9464 });
  });

  it('SIEM_METRICS_HOST and SIEM_METRICS_PORT override the file (containers: 0.0.0.0:9466)', () => {
    const file = 'siem:\n  metrics: { host: 127.0.0.1, port: 9999 }\n  sinks: [{ type: kafka-ocsf }]\n';
    expect(listenerOf({ SIEM_METRICS_HOST: '0.0.0.0', SIEM_METRICS_PORT: '9466' }, file)).toEqual({ host: '0.0.0.0', port: 9466 });
  });

  it('a port that is not a number is refused, the variable named', () => {
    expect(() => listenerOf({ SIEM_METRICS_PORT: 'ninety' })).toThrow(/SIEM_METRICS_PORT|siem\.metrics\.port/);
  });
});
