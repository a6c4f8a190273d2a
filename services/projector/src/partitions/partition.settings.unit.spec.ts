import { readConfig } from '@authtrail/config';
import { partitionSettingsOf } from './partition.settings';

const load = (yaml: string, env: Record<string, string> = {}) => readConfig({ argv: ['--config', '/etc/authtrail.yaml'], env, readFile: () => yaml });
const DAY = 86_400_000;

describe('readModels config → partition settings', () => {
  it('defaults: monthly partitions, three ahead, hourly rounds, decisions kept forever', () => {
    const result = load('{}\n');
    if (!result.ok) throw new Error(result.errors.join('; '));
    expect(partitionSettingsOf(result.config.readModels)).toEqual({ partitioning: 'monthly', partitionsAhead: 3, maintenanceIntervalMs: 3_600_000 });
  });

  it('daily partitions and a 400-day retention, from the file and from the environment', () => {
    const file = load('readModels:\n  partitioning: daily\n  partitionsAhead: 7\n  maintenanceInterval: 10m\n  retention:\n    decisions: 400d\n');
    if (!file.ok) throw new Error(file.errors.join('; '));
    expect(partitionSettingsOf(file.config.readModels)).toEqual({ partitioning: 'daily', partitionsAhead: 7, maintenanceIntervalMs: 600_000, retentionMs: 400 * DAY });
    const env = load('{}\n', { READ_MODELS_PARTITIONING: 'daily', READ_MODELS_RETENTION_DECISIONS: '30d' });
    if (!env.ok) throw new Error(env.errors.join('; '));
    expect(partitionSettingsOf(env.config.readModels)).toMatchObject({ partitioning: 'daily', retentionMs: 30 * DAY });
  });

  it.each([
    ['an unknown period', 'readModels:\n  partitioning: weekly\n', /readModels\.partitioning/],
    ['a retention shorter than a day', 'readModels:\n  retention:\n    decisions: 12h\n', /readModels\.retention\.decisions.*at least 1d/],
    ['a retention that is not a duration', 'readModels:\n  retention:\n    decisions: forever\n', /readModels\.retention\.decisions.*duration/],
    ['no partition ahead', 'readModels:\n  partitionsAhead: 0\n', /readModels\.partitionsAhead/],
    ['an unknown key', 'readModels:\n  retention:\n    controls: 30d\n', /readModels\.retention.*controls/],
  ])('%s is refused, naming the key', (_name, yaml, message) => {
    const result = load(yaml);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join('\n')).toMatch(message);
  });
});
