// The canary scanner: after a test ran the real product, search every place it writes to — files
// (a data directory with Postgres' heap and WAL, the event spool, a Kafka broker's log segments),
// every row of every Postgres table, every record of every Kafka topic, captured logs — for the
// raw secrets the test used, in the encodings `findSecrets` knows (UTF-8, UTF-16LE, JSON-escaped,
// URL-encoded, hex, base64/base64url fragments). Hits name the place, the secret's index and the
// encoding, never the secret, so a failing assertion is safe to print.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { findSecrets, type SecretEncoding } from './secrets';

export interface CanaryHit {
  /** `file:<path>`, `postgres:<db>.<schema>.<table>`, `kafka:<topic>/<partition>@<offset>`, or the label given. */
  readonly place: string;
  /** Index of the secret in the list given. */
  readonly secret: number;
  readonly encoding: SecretEncoding;
}

/** Hits in one blob of bytes or text. */
export function scanBytes(place: string, haystack: Buffer | string, secrets: readonly string[]): CanaryHit[] {
  return findSecrets(haystack, secrets).map((hit) => ({ place, secret: hit.index, encoding: hit.encoding }));
}

export interface DirectoryScan {
  readonly hits: readonly CanaryHit[];
  /** Regular files read (a scan that read nothing proves nothing). */
  readonly files: number;
  readonly bytes: number;
}

/**
 * Every regular file under `dir`, recursively (symbolic links are not followed). Files that
 * vanish while the scan runs (Postgres recycles WAL segments) are skipped.
 */
export function scanDirectory(dir: string, secrets: readonly string[]): DirectoryScan {
  const hits: CanaryHit[] = [];
  let files = 0;
  let bytes = 0;
  const walk = (path: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(path);
    } catch {
      return;
    }
    for (const name of entries) {
      const child = join(path, name);
      let stat;
      try {
        stat = lstatSync(child);
      } catch {
        continue;
      }
      if (stat.isDirectory()) walk(child);
      else if (stat.isFile()) {
        let content: Buffer;
        try {
          content = readFileSync(child);
        } catch {
          continue;
        }
        files += 1;
        bytes += content.length;
        hits.push(...scanBytes(`file:${child}`, content, secrets));
      }
    }
  };
  walk(dir);
  return { hits, files, bytes };
}

export interface PostgresScan {
  readonly hits: readonly CanaryHit[];
  /** `<db>.<schema>.<table>` of every table read. */
  readonly tables: readonly string[];
  readonly rows: number;
}

/**
 * Every row (`SELECT t::text`) of every table outside the system schemas, in every database of
 * the server `url` points at that accepts connections.
 */
export async function scanPostgres(url: string, secrets: readonly string[]): Promise<PostgresScan> {
  const hits: CanaryHit[] = [];
  const tables: string[] = [];
  let rows = 0;
  const databases = await withClient(url, async (client) =>
    (await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname')).rows.map((r) => r.datname),
  );
  for (const database of databases) {
    const target = new URL(url);
    target.pathname = `/${encodeURIComponent(database)}`;
    await withClient(target.toString(), async (client) => {
      const listed = await client.query<{ table_schema: string; table_name: string }>(
        `SELECT table_schema, table_name FROM information_schema.tables
          WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
      );
      for (const { table_schema: schema, table_name: table } of listed.rows) {
        const place = `postgres:${database}.${schema}.${table}`;
        tables.push(place.slice('postgres:'.length));
        const result = await client.query<{ row: string }>(`SELECT t::text AS row FROM ${quoteIdent(schema)}.${quoteIdent(table)} t`);
        rows += result.rows.length;
        hits.push(...scanBytes(place, result.rows.map((r) => r.row).join('\n'), secrets));
      }
    });
  }
  return { hits, tables, rows };
}

export interface KafkaScan {
  readonly hits: readonly CanaryHit[];
  /** Records read per topic. */
  readonly records: Readonly<Record<string, number>>;
}

/**
 * Every record (key, value, header values) of every topic of the cluster, read from the
 * beginning up to the end offsets at the time of the call. Internal topics (`__*`) are skipped:
 * scan the broker's log directory for those.
 */
export async function scanKafkaTopics(brokers: readonly string[], secrets: readonly string[], options: { readonly timeoutMs?: number } = {}): Promise<KafkaScan> {
  const read = await readKafkaTopics(brokers, undefined, options);
  const records: Record<string, number> = {};
  const hits: CanaryHit[] = [];
  for (const record of read) {
    records[record.topic] = (records[record.topic] ?? 0) + 1;
    const parts = [record.key ?? Buffer.alloc(0), record.value ?? Buffer.alloc(0), ...record.headerValues];
    hits.push(...scanBytes(`kafka:${record.topic}/${record.partition}@${record.offset}`, Buffer.concat(parts.flatMap((p) => [p, Buffer.from('\n')])), secrets));
  }
  return { hits, records };
}

export interface ReadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headerValues: readonly Buffer[];
}

/**
 * Reads `topics` (default: every topic but the internal `__*` ones) from the beginning up to
 * their end offsets at the time of the call, with a fresh consumer group.
 */
export async function readKafkaTopics(brokers: readonly string[], topics?: readonly string[], options: { readonly timeoutMs?: number } = {}): Promise<ReadRecord[]> {
  const kafka = new Kafka({ clientId: 'authtrail-test-reader', brokers: [...brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, Map<number, bigint>>();
  try {
    for (const topic of topics ?? (await admin.listTopics()).filter((t) => !t.startsWith('__'))) {
      const offsets = await admin.fetchTopicOffsets(topic);
      ends.set(topic, new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)])));
    }
  } finally {
    await admin.disconnect();
  }
  const read: ReadRecord[] = [];
  const pendingTopics = [...ends.entries()].filter(([, pending]) => pending.size > 0).map(([topic]) => topic);
  if (pendingTopics.length === 0) return read;

  const timeoutMs = options.timeoutMs ?? 60_000;
  const consumer = kafka.consumer({ groupId: `authtrail-test-reader-${Date.now()}-${Math.random().toString(36).slice(2)}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: pendingTopics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Kafka topics not read to the end within ${timeoutMs} ms`)), timeoutMs);
      void consumer
        .run({
          eachMessage: async ({ topic, partition, message }) => {
            const pending = ends.get(topic);
            const end = pending?.get(partition);
            if (end === undefined || BigInt(message.offset) >= end) return;
            const headerValues: Buffer[] = [];
            for (const value of Object.values(message.headers ?? {})) {
              for (const item of Array.isArray(value) ? value : [value]) if (item !== undefined) headerValues.push(Buffer.from(item));
            }
            read.push({ topic, partition, offset: message.offset, key: message.key, value: message.value, headerValues });
            if (BigInt(message.offset) + 1n >= end) pending?.delete(partition);
            if ([...ends.values()].every((p) => p.size === 0)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return read;
}

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
