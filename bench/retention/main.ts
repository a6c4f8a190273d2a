// bench/retention: what the partitioned `decision` table costs to set up and to retire
// (docs/read-models.md "Partitions and retention"). One run, on one server:
// 1. fills `decision` and the read models the production way (`projectRecords`, batches of 2,000)
//    with BENCH_EVENTS decisions spread over five UTC days;
// 2. a maintenance round with daily partitions and no retention: every row is a stray (no
//    partition for 2031 yet) and moves out of the default partition into its day's partition;
// 3. a round with a 1-day retention: four of the five days are retired (detach, fold into
//    `decision_rollup`, drop), timed;
// 4. `replay --from=database` (rollup + retained day), timed, and checked against the aggregates
//    the projector kept (they must be equal: the aggregate rule; exit 1 otherwise);
// 5. migration PartitionDecisionsByTime down (rows into one plain table) and up again (rows into
//    monthly partitions) on the rows left, each timed.
//
//   npx tsx bench/retention/main.ts          BENCH_EVENTS=200000 DATABASE_URL=postgres://… npx tsx bench/retention/main.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { encodeEvent } from '@authtrail/events';
import type { ConsumedRecord } from '@authtrail/event-bus';
import { createDataSource, openReadModel, runMigrations, startEmbeddedPostgres } from '@authtrail/read-model';
import { Client } from 'pg';
import { PartitionDecisionsByTime1798934400000 } from '../../libs/read-model/src/migrations/1798934400000-PartitionDecisionsByTime';
import { projectRecords } from '../../services/projector/src/batch.handler';
import { runPartitionMaintenance } from '../../services/projector/src/partitions/partition-maintenance';
import { replayFromDatabase } from '../../services/projector/src/replay';
import { generateEvents, isDecision } from '../../services/projector/testdata/event-generator';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 100_000);
const DAYS = ['2031-05-05', '2031-05-06', '2031-05-07', '2031-05-08', '2031-05-09'];
const NOW = Date.parse('2031-05-10T12:00:00Z');
const DAY = 86_400_000;
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const rate = (n: number, ms: number): string => `${Math.round((n * 1000) / Math.max(1, ms)).toLocaleString('en-US')}/s`;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: Math.round(performance.now() - started) };
}

async function aggregates(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const parts: string[] = [];
    for (const [table, order] of [['identity', 'username'], ['credential', 'fingerprint'], ['credential_source_ip', 'fingerprint, source_ip'], ['failure_bucket', 'bucket_key'], ['producer_sequence', 'instance, boot']]) {
      const { rows } = await client.query<{ v: string }>(`SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY ${order}), '')) AS v FROM ${table} t`);
      parts.push(`${table}:${rows[0].v}`);
    }
    return parts.join(' ');
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  let url = process.env['DATABASE_URL'];
  let stop = async (): Promise<void> => undefined;
  let dataDir: string | undefined;
  if (!url) {
    dataDir = mkdtempSync(path.join(tmpdir(), 'bench-retention-'));
    const pg = await startEmbeddedPostgres({ dataDir });
    url = pg.url;
    stop = () => pg.stop();
  }
  const admin = new Client({ connectionString: url });
  await admin.connect();
  const name = `bench_retention_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  url = dbUrl.toString();
  try {
    log(`[bench] load average at the start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    await runMigrations(url);
    const db = await openReadModel(url);
    const perDay = Math.ceil(EVENTS / DAYS.length);
    const events = DAYS.flatMap((day, i) => generateEvents(perDay, { seed: 10 + i, start: new Date(`${day}T06:00:00Z`) }));
    const decisions = events.filter(isDecision).length;
    const fill = await timed(async () => {
      for (let i = 0; i < events.length; i += 2_000) {
        const records: ConsumedRecord[] = events.slice(i, i + 2_000).map((e, n) => ({ topic: 'b', partition: 0, offset: String(i + n), key: null, value: encodeEvent(e), headers: {}, timestamp: '0' }));
        const next = String(i + records.length);
        await projectRecords(db, records, { groupId: 'b', topic: 'b', partition: 0, nextOffset: next, highWatermark: next });
      }
    });
    log(`[bench] filled ${decisions} decisions over ${DAYS.length} days through projectRecords in ${fill.ms} ms (${rate(decisions, fill.ms)}); all in decision_default (no partition for 2031 yet)`);

    const before = await aggregates(url);
    const settings = { partitioning: 'daily', partitionsAhead: 3, maintenanceIntervalMs: 3_600_000 } as const;
    const strays = await timed(() => runPartitionMaintenance(db, settings, NOW));
    log(`[bench] maintenance round without retention: ${strays.ms} ms; created ${strays.value.created.length} partitions, moved ${strays.value.moved} strays out of decision_default (${rate(strays.value.moved, strays.ms)})`);
    const round = await timed(() => runPartitionMaintenance(db, { ...settings, retentionMs: DAY }, NOW));
    log(`[bench] maintenance round with a 1-day retention: ${round.ms} ms; retired ${round.value.retired.length} partitions (detach, fold, drop), ${round.value.folded} events folded into decision_rollup (${rate(round.value.folded, round.ms)})`);
    const after = await aggregates(url);
    const replay = await timed(() => replayFromDatabase(db));
    const replayed = await aggregates(url);
    log(`[bench] replay --from=database (rollup + retained window): ${replay.ms} ms for ${replay.value.events} stored events`);
    log(`[bench] aggregates kept through retention: ${after === before ? 'equal' : 'DIFFERENT'}; after the replay: ${replayed === before ? 'equal' : 'DIFFERENT'}`);

    // The migration alone, both ways, on what is left (a data source of its own for its query runner).
    const [kept] = await db.query<{ n: string }[]>(`SELECT count(*)::text AS n FROM decision`);
    const rows = Number(kept?.n ?? 0);
    const migration = new PartitionDecisionsByTime1798934400000();
    const source = createDataSource(url, { poolSize: 1 });
    await source.initialize();
    const runner = source.createQueryRunner();
    const inTx = async (work: () => Promise<void>) => {
      await runner.startTransaction();
      await work();
      await runner.commitTransaction();
    };
    const down = await timed(() => inTx(() => migration.down(runner)));
    const up = await timed(() => inTx(() => migration.up(runner)));
    await runner.release();
    await source.destroy();
    log(`[bench] migration on ${rows} rows: down (partitioned → plain) ${down.ms} ms (${rate(rows, down.ms)}); up (plain → monthly partitions) ${up.ms} ms (${rate(rows, up.ms)})`);
    log(`[bench] load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    await db.destroy();
    if (after !== before || replayed !== before) process.exitCode = 1;
  } finally {
    await stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
