import { PUBLISHER_DEFAULTS, resolvePublisherSettings, type KafkaBusOptions } from './kafka-bus.config';

const base: KafkaBusOptions = { brokers: ['127.0.0.1:9092'], clientId: 'test', spoolDir: '/tmp/x' };

describe('Kafka bus options', () => {
  it('absent options take the documented defaults', () => {
    expect(resolvePublisherSettings(base)).toEqual(PUBLISHER_DEFAULTS);
  });

  it('given options win over the defaults', () => {
    expect(resolvePublisherSettings({ ...base, mode: 'strict', batch: { maxRecords: 10, maxBytes: 4_096 }, strictTimeoutMs: 100 })).toMatchObject({
      mode: 'strict',
      maxRecords: 10,
      maxBatchBytes: 4_096,
      lingerMs: PUBLISHER_DEFAULTS.lingerMs,
      strictTimeoutMs: 100,
    });
    expect(resolvePublisherSettings({ ...base, compression: 'gzip', producerEncoding: 'kafkajs' })).toMatchObject({ compression: 'gzip', encoding: 'kafkajs' });
  });

  const invalid: ReadonlyArray<readonly [string, Partial<KafkaBusOptions>, string]> = [
    ['a zero batch size is refused', { batch: { maxRecords: 0 } }, 'maxRecords'],
    ['a zero batch byte limit is refused', { batch: { maxBytes: 0 } }, 'maxBatchBytes'],
    ['a fractional memory buffer is refused', { memoryBufferRecords: 1.5 }, 'memoryBufferRecords'],
    ['a negative linger is refused', { batch: { lingerMs: -1 } }, 'lingerMs'],
    ['a negative spool size is refused', { spoolMaxBytes: -1 }, 'spoolMaxBytes'],
    ['a zero strict timeout is refused', { strictTimeoutMs: 0 }, 'strictTimeoutMs'],
    ['an unknown mode is refused', { mode: 'eventual' as never }, 'mode'],
    ['an empty broker list is refused', { brokers: [] }, 'brokers'],
    ['a compression kafkajs does not ship is refused', { compression: 'zstd' as never }, 'compression'],
    ['an unknown producer encoding is refused', { producerEncoding: 'native' as never }, 'producerEncoding'],
  ];
  it.each(invalid)('%s, naming the option', (_case, options, name) => {
    expect(() => resolvePublisherSettings({ ...base, ...options })).toThrow(new RegExp(name));
  });
});
