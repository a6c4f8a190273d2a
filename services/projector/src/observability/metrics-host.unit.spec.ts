import { loadConfig } from '@authtrail/config';
import { standaloneProjectorConfig } from '../projector.config';

const required = { KAFKA_BROKERS: 'kafka:9092', DATABASE_URL: 'postgres://db/authtrail' };

describe('projector.metricsHost', () => {
  it('binds loopback unless told otherwise', () => {
    expect(standaloneProjectorConfig(loadConfig({ argv: [], env: required })).metricsHost).toBe('127.0.0.1');
  });

  it('PROJECTOR_METRICS_HOST moves it (containers: 0.0.0.0)', () => {
    expect(standaloneProjectorConfig(loadConfig({ argv: [], env: { ...required, PROJECTOR_METRICS_HOST: '0.0.0.0' } })).metricsHost).toBe('0.0.0.0');
  });

  it('an empty host in the file is refused, the key named', () => {
    const readFile = () => 'projector: { metricsHost: "" }\n';
    expect(() => loadConfig({ argv: ['--config', '/etc/authtrail/authtrail.yaml'], env: required, readFile })).toThrow(/projector\.metricsHost/);
  });
});
