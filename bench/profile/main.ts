// Where services/authn spends its time (`npm run bench profile` = `npx tsx bench/profile/main.ts`):
// authn runs as `services/authn/src/main.ts` does, in a process of its own, its decision events
// flowing to a real Kafka broker (buffered mode; a private broker unless KAFKA_BROKERS is set), and
// the V8 sampling profiler of that process records the load window of each scenario:
//   cached     TokenReview with a static token (the 10 s success cache of the default config)
//   uncached   TokenReview with RS256 service-account tokens, cache off (2,000 distinct tokens in turn)
//   forward-auth-jwt  forward-auth with one RS256 service-account token (cache hits; bench/peers' JWT row)
//   forward-auth-jwt-uncached  forward-auth with those 2,000 tokens in turn, cache off (bench/peers' other JWT row)
//   forward-auth-nginx  forward-auth-jwt as nginx auth_request sends it: the client's headers and the original
//                       request in X-Original-* / X-Forwarded-* from a trusted proxy (loopback, trusted by default)
// autocannon (bench/shared/load-generator.mjs) runs in a child process of its own. Written into
// bench/results/: per scenario the .cpuprofile and a flame graph SVG, and one markdown file with the
// top frames by self and by inclusive time (% of the main thread's busy time, TypeScript file:line).
//
//   BENCH_SECONDS=10 (profiled load per scenario)  BENCH_WARMUP_SECONDS=3  BENCH_CONNECTIONS=16
//   PROFILE_INTERVAL_MICROS=500 (sampling interval)  PROFILE_SCENARIOS=cached,uncached (or any of the five)
//   PROFILE_TREE=<a checkout> (default: this one) and PROFILE_LABEL (default: its commit, +dirty when the
//   working tree differs): profile another tree's authn, e.g. an older commit unpacked with git archive.
//   BENCH_AUTHN_RUNTIME=tsx (default, as earlier sessions' profiles) | bundle: tools/build.mjs's bundle,
//   as the image runs it (no tsx keep-names wrappers around closures; bench/shared/authn-runtime.ts).
//   PROFILE_PIN=0: do not pin. By default (taskset present, two CPUs or more) authn runs alone on CPU 0
//   and this process, the broker and the load generator on the others: V8 samples by wall clock, so
//   time authn's thread spent runnable but pushed off its CPU would otherwise be charged to whatever
//   frame it was in (mostly the socket write that woke the load generator).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '@authtrail/events';
import { boundServiceAccountClaims, freePort, rsaKeyPair, signJwt, type RunningKafkaBroker } from '@authtrail/testing';
import { RUNTIME_LABELS, authnCommand, authnRuntime } from '../shared/authn-runtime';
import { benchKafka } from '../shared/kafka';
import { displayLocation, flameTree, summarize, type CpuProfile, type ProfileSummary } from './cpu-profile';
import { flameGraphSvg } from './flame-graph';
import type { ProfilerCommand, ProfilerReply } from './profiled-authn';
import { cpuTimes, threadCpuBetween } from './proc-cpu';
import { topFramesMarkdown } from './top-frames';
import { runLoad, type Load, type LoadResult as Measured } from '../shared/load';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const WARMUP_SECONDS = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 3);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 16);
const INTERVAL_MICROS = Number(process.env['PROFILE_INTERVAL_MICROS'] ?? 500);
// tsx by default, as in the profiles of earlier sessions; `bundle` profiles what the image runs.
const RUNTIME = authnRuntime('BENCH_AUTHN_RUNTIME', 'tsx');
const REPO = resolve(__dirname, '../..');
const TREE = realpathSync(resolve(process.env['PROFILE_TREE'] ?? REPO));
const RESULTS = join(REPO, 'bench', 'results');
const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const log = (line: string) => console.log(`[bench/profile] ${line}`);
// What nginx sends an auth_request subrequest with infra/proxies/nginx-auth-request.conf: the
// client's own headers (nginx passes them on) plus the original request's X-Original-* / X-Forwarded-*.
const NGINX_AUTH_REQUEST_HEADERS = {
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  accept: 'application/json, text/plain, */*',
  'accept-language': 'en-GB,en;q=0.9',
  'accept-encoding': 'gzip, deflate, br',
  'x-original-uri': '/api/v1/namespaces/default/pods?limit=50',
  'x-original-method': 'GET',
  'x-forwarded-for': '203.0.113.7, 10.0.0.2',
  'x-forwarded-proto': 'https',
};


interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly successTTL: string;
  readonly load: (baseUrl: string) => Load;
}

interface ScenarioResult {
  readonly scenario: Scenario;
  readonly measured: Measured;
  readonly summary: ProfileSummary;
  readonly windowMicros: number;
  readonly cpu?: { readonly process: number; readonly mainThread: number; readonly byThread: readonly [string, number][] };
  readonly events: number;
  readonly profileFile: string;
  readonly svgFile: string;
  readonly tables: string;
}


/** authn of the tree under test, in a child process that answers profiler commands. */
class ProfiledAuthn {
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolvePromise) => child.once('exit', (code) => resolvePromise((this.exitCode = code))));
  }

  static start(configFile: string, env: Record<string, string>, pinned: boolean): ProfiledAuthn {
    const entry = RUNTIME === 'bundle' ? (authnCommand(TREE, 'bundle', [], log).args[0] as string) : join(TREE, 'services', 'authn', 'src', 'main.ts');
    // tsx loads the profiler wrapper (and, for the tsx runtime, authn itself); the bundle's map,
    // read when the profile is written, maps its positions back to the TypeScript lines. authn's
    // node gets no other flag than the image's: `--enable-source-maps` kept that map parsed in its
    // heap during the load.
    const node = [process.execPath, '--import', 'tsx', join(__dirname, 'profiled-authn.ts'), entry, '--config', configFile];
    // taskset execs node: the child's pid stays node's (for /proc).
    const [command = process.execPath, ...args] = pinned ? ['taskset', '-c', '0', ...node] : node;
    // Run from the tree under test: tsx takes that tree's tsconfig paths, so @authtrail/* are its own libs.
    const child = spawn(command, args, {
      cwd: TREE,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new ProfiledAuthn(child);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  async ready(url: string, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exitCode !== undefined) throw new Error(`authn exited (${this.exitCode}) before it was ready`);
      const status = await fetch(`${url}/readyz`).then((r) => r.status, () => 0);
      if (status === 200) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`authn not ready at ${url} within ${timeoutMs} ms`);
  }

  command(command: ProfilerCommand, timeoutMs = 120_000): Promise<void> {
    return new Promise((resolvePromise, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        if (error) reject(error);
        else resolvePromise();
      };
      const onMessage = (reply: ProfilerReply) => done(reply.type === 'failed' ? new Error(`profiler ${command.type}: ${reply.message}`) : undefined);
      const onExit = (code: number | null) => done(new Error(`authn exited (${code}) during profiler ${command.type}`));
      const timer = setTimeout(() => done(new Error(`profiler ${command.type}: no answer within ${timeoutMs} ms`)), timeoutMs);
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send(command);
    });
  }

  /** SIGTERM (authn flushes its events to Kafka and exits), SIGKILL after graceMs. */
  async stop(graceMs = 30_000): Promise<number | null> {
    if (this.exitCode !== undefined) return this.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/** The CPUs other than authn's: "1" or "1-3". */
const otherCpus = () => (cpus().length > 2 ? `1-${cpus().length - 1}` : '1');

/** Moves this process (every thread) and so everything it starts later off CPU 0, which authn gets to itself. */
function pinOffFirstCpu(): boolean {
  if (process.env['PROFILE_PIN'] === '0' || cpus().length < 2) return false;
  const run = spawnSync('taskset', ['-a', '-p', '-c', otherCpus(), String(process.pid)], { encoding: 'utf8' });
  return run.status === 0;
}

/** Records on the decisions topic so far (sum of the partitions' high watermarks); 0 before the topic exists. */
async function decisionRecords(kafka: Kafka): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(TOPICS.decisions);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  } catch {
    return 0;
  } finally {
    await admin.disconnect();
  }
}

