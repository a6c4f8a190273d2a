// Fills a read-model database with real traffic (see read-model-filler.ts) and exits:
//
//   node --import tsx tools/cli/src/testdata/fill-read-model.ts --database-url URL [--plan FILE]
//
// The plan (traffic-plan.ts) is read from --plan or standard input; DATABASE_URL stands in for
// --database-url. On success it prints one JSON line, `{ boots: [[{status, decisionId}]],
// checkpoints }`, and exits 0; on failure the reason goes to stderr and the exit code is 1.
// Query-test fixtures of services that may not import authn or the projector spawn this.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fillReadModel } from './read-model-filler';
import { parseTrafficPlan } from './traffic-plan';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'database-url': { type: 'string' }, plan: { type: 'string' }, 'log-level': { type: 'string' } } });
  const databaseUrl = values['database-url'] ?? process.env['DATABASE_URL'];
  if (!databaseUrl) throw new Error('--database-url (or DATABASE_URL) is required');
  const text = values.plan ? readFileSync(values.plan, 'utf8') : await readStdin();
  const plan = parseTrafficPlan(JSON.parse(text));
  const logLevel = values['log-level'];
  const result = await fillReadModel(plan, { databaseUrl, ...(logLevel ? { logLevel: logLevel as 'warn' } : {}) });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`fill-read-model: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
