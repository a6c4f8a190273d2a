import { createDataSource } from './data-source';

/** Applies every pending migration; returns the names applied. */
export async function runMigrations(url: string): Promise<readonly string[]> {
  const dataSource = createDataSource(url, { poolSize: 1, applicationName: 'authtrail-migrate' });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

/** Reverts the last `steps` migrations (default all); returns how many were reverted. */
export async function revertMigrations(url: string, steps = Number.POSITIVE_INFINITY): Promise<number> {
  const dataSource = createDataSource(url, { poolSize: 1, applicationName: 'authtrail-migrate' });
  await dataSource.initialize();
  let reverted = 0;
  try {
    const rows: { n: string }[] = await dataSource.query(`SELECT count(*) AS n FROM read_model_migrations`);
    const applied = Number(rows[0]?.n ?? 0);
    while (reverted < Math.min(steps, applied)) {
      await dataSource.undoLastMigration({ transaction: 'each' });
      reverted += 1;
    }
    return reverted;
  } finally {
    await dataSource.destroy();
  }
}
