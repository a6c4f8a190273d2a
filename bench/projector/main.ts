// bench/projector: how many decision events per second the projector sustains into Postgres
// (`projectRecords`, what the projector runs per batch: decoding overlapped with the COPY into
// `decision`, then the read-model upserts and the checkpoint, one transaction; and
// `ProjectionPipeline`, the same with the next batch decoded while the current one commits),
// against the baseline of a raw `COPY` of the same decision rows into a table of the same shape
// (`LIKE decision INCLUDING ALL`: same column types, same indexes), measured in the same run on
// the same server.
//
//   npx tsx bench/projector/main.ts
//   BENCH_EVENTS=200000 BENCH_BATCH=2000 DATABASE_URL=postgres://... npx tsx bench/projector/main.ts
//   BENCH_STATEMENTS=1 npx tsx bench/projector/main.ts     # + PostgreSQL time per statement (pg_stat_statements)
//
// Without DATABASE_URL an embedded PostgreSQL is started in a temporary directory (default
// settings: fsync on). Both sides commit per batch of BENCH_BATCH with synchronous_commit off.
// Targets: pipelined >= 0.5x the COPY of the same run (issue 19) and >= 20,000 events/s. The
// load average and the CPU per event (Node, and the embedded server's processes) are printed: on
// a shared machine other work skews the rates far more than the CPU (see docs/read-models.md).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { encodeEvent, TOPICS, type AuthtrailEvent } from '@authtrail/events';
import { ChainWriter } from '@authtrail/integrity';
import type { ConsumedRecord } from '@authtrail/event-bus';
import { openReadModel, runMigrations, startEmbeddedPostgres, type DecisionRow } from '@authtrail/read-model';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { projectRecords, type BatchPosition, type RecordsProjection } from '../../services/projector/src/batch.handler';
import { ProjectionPipeline } from '../../services/projector/src/projection.pipeline';
import { toDecisionRow } from '../../services/projector/src/event.rows';
import { generateEvents, isDecision } from '../../services/projector/testdata/event-generator';
import { postgresBoundCeiling } from './ceiling';
import { backendCpuMicros, nodeCpuMicros, postgresCpuMicros } from './cpu-usage';
import { loadStatementStatsAtNextStart, resetStatementStats, statementBreakdown } from './statement-stats';
import { storedBytesPerRecord } from './stored-bytes';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 40_000);
const BATCH = Number(process.env['BENCH_BATCH'] ?? 2_000);
const STATEMENTS = process.env['BENCH_STATEMENTS'] === '1';
const log = (line: string): void => void process.stdout.write(`${line}\n`);

/** COPY text format: backslash, tab, newline and CR escaped; \N is NULL. */
function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const text = Array.isArray(value)
    ? `{${value.map((v) => `"${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

const COLUMNS: readonly (keyof DecisionRow)[] = ['id', 'time', 'decision', 'httpStatus', 'reason', 'strategy', 'username', 'claimed', 'groups', 'sourceIp', 'userAgent', 'endpoint', 'credentialFingerprint', 'credentialType', 'policyVersion', 'instance', 'sequence', 'payload'];
const SQL_COLUMNS = 'id, time, decision, http_status, reason, strategy, username, claimed, groups, source_ip, user_agent, endpoint, credential_fingerprint, credential_type, policy_version, instance, sequence, payload';