function git(...args: string[]): string {
  const run = spawnSync('git', ['-C', TREE, ...args], { encoding: 'utf8' });
  // Not trimmed at the start: a porcelain status line begins with a space when only the work tree differs.
  return run.status === 0 ? run.stdout.trimEnd() : '';
}

/** Which code was profiled, for the report: a commit, and the files of the running code (libs/, services/) that differ from it. */
function describeTree(): { label: string; description: string } {
  const commit = existsSync(join(TREE, '.git')) ? git('rev-parse', '--short', 'HEAD') : '';
  const changed = commit ? git('status', '--porcelain', '--untracked-files=all').split('\n').filter(Boolean).map((line) => line.slice(3)) : [];
  const running = changed.filter((file) => /^(libs|services)\/[^/]+\/src\//.test(file) && !/\.spec\.ts$/.test(file));
  // "+dirty" only when the code that runs differs from the commit (not for a changed doc or benchmark).
  const label = (process.env['PROFILE_LABEL'] ?? (commit ? `${commit}${running.length > 0 ? '+dirty' : ''}` : 'tree')).replace(/[^A-Za-z0-9._+-]/g, '-');
  const where = TREE === REPO ? 'this checkout' : `\`${TREE}\``;
  const others = changed.length - running.length;
  const elsewhere = others > 0 ? `; ${others} other file(s) (specs, docs, benchmarks) differ from it` : '';
  const description = !commit
    ? `${where} (no git metadata; label ${label})`
    : running.length === 0
      ? `${where} at commit ${commit}, its libs/ and services/ code as committed${elsewhere}`
      : `${where} at commit ${commit} with uncommitted changes to ${running.map((file) => `\`${file}\``).join(', ')}${elsewhere}`;
  return { label, description };
}

async function main(): Promise<void> {
  const started = Date.now();
  const { label, description } = describeTree();
  const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const stem = `profile-${stamp}-${label}`;
  const chosen = (process.env['PROFILE_SCENARIOS'] ?? 'cached,uncached').split(',').map((s) => s.trim());
  log(`profiling ${description}`);
  const loadBefore = loadavg()[0] ?? 0;
  const pinned = pinOffFirstCpu();
  log(pinned ? `authn pinned to CPU 0; this process, the broker and the load generator to CPU ${otherCpus()}` : 'not pinned to CPUs (PROFILE_PIN=0, one CPU, or no taskset)');
  const dir = mkdtempSync(join(tmpdir(), 'bench-profile-'));
  let broker: RunningKafkaBroker | undefined;
  let authn: ProfiledAuthn | undefined;
  try {
    const privateOrGiven = await benchKafka(dir, log);
    broker = privateOrGiven.broker;
    const { brokers } = privateOrGiven;
    const kafka = new Kafka({ clientId: 'bench-profile', brokers: brokers.split(','), logLevel: logLevel.NOTHING });

    const staticToken = randomBytes(24).toString('hex');
    const saKey = rsaKeyPair({ alg: 'RS256' });
    writeFileSync(join(dir, 'tokens.csv'), `${staticToken},bench-user,uid-1,"bench,devs"\n`);
    writeFileSync(join(dir, 'sa.pub'), saKey.publicPem);
    const reviewBody = (token: string) => JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });
    const json = { 'content-type': 'application/json' };
    const reviewPath = '/apis/authentication.k8s.io/v1/tokenreviews';
    const saBodiesFile = join(dir, 'sa-bodies.json');
    const saHeadersFile = join(dir, 'sa-headers.json');
    const cachedSaToken = signJwt(boundServiceAccountClaims({ issuer: SA_ISSUER, audiences: [SA_ISSUER], name: 'sa-cached' }), saKey);

    const allScenarios: Scenario[] = [
      { id: 'cached', title: 'TokenReview, cached static token', successTTL: '10s', load: (url) => ({ url: `${url}${reviewPath}`, method: 'POST', headers: json, body: reviewBody(staticToken) }) },
      { id: 'uncached', title: 'TokenReview, uncached RS256 service-account token (a new token per request, cache off)', successTTL: '0s', load: (url) => ({ url: `${url}${reviewPath}`, method: 'POST', headers: json, bodiesFile: saBodiesFile }) },
      { id: 'forward-auth-jwt', title: 'forward-auth, cached RS256 service-account token', successTTL: '10s', load: (url) => ({ url: `${url}/v1/forward-auth`, method: 'GET', headers: { authorization: `Bearer ${cachedSaToken}` } }) },
      {
        id: 'forward-auth-nginx',
        title: 'forward-auth, cached RS256 service-account token, through nginx auth_request headers',
        successTTL: '10s',
        load: (url) => ({ url: `${url}/v1/forward-auth`, method: 'GET', headers: { authorization: `Bearer ${cachedSaToken}`, ...NGINX_AUTH_REQUEST_HEADERS } }),
      },
      { id: 'forward-auth-jwt-uncached', title: 'forward-auth, uncached RS256 service-account token (a new token per request, cache off)', successTTL: '0s', load: (url) => ({ url: `${url}/v1/forward-auth`, method: 'GET', headersFile: saHeadersFile }) },
    ];
    const scenarios = allScenarios.filter((scenario) => chosen.includes(scenario.id));
    if (scenarios.length === 0) throw new Error(`PROFILE_SCENARIOS names none of: ${allScenarios.map((scenario) => scenario.id).join(', ')}`);
    if (scenarios.some((scenario) => scenario.successTTL === '0s')) {
      const mintCount = 2_000;
      log(`minting ${mintCount} RS256 service-account tokens …`);
      const tokens = Array.from({ length: mintCount }, (_, i) => signJwt(boundServiceAccountClaims({ issuer: SA_ISSUER, audiences: [SA_ISSUER], name: `sa-${i}` }), saKey));
      writeFileSync(saBodiesFile, JSON.stringify(tokens.map(reviewBody)));
      writeFileSync(saHeadersFile, JSON.stringify(tokens.map((token) => ({ authorization: `Bearer ${token}` }))));
    }

    mkdirSync(RESULTS, { recursive: true });
    const results: ScenarioResult[] = [];
    for (const [index, scenario] of scenarios.entries()) {
      const prefix = `${index + 1}/${scenarios.length} ${scenario.id}`;
      const port = await freePort();
      const configFile = join(dir, `${scenario.id}.yaml`);
      // The same configuration as bench/authn's instances: both strategies, the cache TTL per scenario.
      writeFileSync(
        configFile,
        [
          `dataDir: ./data-${scenario.id}`,
          'authn:',
          `  instance: profile-${scenario.id}`,
          `  http: { port: ${port}, host: 127.0.0.1 }`,
          `  cache: { successTTL: ${scenario.successTTL}, failureTTL: 0s }`,
          '  strategies:',
          '    - { id: static-token, tokenFile: tokens.csv }',
          `    - { id: service-account, issuers: ["${SA_ISSUER}"], keyFiles: [sa.pub], audiences: ["${SA_ISSUER}"] }`,
          // log.level left at its default (info), as users run it.
          'events: { mode: buffered }',
        ].join('\n'),
      );
      const url = `http://127.0.0.1:${port}`;
      log(`${prefix}: starting authn (${relative(REPO, TREE) || '.'}/services/authn/src/main.ts) with the profiler attached …`);
      const eventsBefore = await decisionRecords(kafka);
      authn = ProfiledAuthn.start(configFile, { KAFKA_BROKERS: brokers, AUTHTRAIL_FINGERPRINT_KEY: `bench:${randomBytes(32).toString('base64')}` }, pinned);
      await authn.ready(url);
      const load = scenario.load(url);
      log(`${prefix}: warming up ${WARMUP_SECONDS} s (not profiled) …`);
      await runLoad(load, CONNECTIONS, WARMUP_SECONDS);

      const profileFile = join(RESULTS, `${stem}-${scenario.id}.cpuprofile`);
      await authn.command({ type: 'start', intervalMicros: INTERVAL_MICROS });
      const cpuStart = await cpuTimes(authn.pid);
      log(`${prefix}: profiling ${SECONDS} s under load (${CONNECTIONS} connections, sampling every ${INTERVAL_MICROS} µs) …`);
      const measured = await runLoad(load, CONNECTIONS, SECONDS);
      const cpuEnd = await cpuTimes(authn.pid);
      await authn.command({ type: 'stop', file: profileFile });
      log(`${prefix}: ${measured.rps.toFixed(0)} req/s, p99 ${measured.p99} ms${measured.non2xx || measured.errors ? `, non-2xx ${measured.non2xx}, errors ${measured.errors}` : ''}; stopping authn (it flushes its events) …`);
      const exitCode = await authn.stop();
      authn = undefined;
      if (exitCode !== 0) log(`${prefix}: WARNING authn exited with ${exitCode}`);
      const events = (await decisionRecords(kafka)) - eventsBefore;

      const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile;
      checkProfiledTree(profile);
      const summary = summarize(profile);
      const location = (fileUrl: string, line: number) => displayLocation(fileUrl, line, [TREE, REPO]);
      const windowMicros = profile.endTime - profile.startTime;
      const busyShare = (summary.busyMicros / Math.max(1, summary.sampledMicros)) * 100;
      const svgFile = join(RESULTS, `${stem}-${scenario.id}.svg`);
      writeFileSync(
        svgFile,
        flameGraphSvg(flameTree(profile), {
          title: `services/authn — ${scenario.title}`,
          subtitle: `${label} · ${measured.rps.toFixed(0)} req/s · main thread busy ${(summary.busyMicros / 1000).toFixed(0)} ms of ${(summary.sampledMicros / 1000).toFixed(0)} ms sampled (${busyShare.toFixed(0)} %) · ${summary.sampleCount} samples · width = % of busy time · hover for details`,
          location,
        }),
      );
      const cpu = cpuStart && cpuEnd ? { process: cpuEnd.processMicros - cpuStart.processMicros, mainThread: cpuEnd.mainThreadMicros - cpuStart.mainThreadMicros, byThread: threadCpuBetween(cpuStart, cpuEnd) } : undefined;
      const result: ScenarioResult = { scenario, measured, summary, windowMicros, cpu, events, profileFile, svgFile, tables: topFramesMarkdown(summary, { location }) };
      results.push(result);
      log(`${prefix}: main thread busy ${busyShare.toFixed(0)} % of the window${cpu ? `, process CPU ${perRequest(cpu.process, measured)} µs/request (main thread ${perRequest(cpu.mainThread, measured)})` : ''}, ${events} decision events on Kafka`);
      if (cpu) log(`${prefix}: CPU µs/request by thread: ${threadSplit(cpu.byThread, measured)}`);
      log(`${prefix}: wrote ${relative(REPO, profileFile)} and ${relative(REPO, svgFile)}`);
      const top = [...summary.frames].sort((a, b) => b.selfMicros - a.selfMicros).slice(0, 5);
      for (const frame of top) log(`${prefix}:   ${((frame.selfMicros / summary.busyMicros) * 100).toFixed(1).padStart(5)} % self  ${frame.functionName}  ${location(frame.url, frame.lineNumber)}`);
    }

    const reportFile = join(RESULTS, `${stem}.md`);
    writeFileSync(reportFile, report(results, { label, description, loadBefore, pinned }));
    log(`wrote ${relative(REPO, reportFile)}`);
  } finally {
    if (authn) await authn.stop(5_000);
    if (broker) await broker.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

const perRequest = (micros: number, measured: Measured) => (micros / Math.max(1, measured.total)).toFixed(0);
const threadSplit = (byThread: readonly [string, number][], measured: Measured) => byThread.map(([name, micros]) => `${name} ${perRequest(micros, measured)}`).join(', ');

/** The profile must show the code of PROFILE_TREE: a checkout elsewhere resolving @authtrail/* to this one's libs would profile the wrong code. */
function checkProfiledTree(profile: CpuProfile): void {
  const ours = (url: string) => /\/(libs|services)\/[^/]+\/src\//.test(url) && !url.includes('/node_modules/');
  const files = new Set(profile.nodes.map((node) => node.callFrame.url).filter(ours).map((url) => (url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url)));
  const elsewhere = [...files].filter((file) => !file.startsWith(`${TREE}/`));
  if (elsewhere.length > 0) throw new Error(`the profile shows authtrail code outside ${TREE}: ${elsewhere.slice(0, 3).join(', ')}`);
  if (files.size === 0) log('WARNING: no frame of libs/ or services/ in the profile (were the source maps found?)');
}

function report(results: readonly ScenarioResult[], run: { label: string; description: string; loadBefore: number; pinned: boolean }): string {
  const cpu = cpus();
  const lines = [
    `# Where services/authn spends its time — ${run.label}`,
    '',
    `- Code: ${run.description}.`,
    `- Run: ${new Date().toISOString()}, Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, load average ${run.loadBefore.toFixed(2)} before the run; \`npm run bench profile\` (bench/profile/main.ts).`,
    `- Load: autocannon (bench/shared/load-generator.mjs) in its own process, ${CONNECTIONS} connections, ${SECONDS} s per scenario after ${WARMUP_SECONDS} s of warm-up; authn is ${RUNTIME_LABELS[RUNTIME]} (BENCH_AUTHN_RUNTIME), in its own process, its decision events going to Kafka in buffered mode. ${run.pinned ? `authn ran alone on CPU 0, the load generator and the broker on CPU ${otherCpus()} (taskset).` : 'No CPU pinning: authn shared the CPUs with the load generator and the broker.'}`,
    `- Profiler: V8's sampling profiler through node:inspector inside the authn process, every ${INTERVAL_MICROS} µs, over the load window only; positions mapped to the TypeScript lines through ${RUNTIME === 'bundle' ? 'the bundle\'s source map' : 'tsx\'s source maps'}. It samples the main thread by wall clock: work on libuv's thread pool (WebCrypto, zlib) shows as \`(idle)\` there (the process CPU figure counts it), and time the thread was runnable but off its CPU is charged to the frame it was in (busy µs per request above the main thread's CPU µs per request).`,
    '- Percentages are of the main thread\'s busy (non-idle) time. Self: that function on top of the stack; inclusive: anywhere on it.',
    '',
  ];
  for (const r of results) {
    const busyShare = (r.summary.busyMicros / Math.max(1, r.summary.sampledMicros)) * 100;
    lines.push(
      `## ${r.scenario.title}`,
      '',
      `${r.measured.rps.toFixed(0)} req/s (${r.measured.total} requests${r.measured.non2xx || r.measured.errors ? `, ${r.measured.non2xx} non-2xx, ${r.measured.errors} errors` : ', all 2xx'}), p99 ${r.measured.p99} ms. ` +
        `Main thread busy ${busyShare.toFixed(0)} % of the ${(r.windowMicros / 1e6).toFixed(1)} s window (${r.summary.sampleCount} samples), ${perRequest(r.summary.busyMicros, r.measured)} µs per request` +
        (r.cpu ? `; CPU of the authn process ${perRequest(r.cpu.process, r.measured)} µs per request, of its main thread ${perRequest(r.cpu.mainThread, r.measured)} µs; by thread name: ${threadSplit(r.cpu.byThread, r.measured)}` : '') +
        `. Decision events added to Kafka while authn ran (warm-up included): ${r.events}.`,
      '',
      `![flame graph](${relative(RESULTS, r.svgFile)})`,
      '',
      `Profile: \`${relative(RESULTS, r.profileFile)}\` (Chrome DevTools → Performance → Load profile, or speedscope).`,
      '',
      r.tables,
    );
  }
  return `${lines.join('\n')}\n`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
