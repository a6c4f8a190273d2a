import { PROJECTOR_DEFAULTS, projectorConfigFromEnv, resolveProjectorConfig } from './projector.config';
import { progressLine } from './replay';

describe('projector configuration', () => {
  it('defaults to the decision and control topics and the shared dead-letter topic', () => {
    expect(resolveProjectorConfig()).toEqual(PROJECTOR_DEFAULTS);
    expect(PROJECTOR_DEFAULTS.topics).toEqual(['authtrail.decisions.v1', 'authtrail.control.v1']);
  });

  it.each([
    ['no brokers', { DATABASE_URL: 'postgres://x' }, /KAFKA_BROKERS/],
    ['no database', { KAFKA_BROKERS: 'a:1' }, /DATABASE_URL/],
    ['a group id with spaces', { KAFKA_BROKERS: 'a:1', DATABASE_URL: 'postgres://x', PROJECTOR_GROUP_ID: 'a b' }, /groupId/],
    ['a metrics port that is not a port', { KAFKA_BROKERS: 'a:1', DATABASE_URL: 'postgres://x', PROJECTOR_METRICS_PORT: '99999' }, /PROJECTOR_METRICS_PORT/],
  ])('the environment with %s is refused naming the key', (_name, env, message) => {
    expect(() => projectorConfigFromEnv(env)).toThrow(message);
  });

  it('reads brokers, topics and group from the environment', () => {
    expect(projectorConfigFromEnv({ KAFKA_BROKERS: 'a:1, b:2', DATABASE_URL: 'postgres://x', PROJECTOR_TOPICS: 't1,t2', PROJECTOR_GROUP_ID: 'g' })).toMatchObject({
      brokers: ['a:1', 'b:2'],
      topics: ['t1', 't2'],
      groupId: 'g',
    });
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
