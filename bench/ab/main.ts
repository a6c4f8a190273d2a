// `npm run bench ab`: authn before and after a change, side by side on one machine, with several
// processes of each (identical processes differ by 10-20 % here, often more than a lever:
// docs/authn.md, "Levers tried in session 11"). Before = a commit unpacked with `git archive`
// (its node_modules links to this checkout's packages, @authtrail/* to its own libs), after =
// this working tree. Every process runs its tree's authn (BENCH_AUTHN_RUNTIME: the production
// bundle by default, or tsx; AB_BEFORE_RUNTIME for the before side alone) with the static-token + RS256 service-account config of bench/peers, its decisions to a private
// Kafka broker (buffered). Rounds alternate the processes, warm-up rounds are not counted, and
// each scenario prints after ÷ before with a verdict against the spread between identical
// processes. Writes bench/results/ab-<time>.md.
//
//   npm run bench ab                         # HEAD against the working tree
//   AB_BEFORE=72102a2 npm run bench ab       # a commit against the working tree
//   AB_PROCESSES=2 AB_WARMUP=2 AB_ROUNDS=5 BENCH_SECONDS=5 BENCH_CONNECTIONS=16
//   AB_SCENARIOS=tokenreview-cached,forward-auth-cached,forward-auth-uncached
//   BENCH_AUTHN_RUNTIME=bundle|tsx  AB_BEFORE_RUNTIME=bundle|tsx (e.g. tsx against bundle, same code)
//   KAFKA_BROKERS=host:port (use that cluster instead of a private broker)
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { boundServiceAccountClaims, freePorts, rsaKeyPair, signJwt, type RunningKafkaBroker } from '@authtrail/testing';
import { ownCpuSeconds } from '../embedded/product';
import { authnCommand, authnRuntime } from '../shared/authn-runtime';
import { authtrailConfig, tokenFileLine } from '../peers/peer-configs';
import { startServer, stopAllServers, type RunningServer } from '../peers/servers';
import { deliveryProblem, describeDelivery, eventDelivery } from '../shared/event-delivery';
import { benchKafka } from '../shared/kafka';
import { runLoad, type Load } from '../shared/load';
import { compare, comparisonTable, type ProcessRuns, type Round } from './summary';

const ROOT = resolve(__dirname, '..', '..');
const BEFORE_REV = process.env['AB_BEFORE'] ?? 'HEAD';
const PROCESSES = count('AB_PROCESSES', 2, 1);
const WARMUP = count('AB_WARMUP', 2, 0);
const ROUNDS = count('AB_ROUNDS', 5, 1);
const SECONDS = count('BENCH_SECONDS', 5, 1);
const CONNECTIONS = count('BENCH_CONNECTIONS', 16, 1);
const AFTER_RUNTIME = authnRuntime();
const RUNTIMES = { before: authnRuntime('AB_BEFORE_RUNTIME', AFTER_RUNTIME), after: AFTER_RUNTIME } as const;
const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const log = (line: string) => console.log(`[bench/ab] ${line}`);

interface Scenario {
  readonly id: string;
  readonly cached: boolean;
  readonly load: (port: number) => Load;
}

interface Contender {
  readonly instance: string;
  readonly variant: 'before' | 'after';
  readonly process: number;
  readonly cached: boolean;
  readonly port: number;
  readonly server: RunningServer;
}

function count(name: string, fallback: number, least: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < least) throw new Error(`${name} must be an integer of at least ${least}`);
  return value;
}

function git(...args: string[]): string {
  return execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' }).trim();
}

/**
 * The commit unpacked into `dir`. Its node_modules links every package of this checkout's except
 * @authtrail/*, whose links (relative, `../../libs/…`) are recreated so they reach its own libs.
 */
