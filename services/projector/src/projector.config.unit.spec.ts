import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@authtrail/config';
import { PROJECTOR_DEFAULTS, resolveProjectorConfig, standaloneProjectorConfig } from './projector.config';
import { progressLine } from './replay';

describe('projector configuration', () => {
  it('defaults to the decision and control topics and the shared dead-letter topic', () => {
    expect(resolveProjectorConfig()).toEqual(PROJECTOR_DEFAULTS);
    expect(PROJECTOR_DEFAULTS.topics).toEqual(['authtrail.decisions.v1', 'authtrail.control.v1']);
  });

  const configOf = (env: Record<string, string>, yaml?: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'projector-config-'));
    const file = join(dir, 'authtrail.yaml');
    if (yaml !== undefined) writeFileSync(file, yaml);
    return standaloneProjectorConfig(loadConfig({ argv: yaml === undefined ? [] : ['--config', file], env, cwd: dir }));
  };

  it.each([
    ['no brokers', { DATABASE_URL: 'postgres://x' }, /events\.kafka\.brokers.*KAFKA_BROKERS/],
    ['no database', { KAFKA_BROKERS: 'a:1' }, /database\.url.*DATABASE_URL/],
    ['a group id with spaces', { KAFKA_BROKERS: 'a:1', DATABASE_URL: 'postgres://x', PROJECTOR_GROUP_ID: 'a b' }, /projector\.groupId/],
    ['a metrics port that is not a port', { KAFKA_BROKERS: 'a:1', DATABASE_URL: 'postgres://x', PROJECTOR_METRICS_PORT: '99999' }, /PROJECTOR_METRICS_PORT|projector\.metricsPort/],
  ])('the environment with %s is refused naming the key', (_name, env, message) => {
    expect(() => configOf(env)).toThrow(message);
  });

  it('reads brokers, topics and group from the environment', () => {
    expect(configOf({ KAFKA_BROKERS: 'a:1, b:2', DATABASE_URL: 'postgres://x', PROJECTOR_TOPICS: 't1,t2', PROJECTOR_GROUP_ID: 'g' })).toMatchObject({
      brokers: ['a:1', 'b:2'],
      topics: ['t1', 't2'],
      groupId: 'g',
    });
  });

  it('reads the config file, and the environment wins over it (DESIGN §8)', () => {
    const yaml = ['events: { kafka: { brokers: [file:9092] } }', 'database: { url: postgres://file/db }', 'projector: { groupId: from-file, metricsPort: 9465 }', 'log: { level: warn }'].join('\n');
    expect(configOf({}, yaml)).toMatchObject({ brokers: ['file:9092'], databaseUrl: 'postgres://file/db', groupId: 'from-file', metricsPort: 9465, logLevel: 'warn', topics: PROJECTOR_DEFAULTS.topics });
    expect(configOf({ KAFKA_BROKERS: 'env:9092', PROJECTOR_GROUP_ID: 'from-env' }, yaml)).toMatchObject({ brokers: ['env:9092'], groupId: 'from-env' });
  });

  it('a bad key in the file is refused naming the key and the file', () => {
    expect(() => configOf({}, 'projector: { topics: [] }\n')).toThrow(/authtrail\.yaml.*projector\.topics/s);
  });
});

describe('progressLine', () => {
  it.each([
    [{ source: 'decision', done: 50, total: 200 }, '[replay] decision [########......................] 50/200 (25%)'],
    [{ source: 'topic', done: 7 }, '[replay] topic: 7 events'],
  ])('renders %j', (progress, line) => {
    expect(progressLine(progress)).toBe(line);
  });
});
