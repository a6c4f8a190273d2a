// bench/projector: how many decision events per second the projector sustains into Postgres
// (`projectRecords`, what the projector runs per batch: decoding overlapped with the COPY into
// `decision`, then the read-model upserts and the checkpoint, one transaction),
// against the baseline of a raw `COPY` of the same decision rows into a table of the same shape
// (`LIKE decision INCLUDING ALL`: same column types, same indexes), measured in the same run on
// the same server.
//
//   npx tsx bench/projector/main.ts
//   BENCH_EVENTS=200000 BENCH_BATCH=2000 DATABASE_URL=postgres://... npx tsx bench/projector/main.ts
//
// Without DATABASE_URL an embedded PostgreSQL is started in a temporary directory (default
// settings: fsync on). Both sides commit per batch of BENCH_BATCH with synchronous_commit off.
// Target: >= 20,000 events/s. The load average is printed: on a shared machine other work skews
// both figures (see docs/read-models.md).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { encodeEvent } from '@authtrail/events';
import type { ConsumedRecord } from '@authtrail/event-bus';
import { openReadModel, runMigrations, startEmbeddedPostgres, type DecisionRow } from '@authtrail/read-model';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { projectRecords } from '../../services/projector/src/batch.handler';
import { toDecisionRow } from '../../services/projector/src/event.rows';
import { generateEvents, isDecision } from '../../services/projector/testdata/event-generator';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 40_000);
const BATCH = Number(process.env['BENCH_BATCH'] ?? 2_000);
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
  if (!serverUrl) {
    dataDir = mkdtempSync(path.join(tmpdir(), 'bench-projector-'));
    log(`[bench] starting embedded PostgreSQL in ${dataDir}`);
    const pg = await startEmbeddedPostgres({ dataDir });
    serverUrl = pg.url;
    stopPostgres = () => pg.stop();
  }
  try {
    log(`[bench] load average at the start: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine skews every figure)`);
    log(`[bench] generating ${EVENTS} decision events (+ control events)`);
    const events = generateEvents(EVENTS, { seed: 1 });
    const records: ConsumedRecord[] = events.map((e, i) => ({ topic: 'bench', partition: 0, offset: String(i), key: null, value: encodeEvent(e), headers: {}, timestamp: '0' }));
    const decisions = events.filter(isDecision);
    const bytes = records.reduce((n, r) => n + (r.value?.length ?? 0), 0);
    log(`[bench] ${records.length} records, ${(bytes / 1024 / 1024).toFixed(1)} MiB of CloudEvents JSON, batches of ${BATCH}`);

    const suffix = randomBytes(3).toString('hex');
    const url = await createDatabase(serverUrl, `bench_projector_${suffix}`);
    await runMigrations(url);

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
    let started = performance.now();
    for (const [n, part] of parts.entries()) {
      await client.query('BEGIN');
      await pipeline(Readable.from([part]), client.query(copyFrom(`COPY decision_copy (${SQL_COLUMNS}) FROM STDIN`)));
      await client.query('COMMIT');
      if (n % 10 === 0) log(`[bench]   copy ${Math.min((n + 1) * BATCH, rows.length)}/${rows.length}`);
    }
    const copySeconds = (performance.now() - started) / 1000;
    const copyRate = rows.length / copySeconds;
    log(`[bench] COPY: ${rows.length} rows in ${copySeconds.toFixed(2)} s = ${Math.round(copyRate)} rows/s`);
    await client.end();

    // The projector: the real batch handler, one transaction per batch (events, read models, checkpoint).
    const db = await openReadModel(url);
    log('[bench] projector: projectRecords per batch (decoding overlapped with the COPY, one transaction each) ...');
    started = performance.now();
    let projected = 0;
    for (let i = 0; i < records.length; i += BATCH) {
      const batch = records.slice(i, i + BATCH);
      const next = String(i + batch.length);
      const { outcome } = await projectRecords(db, batch, { groupId: 'bench', topic: 'bench', partition: 0, nextOffset: next, highWatermark: String(records.length) });
      projected += outcome.projected;
      if ((i / BATCH) % 5 === 0) log(`[bench]   projected ${projected}/${records.length} (${Math.round(projected / ((performance.now() - started) / 1000))} events/s)`);
    }
    const projectorSeconds = (performance.now() - started) / 1000;
    const projectorRate = projected / projectorSeconds;
    log(`[bench] projector: ${projected} events in ${projectorSeconds.toFixed(2)} s = ${Math.round(projectorRate)} events/s`);

    // Redelivery: the same records again are all duplicates and change nothing.
    started = performance.now();
    let duplicates = 0;
    for (let i = 0; i < records.length; i += BATCH) {
      const { outcome } = await projectRecords(db, records.slice(i, i + BATCH), undefined);
      duplicates += outcome.duplicates;
    }
    const dupSeconds = (performance.now() - started) / 1000;
    log(`[bench] redelivery of all ${duplicates} records (all duplicates): ${Math.round(duplicates / dupSeconds)} events/s`);
    await db.destroy();

    log('');
    log(`[bench] RESULT projector ${Math.round(projectorRate)} events/s; raw COPY ${Math.round(copyRate)} rows/s; ratio projector/COPY = ${(projectorRate / copyRate).toFixed(2)}`);
    log(`[bench] target >= 20000 events/s: ${projectorRate >= 20_000 ? 'met' : 'NOT met'} on this machine (load average affects it; see docs/read-models.md)`);
    log(`[bench] load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE "bench_projector_${suffix}"`);
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
