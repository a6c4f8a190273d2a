import path from 'node:path';
import { createKafkaBus } from '@authtrail/event-bus';
import { progressLine, replayFromDatabase, replayFromKafka, resolveProjectorConfig } from '@authtrail/projector';
import { openReadModel, runMigrations, startEmbeddedPostgres } from '@authtrail/read-model';
import { UsageError, type Command } from '../cli-io';
import { commandConfig } from '../config-loading';
import { parseOptions } from '../parse-options';

const USAGE = `authtrail replay [--config FILE] [--from database|kafka]

Rebuilds every read model from the events, with a progress bar and a final count. --from kafka
(the default when the config names Kafka) reads the topics from the beginning; --from database
re-folds the stored decision and control events. Stop the projector first (for the embedded
database: stop npm start).`;

export const replayCommand: Command = {
  name: 'replay',
  summary: 'rebuild the read models from the events',
  usage: USAGE,
  async run(args, io) {
    const o = parseOptions(args, { config: { type: 'string', short: 'c' }, from: { type: 'string' } });
    const config = commandConfig(o.config, io);
    const from = o.from ?? (config.events.kafka ? 'kafka' : 'database');
    if (from !== 'kafka' && from !== 'database') throw new UsageError(`--from: "${from}" is not one of database, kafka`);
    const kafka = config.events.kafka;
    if (from === 'kafka' && !kafka) throw new UsageError('--from kafka: the config names no Kafka brokers (events.kafka.brokers or KAFKA_BROKERS)');

    const embedded = config.database.url ? undefined : await startEmbeddedPostgres({ dataDir: config.dataDir });
    const url = config.database.url ?? embedded?.url ?? '';
    const bus = from === 'kafka' && kafka ? createKafkaBus({ brokers: kafka.brokers, clientId: `${kafka.clientId}-replay`, mode: 'strict', spoolDir: path.join(config.dataDir, 'spool', 'replay') }) : undefined;
    try {
      await runMigrations(url);
      const db = await openReadModel(url, { applicationName: 'authtrail-replay' });
      try {
        const started = Date.now();
        const onProgress = (p: Parameters<typeof progressLine>[0]) => io.stderr(`${progressLine(p)}\n`);
        const result = bus ? await replayFromKafka(db, bus.subscriber, resolveProjectorConfig(), { onProgress }) : await replayFromDatabase(db, { onProgress });
        io.stdout(`replayed ${result.events} events from ${from} (${result.skipped} undecodable records skipped) in ${Date.now() - started} ms\n`);
      } finally {
        await db.destroy();
      }
    } finally {
      await bus?.close();
      await embedded?.stop();
    }
  },
};