function unpack(rev: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('bash', ['-c', 'git -C "$1" archive "$2" | tar -x -C "$3"', 'unpack', ROOT, rev, dir]);
  const modules = join(ROOT, 'node_modules');
  mkdirSync(join(dir, 'node_modules', '@authtrail'), { recursive: true });
  for (const entry of readdirSync(modules)) {
    if (entry !== '@authtrail') symlinkSync(join(modules, entry), join(dir, 'node_modules', entry));
  }
  for (const entry of readdirSync(join(modules, '@authtrail'))) {
    symlinkSync(readlinkSync(join(modules, '@authtrail', entry)), join(dir, 'node_modules', '@authtrail', entry));
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ab-'));
  let broker: RunningKafkaBroker | undefined;
  const cleanup = async () => {
    await stopAllServers();
    await broker?.destroy().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanup().finally(() => process.exit(143)));
  try {
    const beforeCommit = git('rev-parse', '--short', BEFORE_REV);
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    const afterLabel = `${git('rev-parse', '--short', 'HEAD')}${dirty ? '+dirty' : ''}`;
    const beforeTree = join(dir, 'before');
    unpack(beforeCommit, beforeTree);
    log(`before = ${beforeCommit} (unpacked in ${beforeTree}), after = this working tree (${afterLabel}); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

    const file = (name: string, content: string) => {
      writeFileSync(join(dir, name), content, { mode: 0o600 });
      return join(dir, name);
    };
    const staticToken = randomBytes(24).toString('hex');
    const tokenFile = file('tokens.csv', tokenFileLine(staticToken, { name: 'bench-user', uid: 'uid-1', groups: ['bench'] }));
    const saKey = rsaKeyPair({ alg: 'RS256' });
    const saPublicKeyFile = file('sa.pub', saKey.publicPem);
    const mint = (name: string) => signJwt(boundServiceAccountClaims({ issuer: SA_ISSUER, audiences: [SA_ISSUER], name }), saKey);
    const cachedToken = mint('sa-cached');
    const tokenHeadersFile = file('token-headers.json', JSON.stringify(Array.from({ length: 2_000 }, (_, i) => ({ authorization: `Bearer ${mint(`sa-${i}`)}` }))));
    const scenarios: readonly Scenario[] = [
      { id: 'tokenreview-cached', cached: true, load: (port) => ({ url: `http://127.0.0.1:${port}/apis/authentication.k8s.io/v1/tokenreviews`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: staticToken } }) }) },
      { id: 'forward-auth-cached', cached: true, load: (port) => ({ url: `http://127.0.0.1:${port}/v1/forward-auth`, method: 'GET', headers: { authorization: `Bearer ${cachedToken}` } }) },
      { id: 'forward-auth-uncached', cached: false, load: (port) => ({ url: `http://127.0.0.1:${port}/v1/forward-auth`, method: 'GET', headersFile: tokenHeadersFile }) },
    ];
    const wanted = (process.env['AB_SCENARIOS'] ?? scenarios.map((s) => s.id).join(',')).split(',');
    const unknown = wanted.filter((id) => !scenarios.some((s) => s.id === id));
    if (unknown.length > 0) throw new Error(`unknown AB_SCENARIOS ${unknown.join(', ')}; known: ${scenarios.map((s) => s.id).join(', ')}`);
    const chosen = scenarios.filter((s) => wanted.includes(s.id));

    const kafka = await benchKafka(dir, log);
    broker = kafka.broker;
    const env: NodeJS.ProcessEnv = { ...process.env, KAFKA_BROKERS: kafka.brokers, AUTHTRAIL_FINGERPRINT_KEY: `bench:${randomBytes(32).toString('base64')}` };
    const trees = { before: beforeTree, after: ROOT } as const;
    const contenders: Contender[] = [];
    for (const cached of [...new Set(chosen.map((s) => s.cached))]) {
      for (let n = 1; n <= PROCESSES; n += 1) {
        for (const variant of ['before', 'after'] as const) {
          const [port] = (await freePorts(1)) as [number];
          const instance = `ab-${variant}-${n}-${cached ? 'cached' : 'uncached'}`;
          const configFile = file(`${instance}.yaml`, authtrailConfig({ instance, httpPort: port, successTTL: cached ? '10s' : '0s', tokenFile, saPublicKeyFile, jwt: { issuer: SA_ISSUER, audience: SA_ISSUER } }));
          const authn = authnCommand(trees[variant], RUNTIMES[variant], ['--config', configFile], log);
          log(`starting ${instance} (${relative(ROOT, trees[variant]) || '.'}, ${RUNTIMES[variant]}) on port ${port} …`);
          const server = await startServer({ name: instance, command: authn.command, args: authn.args, cwd: trees[variant], env, logFile: join(dir, `${instance}.log`), readyUrl: `http://127.0.0.1:${port}/readyz` });
          contenders.push({ instance, variant, process: n, cached, port, server });
        }
      }
    }

    const runs = new Map<string, ProcessRuns & { rounds: Round[] }>();
    const total = (WARMUP + ROUNDS) * chosen.length * PROCESSES * 2;
    let done = 0;
    for (let round = 1 - WARMUP; round <= ROUNDS; round += 1) {
      for (const scenario of chosen) {
        const own = contenders.filter((c) => c.cached === scenario.cached);
        // Alternate the order round by round: no process always follows the same one.
        for (const contender of round % 2 === 0 ? own : [...own].reverse()) {
          const cpuBefore = ownCpuSeconds(contender.server.pid);
          const result = await runLoad(scenario.load(contender.port), CONNECTIONS, SECONDS);
          const cpuMicrosPerRequest = ((ownCpuSeconds(contender.server.pid) - cpuBefore) * 1e6) / Math.max(1, result.total);
          done += 1;
          const label = `${scenario.id} ${contender.variant} #${contender.process}`;
          const failures = result.non2xx || result.errors ? `, non-2xx ${result.non2xx}, errors ${result.errors}` : '';
          log(`[${done}/${total}] ${round < 1 ? 'warm-up' : `round ${round}/${ROUNDS}`} ${label}: ${Math.round(result.rps)} req/s, ${cpuMicrosPerRequest.toFixed(0)} µs CPU/req${failures}`);
          if (result.non2xx || result.errors) throw new Error(`${label}: every request must succeed (non-2xx ${result.non2xx}, errors ${result.errors})`);
          if (round < 1) continue;
          const key = `${scenario.id}|${contender.variant}|${contender.process}`;
          const entry = runs.get(key) ?? { variant: contender.variant, process: contender.process, rounds: [] };
          entry.rounds.push({ rps: result.rps, cpuMicrosPerRequest });
          runs.set(key, entry);
        }
      }
    }

    for (const contender of contenders) {
      const delivery = await eventDelivery(`http://127.0.0.1:${contender.port}/metrics`);
      log(describeDelivery(contender.instance, delivery));
      const problem = deliveryProblem(contender.instance, delivery);
      if (problem) throw new Error(`${problem}: its figures measure a publisher that was not delivering, so this run is refused`);
    }

    const rows = chosen.map((scenario) => ({ scenario: scenario.id, comparison: compare([...runs.entries()].filter(([key]) => key.startsWith(`${scenario.id}|`)).map(([, r]) => r), 'before', 'after') }));
    const table = comparisonTable(rows);
    const when = new Date().toISOString();
    const header = [
      '## authn before and after (`npm run bench ab`)',
      '',
      `Run of ${when}: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}.`,
      `before = \`${beforeCommit}\` (${RUNTIMES.before}), after = \`${afterLabel}\` (${RUNTIMES.after}); ${PROCESSES} processes each, ${WARMUP} warm-up and ${ROUNDS} measured rounds of ${SECONDS} s, ${CONNECTIONS} connections, alternated; medians per process, then over the processes. Decisions to Kafka (buffered).`,
      '',
    ];
    const results = join(ROOT, 'bench', 'results');
    mkdirSync(results, { recursive: true });
    const out = join(results, `ab-${when.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.md`);
    writeFileSync(out, `${[...header, table, ''].join('\n')}`);
    console.log(`\n${table}\n`);
    log(`written to ${relative(ROOT, out)}`);
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