async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function main(): Promise<void> {
  let stopPostgres = async (): Promise<void> => undefined;
  let serverUrl = process.env['DATABASE_URL'];
  let dataDir: string | undefined;
  let serverCpu = (): number | undefined => undefined;
  let backendCpu = (_database: string): number | undefined => undefined;
  if (!serverUrl) {
    dataDir = mkdtempSync(path.join(tmpdir(), 'bench-projector-'));
    log(`[bench] starting embedded PostgreSQL in ${dataDir}`);
    let pg = await startEmbeddedPostgres({ dataDir });
    if (STATEMENTS) {
      await loadStatementStatsAtNextStart(pg.url);
      await pg.stop();
      pg = await startEmbeddedPostgres({ dataDir });
    }
    const running = pg;
    serverUrl = pg.url;
    stopPostgres = () => running.stop();
    serverCpu = () => postgresCpuMicros(running.clusterDir);
    backendCpu = (database) => backendCpuMicros(running.clusterDir, database);
  }
  try {
    log(`[bench] load average at the start: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine skews every figure)`);
    log(`[bench] generating ${EVENTS} decision events (+ control events)`);
    // Chained as authn publishes them (docs/integrity.md): the projector stores each record's link too.
    const chain = new ChainWriter({ instance: 'bench-authn', boot: '019af2b0-0000-7000-8000-0000000000b1' });
    const events = generateEvents(EVENTS, { seed: 1 }).map((event): AuthtrailEvent => {
      const chained = { ...event, ...chain.next() };
      chain.commit(encodeEvent(chained), chained.time);
      return chained;
    });
    // On the production topic: its name is stored in every link row and its key.
    const records: ConsumedRecord[] = events.map((e, i) => ({ topic: TOPICS.decisions, partition: 0, offset: String(i), key: null, value: encodeEvent(e), headers: {}, timestamp: '0' }));
    const decisions = events.filter(isDecision);
    const bytes = records.reduce((n, r) => n + (r.value?.length ?? 0), 0);
    log(`[bench] ${records.length} records, ${(bytes / 1024 / 1024).toFixed(1)} MiB of CloudEvents JSON, batches of ${BATCH}`);

    const suffix = randomBytes(3).toString('hex');
    const databases: string[] = [];
    const freshDatabase = async (): Promise<string> => {
      const name = `bench_projector_${suffix}_${databases.length}`;
      databases.push(name);
      const url = await createDatabase(serverUrl, name);
      await runMigrations(url);
      return url;
    };
    const url = await freshDatabase();

    // Baseline: raw COPY of the same decision rows into a copy of the decision table.
    const rows = decisions.map(toDecisionRow);
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE decision_copy (LIKE decision INCLUDING ALL)');
    // Same commit mode as the projector's transactions (see batch.handler.ts).
    await client.query('SET synchronous_commit TO off');
    log('[bench] baseline: raw COPY of the same decision rows (COPY text built beforehand), one COPY + COMMIT per batch ...');
    const parts: string[] = [];
    for (let i = 0; i < rows.length; i += BATCH) {
      parts.push(rows.slice(i, i + BATCH).map((r) => COLUMNS.map((c) => copyField(r[c])).join('\t')).join('\n') + '\n');
    }
    const cpuAt = (): { node: number; pg: number | undefined } => ({ node: nodeCpuMicros(), pg: serverCpu() });
    // CPU per event of a phase: Node (this process) and PostgreSQL (every server process).
    const cpuSince = (from: { node: number; pg: number | undefined }, events: number): string => {
      const now = cpuAt();
      const pg = now.pg !== undefined && from.pg !== undefined ? `${((now.pg - from.pg) / events).toFixed(0)} µs` : 'n/a (external server)';
      return `CPU per event: Node ${((now.node - from.node) / events).toFixed(0)} µs, PostgreSQL ${pg}`;
    };
    const databaseOf = (databaseUrl: string): string => new URL(databaseUrl).pathname.slice(1);
    /** Backend CPU per event since `from` (the statements' own work), undefined on an external server. */
    const backendSince = (database: string, from: number | undefined, events: number): number | undefined => {
      const now = backendCpu(database);
      return now === undefined || from === undefined ? undefined : (now - from) / events;
    };
    let cpu = cpuAt();
    const copyBackendAtStart = backendCpu(databaseOf(url));
    const copyStarted = performance.now();
    for (const [n, part] of parts.entries()) {
      await client.query('BEGIN');
      await pipeline(Readable.from([part]), client.query(copyFrom(`COPY decision_copy (${SQL_COLUMNS}) FROM STDIN`)));
      await client.query('COMMIT');
      if (n % 10 === 0) log(`[bench]   copy ${Math.min((n + 1) * BATCH, rows.length)}/${rows.length}`);
    }
    const copySeconds = (performance.now() - copyStarted) / 1000;
    const copyRate = rows.length / copySeconds;
    const copyBackend = backendSince(databaseOf(url), copyBackendAtStart, rows.length);
    log(`[bench] COPY: ${rows.length} rows in ${copySeconds.toFixed(2)} s = ${Math.round(copyRate)} rows/s; ${cpuSince(cpu, rows.length)}${copyBackend === undefined ? '' : ` (its backend ${copyBackend.toFixed(0)} µs)`}`);
    await client.end();

    // The projector, one batch at a time (what the live projector does: the bus hands it one
    // batch per partition and waits), then pipelined, each into a database of its own.
    const position = (i: number, count: number): BatchPosition => ({
      groupId: 'bench', topic: TOPICS.decisions, partition: 0, nextOffset: String(i + count), highWatermark: String(records.length), continuesCheckpoint: String(i),
    });
    const measure = async (label: string, database: string, project: (batch: ConsumedRecord[], at: BatchPosition) => Promise<RecordsProjection | undefined>, drain: () => Promise<RecordsProjection | undefined>): Promise<{ rate: number; backendMicros: number | undefined }> => {
      log(`[bench] ${label} ...`);
      cpu = cpuAt();
      const backendAtStart = backendCpu(database);
      const begun = performance.now();
      let done = 0;
      const count = (r: RecordsProjection | undefined): void => void (done += r?.outcome.projected ?? 0);
      for (let i = 0; i < records.length; i += BATCH) {
        const batch = records.slice(i, i + BATCH);
        count(await project(batch, position(i, batch.length)));
        if ((i / BATCH) % 5 === 0) log(`[bench]   projected ${done}/${records.length} (${Math.round(done / ((performance.now() - begun) / 1000))} events/s)`);
      }
      count(await drain());
      const seconds = (performance.now() - begun) / 1000;
      const rate = done / seconds;
      const backendMicros = backendSince(database, backendAtStart, done);
      log(`[bench] ${label}: ${done} events in ${seconds.toFixed(2)} s = ${Math.round(rate)} events/s, ratio to COPY ${(rate / copyRate).toFixed(2)}; ${cpuSince(cpu, done)}${backendMicros === undefined ? '' : ` (its backends ${backendMicros.toFixed(0)} µs)`}`);
      return { rate, backendMicros };
    };

    let databaseUrl = await freshDatabase();
    let db = await openReadModel(databaseUrl);
    const { rate: serialRate } = await measure('projector, one batch at a time (projectRecords: decoding overlapped with the COPY)', databaseOf(databaseUrl), (batch, at) => projectRecords(db, batch, at), async () => undefined);
    await db.destroy();

    databaseUrl = await freshDatabase();
    db = await openReadModel(databaseUrl);
    if (STATEMENTS) await resetStatementStats(db);
    const pipelined = new ProjectionPipeline(db);
    let inFlight: Promise<RecordsProjection> | undefined;
    // Depth 2, as a consumer loop would run it: batch N+1 is submitted (and decodes) while N is written.
    const { rate: projectorRate, backendMicros: projectorBackend } = await measure(
      'projector, pipelined (ProjectionPipeline: the next batch decoded while the current one commits)',
      databaseOf(databaseUrl),
      async (batch, at) => {
        const previous = inFlight;
        inFlight = pipelined.submit(batch, at);
        return previous;
      },
      async () => inFlight,
    );
    log(`[bench] PostgreSQL after the pipelined run: ${await storedBytesPerRecord(db, records.length)}`);
    if (STATEMENTS) for (const line of await statementBreakdown(db, records.length)) log(`[bench]   ${line}`);

    // Redelivery: the same records again are all duplicates and change nothing.
    const started = performance.now();
    let duplicates = 0;
    for (let i = 0; i < records.length; i += BATCH) {
      const { outcome } = await projectRecords(db, records.slice(i, i + BATCH), undefined);
      duplicates += outcome.duplicates;
    }
    const dupSeconds = (performance.now() - started) / 1000;
    log(`[bench] redelivery of all ${duplicates} records (all duplicates): ${Math.round(duplicates / dupSeconds)} events/s`);
    await db.destroy();

    const ceiling = projectorBackend === undefined || copyBackend === undefined ? undefined : postgresBoundCeiling(projectorBackend, copyBackend, copyRate);
    const ratio = projectorRate / copyRate;
    log('');
    log(`[bench] RESULT projector ${Math.round(projectorRate)} events/s pipelined (${Math.round(serialRate)} one batch at a time); raw COPY ${Math.round(copyRate)} rows/s; ratio projector/COPY = ${ratio.toFixed(2)} (one at a time ${(serialRate / copyRate).toFixed(2)}); target >= 0.5: ${ratio >= 0.5 ? 'met' : ceiling === undefined ? 'NOT met' : ceiling.ratio < 0.5 ? 'NOT met: out of reach, PostgreSQL\'s work per event stops it (ceiling below)' : 'NOT met: within the ceiling below'}`);
    if (ceiling) log(`[bench] ${ceiling.text}`);
    log(`[bench] target >= 20000 events/s: ${projectorRate >= 20_000 ? 'met' : 'NOT met'} on this machine (load average affects it; see docs/read-models.md)`);
    log(`[bench] load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    for (const name of databases) await admin.query(`DROP DATABASE "${name}"`);
    await admin.end();
  } finally {
    await stopPostgres();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
