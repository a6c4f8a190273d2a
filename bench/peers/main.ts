// `npm run bench peers`: authtrail beside its peers, measured in one run by one load generator
// (autocannon in a process of its own, the same connections for every server), rounds interleaved
// server by server, medians kept:
//   - TokenReview with a static token over HTTPS with a client certificate: authtrail (the
//     standalone authn service, decisions to Kafka) vs Guard (kubeguard/guard, token-auth file,
//     provider chosen by the certificate's O=token-auth); bare fastify on the same HTTPS listener,
//     with and without one Kafka record per request, as the ceilings;
//   - JWT decisions with an RS256 service-account token, the same token each request (cache hits)
//     and a new one each request (pre-minted, verification on every request): authtrail forward-auth
//     vs Ory Oathkeeper's decisions API (jwt authenticator, file JWKS, allow, header mutator) vs
//     fastify + @fastify/jwt.
// Every server is a process of its own: CPU per request and RSS come from /proc/<pid>.
// Guard and Oathkeeper are built from the checkouts GUARD_SRC and OATHKEEPER_SRC name (cached
// under ~/.cache/authtrail-peers by commit). Writes the tables to bench/results/peers-<time>.md.
//
//   GUARD_SRC, OATHKEEPER_SRC (required)  BENCH_SECONDS=5  BENCH_ROUNDS=3  BENCH_CONNECTIONS=16  BENCH_WARMUP_SECONDS=2
//   BENCH_PEERS_TOKENS=2000 (distinct tokens of the uncached rows)  BENCH_RESULTS_DIR=bench/results
//   KAFKA_BROKERS=host:port,… (use that cluster instead of a private broker)
//   BENCH_AUTHN_RUNTIME=bundle (default: authtrail as its production image runs it) | tsx
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { boundServiceAccountClaims, destroyCa, freePorts, jwksOf, mintCa, mintClientCert, rsaKeyPair, signJwt, tamperPayload, type RunningKafkaBroker, type TestCa } from '@authtrail/testing';
import { benchKafka } from '../shared/kafka';
import { ownCpuSeconds, rssBytes } from '../embedded/product';
import { RUNTIME_LABELS, authnCommand, authnRuntime } from '../shared/authn-runtime';
import { deliveryProblem, describeDelivery, eventDelivery } from '../shared/event-delivery';
import { runLoad, type Load } from '../shared/load';
import { GUARD, OATHKEEPER, buildPeer, peerSources, type BuiltPeer } from './peer-build';
import { authtrailConfig, guardArgs, oathkeeperArgs, oathkeeperConfig, oathkeeperRules, tokenFileLine, type TlsFiles } from './peer-configs';
import { send, startServer, stopAllServers, type Answer, type ClientTls, type RunningServer } from './servers';
import { guardGap, resultsTable, summarize, targetsTable, verdict, type Measured, type Summary, type TableRow, type Target } from './summary';

const ROOT = resolve(__dirname, '..', '..');
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 16);
const WARMUP_SECONDS = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 2);
const TOKENS = Number(process.env['BENCH_PEERS_TOKENS'] ?? 2_000);
const RESULTS_DIR = resolve(ROOT, process.env['BENCH_RESULTS_DIR'] ?? 'bench/results');
const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const JWT = { issuer: SA_ISSUER, audience: SA_ISSUER };
const AUTHN_RUNTIME = authnRuntime();
const BENCH_USER = { name: 'bench-user', uid: 'uid-1', groups: ['bench', 'devs'] };
const REVIEW_PATH = '/apis/authentication.k8s.io/v1/tokenreviews';
/** Environment variables authtrail's config loader reads: the bench's config file alone decides. */
const CONFIG_ENV = /^(AUTHTRAIL_|PROJECTOR_)|^(KAFKA_BROKERS|DATABASE_URL)$/;
const log = (line: string) => console.log(`[bench/peers] ${line}`);

/** `floor`: bench/shared/floor-work.ts, the least a decision costs a service keeping authtrail's audit. */
type Role = 'authtrail' | 'peer' | 'baseline' | 'floor';

interface Contender {
  readonly server: string;
  readonly role: Role;
  readonly process: RunningServer;
  readonly load: Load;
  /** One request before the measurement: undefined when the answer is the expected one, else why not. */
  readonly check: () => Promise<string | undefined>;
}

interface Scenario {
  readonly title: string;
  readonly contenders: readonly Contender[];
}

/** The load generator running now (ended on SIGINT / SIGTERM). */
let loadChild: ChildProcess | undefined;


/** The private broker's pid: its CPU per request is shown beside the servers' (what recording costs outside the process). */
let brokerPid: number | undefined;

async function measure(label: string, contender: Contender): Promise<Measured> {
  const cpuBefore = ownCpuSeconds(contender.process.pid);
  const brokerBefore = brokerPid ? ownCpuSeconds(brokerPid) : 0;
  const result = await runLoad(contender.load, CONNECTIONS, SECONDS, (child) => (loadChild = child));
  const perRequest = (seconds: number) => (seconds * 1e6) / Math.max(1, result.total);
  const cpuMicrosPerRequest = perRequest(ownCpuSeconds(contender.process.pid) - cpuBefore);
  const brokerCpuMicrosPerRequest = brokerPid ? perRequest(ownCpuSeconds(brokerPid) - brokerBefore) : undefined;
  const measured = { ...result, cpuMicrosPerRequest, brokerCpuMicrosPerRequest, rssBytes: rssBytes(contender.process.pid) };
  const failures = measured.non2xx || measured.errors ? `, non-2xx ${measured.non2xx}, errors ${measured.errors}` : '';
  log(`${label}: ${measured.rps.toFixed(0)} req/s, p99 ${measured.p99} ms, ${cpuMicrosPerRequest.toFixed(0)} µs CPU/req${brokerCpuMicrosPerRequest === undefined ? '' : ` (+${brokerCpuMicrosPerRequest.toFixed(0)} broker)`}, RSS ${((measured.rssBytes ?? 0) / 2 ** 20).toFixed(0)} MiB${failures}`);
  return measured;
}

async function main(): Promise<void> {
  const sources = peerSources(process.env);
  if ('problem' in sources) {
    console.error(`${sources.problem}. Fetch them (git clone, or git worktree add) outside this repository and export the variables; see docs/peers.md.`);
    process.exit(2);
  }
  const started = Date.now();
  const built: Record<'guard' | 'oathkeeper', BuiltPeer> = {
    guard: await buildPeer(GUARD, sources.dirs.get('guard') as string, process.env, log),
    oathkeeper: await buildPeer(OATHKEEPER, sources.dirs.get('oathkeeper') as string, process.env, log),
  };
  for (const [id, peer] of Object.entries(built)) log(`${id}: ${peer.built ? 'built' : 'cached'} ${peer.binary} (sources ${peer.sourceKey})`);

  const dir = mkdtempSync(join(tmpdir(), 'bench-peers-'));
  let broker: RunningKafkaBroker | undefined;
  let ca: TestCa | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      if (loadChild && loadChild.exitCode === null && loadChild.signalCode === null) loadChild.kill('SIGTERM');
      await stopAllServers();
      if (broker) await broker.destroy().catch(() => undefined);
      if (ca) destroyCa(ca);
      rmSync(dir, { recursive: true, force: true });
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the servers and the broker …`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    // ---- keys, certificates, tokens -----------------------------------------------------------
    log('minting the CA, the server and client certificates (client O=token-auth) and the keys …');
    ca = mintCa({ cn: 'bench-peers CA' });
    const serverCert = mintClientCert(ca, { cn: '127.0.0.1', eku: 'serverAuth' });
    const clientCert = mintClientCert(ca, { cn: 'kube-apiserver', orgs: ['token-auth'] });
    const file = (name: string, content: string) => {
      writeFileSync(join(dir, name), content, { mode: 0o600 });
      return join(dir, name);
    };
    const tls: TlsFiles = { caFile: file('ca.crt', ca.certPem), certFile: file('server.crt', serverCert.certPem), keyFile: file('server.key', serverCert.keyPem) };
    const clientTls: ClientTls = { cert: clientCert.certPem, key: clientCert.keyPem };
    const clientTlsFiles = { certFile: file('client.crt', clientCert.certPem), keyFile: file('client.key', clientCert.keyPem) };
    const staticToken = randomBytes(24).toString('hex');
    const tokenFile = file('tokens.csv', tokenFileLine(staticToken, BENCH_USER));
    const saKey = rsaKeyPair({ alg: 'RS256' });
    const saPublicKeyFile = file('sa.pub', saKey.publicPem);
    const jwksFile = file('jwks.json', JSON.stringify(jwksOf(saKey)));
    const mint = (name: string) => signJwt(boundServiceAccountClaims({ issuer: SA_ISSUER, audiences: [SA_ISSUER], name }), saKey);
    const cachedToken = mint('sa-cached');
    log(`minting ${TOKENS} RS256 service-account tokens for the uncached rows …`);
    const tokenHeadersFile = file('token-headers.json', JSON.stringify(Array.from({ length: TOKENS }, (_, i) => ({ authorization: `Bearer ${mint(`sa-${i}`)}` }))));

    // ---- Kafka ----------------------------------------------------------------------------------
    const kafka = await benchKafka(dir, log);
    broker = kafka.broker;
    brokerPid = broker?.pid;
    const { brokers } = kafka;

    // ---- servers --------------------------------------------------------------------------------
    const [guardPort, okApi, okProxy, okMetrics, atCachedHttp, atCachedHttps, atUncachedHttp, jwtCachedPort, jwtUncachedPort, ceilingPort, floorHttpPort] = (await freePorts(11)) as [number, number, number, number, number, number, number, number, number, number, number];
    const nodeEnv: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!CONFIG_ENV.test(key)) nodeEnv[key] = value;
    const nodeScript = (script: string, ...args: string[]) => ({ command: process.execPath, args: ['--import', 'tsx', join(ROOT, script), ...args], cwd: ROOT });

    log(`starting Guard on https://127.0.0.1:${guardPort} …`);
    const guard = await startServer({ name: 'Guard', command: built.guard.binary, args: guardArgs({ port: guardPort, tls, tokenFile }), cwd: dir, env: process.env, logFile: join(dir, 'guard.log'), readyUrl: `https://127.0.0.1:${guardPort}/healthz`, clientTls });

    log(`starting Oathkeeper (decisions API on http://127.0.0.1:${okApi}) …`);
    const rulesFile = file('oathkeeper-rules.json', JSON.stringify(oathkeeperRules('/bench')));
    const oathkeeperConfigFile = file('oathkeeper.yaml', JSON.stringify(oathkeeperConfig({ ports: { api: okApi, proxy: okProxy, prometheus: okMetrics }, rulesFile, jwksFile, jwt: JWT })));
    const oathkeeper = await startServer({ name: 'Oathkeeper', command: built.oathkeeper.binary, args: oathkeeperArgs(oathkeeperConfigFile), cwd: dir, env: process.env, logFile: join(dir, 'oathkeeper.log'), readyUrl: `http://127.0.0.1:${okApi}/health/ready` });

    const authtrailEnv = { ...nodeEnv, KAFKA_BROKERS: brokers, AUTHTRAIL_FINGERPRINT_KEY: `bench:${randomBytes(32).toString('base64')}` };
    const startAuthtrail = async (instance: string, httpPort: number, successTTL: string, httpsPort?: number) => {
      const configFile = file(`${instance}.yaml`, authtrailConfig({ instance, httpPort, ...(httpsPort ? { https: { port: httpsPort, tls } } : {}), successTTL, tokenFile, saPublicKeyFile, jwt: JWT }));
      const authn = authnCommand(ROOT, AUTHN_RUNTIME, ['--config', configFile], log);
      log(`starting authtrail ${instance} (${AUTHN_RUNTIME}, decision cache ${successTTL === '0s' ? 'off' : successTTL}) on http://127.0.0.1:${httpPort}${httpsPort ? ` and https://127.0.0.1:${httpsPort}` : ''} …`);
      return startServer({ name: `authtrail ${instance}`, command: authn.command, args: authn.args, cwd: ROOT, env: authtrailEnv, logFile: join(dir, `${instance}.log`), readyUrl: `http://127.0.0.1:${httpPort}/readyz` });
    };
    const authtrailCached = await startAuthtrail('bench-peers-cached', atCachedHttp, '10s', atCachedHttps);
    const authtrailUncached = await startAuthtrail('bench-peers-uncached', atUncachedHttp, '0s');

    const startFastifyJwt = (cache: boolean, port: number) => {
      log(`starting fastify + @fastify/jwt (verification cache ${cache ? 'on' : 'off'}) on http://127.0.0.1:${port} …`);
      return startServer({ name: `fastify-jwt ${cache ? 'cached' : 'uncached'}`, ...nodeScript('bench/peers/fastify-jwt-server.ts', JSON.stringify({ port, publicKeyFile: saPublicKeyFile, ...JWT, cache })), env: nodeEnv, logFile: join(dir, `fastify-jwt-${cache ? 'cached' : 'uncached'}.log`), readyUrl: `http://127.0.0.1:${port}/healthz` });
    };
    const fastifyJwtCached = await startFastifyJwt(true, jwtCachedPort);
    const fastifyJwtUncached = await startFastifyJwt(false, jwtUncachedPort);

    log(`starting the ceiling and the floors (bare fastify over HTTPS, with and without a Kafka record or an audited decision per request) on https://127.0.0.1:${ceilingPort}, the JWT floors on http://127.0.0.1:${floorHttpPort} …`);
    const ceiling = await startServer({ name: 'ceiling', ...nodeScript('bench/peers/ceiling-server.ts', JSON.stringify({ port: ceilingPort, httpPort: floorHttpPort, publicKeyFile: saPublicKeyFile, ...tls, brokers, spoolDir: join(dir, 'ceiling-spool') })), env: nodeEnv, logFile: join(dir, 'ceiling.log'), readyUrl: `https://127.0.0.1:${ceilingPort}/healthz` });

    // ---- scenarios ------------------------------------------------------------------------------
    const json = { 'content-type': 'application/json' };
    const reviewBody = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: staticToken } });
    const review = (url: string, withClientCert: boolean): Load => ({ url, method: 'POST', headers: json, body: reviewBody, ...(withClientCert ? { tls: clientTlsFiles } : {}) });
    const reviewCheck = (load: Load) => async () => {
      const answer = await send(load.url, { method: 'POST', headers: json, body: reviewBody, ...(load.tls ? { clientTls } : {}) });
      const user = parsed(answer)?.status?.user?.username;
      return answer.status === 200 && parsed(answer)?.status?.authenticated === true && user === BENCH_USER.name ? undefined : `TokenReview answered ${answer.status} ${answer.body.slice(0, 300)}`;
    };
    const bareCheck = (load: Load) => async () => {
      const answer = await send(load.url, { method: 'POST', headers: json, body: reviewBody, clientTls });
      return answer.status === 200 ? undefined : `answered ${answer.status}`;
    };
    // A decision is right when the good token gets 200 with the service account as the user and a
    // tampered one gets 401: every JWT contender really verifies.
    const jwtCheck = (url: string, userHeader: string, expectedUser: (name: string) => string) => async () => {
      const good = await send(url, { headers: { authorization: `Bearer ${cachedToken}` } });
      if (good.status !== 200 || good.headers[userHeader] !== expectedUser('sa-cached')) return `the valid token got ${good.status}, ${userHeader}: ${String(good.headers[userHeader])}`;
      const forged = await send(url, { headers: { authorization: `Bearer ${tamperPayload(cachedToken, { sub: 'system:serviceaccount:default:someone-else' })}` } });
      return forged.status === 401 ? undefined : `a tampered token got ${forged.status}`;
    };
    const subject = (name: string) => `system:serviceaccount:default:${name}`;
    const jwtLoad = (url: string, cached: boolean): Load => ({ url, method: 'GET', ...(cached ? { headers: { authorization: `Bearer ${cachedToken}` } } : { headersFile: tokenHeadersFile }) });
    const authtrailFa = (port: number) => `http://127.0.0.1:${port}/v1/forward-auth`;
    const oathkeeperDecision = `http://127.0.0.1:${okApi}/decisions/bench`;
    const fastifyJwtUrl = (port: number) => `http://127.0.0.1:${port}/forward-auth`;

    const atHttpsReview = review(`https://127.0.0.1:${atCachedHttps}${REVIEW_PATH}`, true);
    const atHttpReview = review(`http://127.0.0.1:${atCachedHttp}${REVIEW_PATH}`, false);
    const guardReview = review(`https://127.0.0.1:${guardPort}/tokenreviews`, true);
    const bareReview = review(`https://127.0.0.1:${ceilingPort}/tokenreviews`, true);
    const ceilingReview = review(`https://127.0.0.1:${ceilingPort}/tokenreviews-with-kafka`, true);
    const floorReview = review(`https://127.0.0.1:${ceilingPort}/tokenreviews-audited`, true);
    const floorUrl = (path: string) => `http://127.0.0.1:${floorHttpPort}${path}`;
    // The audited floor answers whatever it is sent (a cache hit's least); the verified one must refuse a forged token.
    const floorCheck = (url: string) => async () => {
      const good = await send(url, { headers: { authorization: `Bearer ${cachedToken}` } });
      return good.status === 200 ? undefined : `the valid token got ${good.status}`;
    };
    // The JWT floors answer with the identity headers authtrail answers with for the same token.
    const identityOf = (headers: Record<string, unknown>) => JSON.stringify(Object.entries(headers).filter(([name]) => name.startsWith('x-remote-')).sort(([a], [b]) => (a < b ? -1 : 1)));
    const sameIdentityAsAuthtrail = (url: string, check: () => Promise<string | undefined>) => async () => {
      const problem = await check();
      if (problem) return problem;
      const request = { headers: { authorization: `Bearer ${cachedToken}` } };
      const [floor, authtrail] = [identityOf((await send(url, request)).headers), identityOf((await send(authtrailFa(atCachedHttp), request)).headers)];
      return floor === authtrail ? undefined : `its identity headers ${floor} are not authtrail's ${authtrail}`;
    };
    const scenarios: Scenario[] = [
      {
        title: 'TokenReview, static token (HTTPS, client certificate)',
        contenders: [
          { server: 'authtrail', role: 'authtrail', process: authtrailCached, load: atHttpsReview, check: reviewCheck(atHttpsReview) },
          { server: 'Guard', role: 'peer', process: guard, load: guardReview, check: reviewCheck(guardReview) },
          { server: 'authtrail over plain HTTP', role: 'baseline', process: authtrailCached, load: atHttpReview, check: reviewCheck(atHttpReview) },
          { server: 'bare fastify (HTTPS, no authentication)', role: 'baseline', process: ceiling, load: bareReview, check: bareCheck(bareReview) },
          { server: 'ceiling: bare fastify + one Kafka record', role: 'baseline', process: ceiling, load: ceilingReview, check: bareCheck(ceilingReview) },
          { server: 'floor: the ceiling + one audited decision', role: 'floor', process: ceiling, load: floorReview, check: bareCheck(floorReview) },
        ],
      },
      {
        title: 'JWT decision, same token (cache hits)',
        contenders: [
          { server: 'authtrail forward-auth', role: 'authtrail', process: authtrailCached, load: jwtLoad(authtrailFa(atCachedHttp), true), check: jwtCheck(authtrailFa(atCachedHttp), 'x-remote-user', subject) },
          { server: 'Oathkeeper decisions', role: 'peer', process: oathkeeper, load: jwtLoad(oathkeeperDecision, true), check: jwtCheck(oathkeeperDecision, 'x-remote-user', subject) },
          { server: 'fastify + @fastify/jwt (cache on)', role: 'peer', process: fastifyJwtCached, load: jwtLoad(fastifyJwtUrl(jwtCachedPort), true), check: jwtCheck(fastifyJwtUrl(jwtCachedPort), 'x-remote-user', subject) },
          { server: 'floor: bare fastify + one audited decision + one Kafka record + the identity headers', role: 'floor', process: ceiling, load: jwtLoad(floorUrl('/forward-auth-audited'), true), check: sameIdentityAsAuthtrail(floorUrl('/forward-auth-audited'), floorCheck(floorUrl('/forward-auth-audited'))) },
        ],
      },
      {
        title: `JWT decision, a new token each request (${TOKENS} pre-minted)`,
        contenders: [
          { server: 'authtrail forward-auth (cache off)', role: 'authtrail', process: authtrailUncached, load: jwtLoad(authtrailFa(atUncachedHttp), false), check: jwtCheck(authtrailFa(atUncachedHttp), 'x-remote-user', subject) },
          { server: 'Oathkeeper decisions', role: 'peer', process: oathkeeper, load: jwtLoad(oathkeeperDecision, false), check: jwtCheck(oathkeeperDecision, 'x-remote-user', subject) },
          { server: 'fastify + @fastify/jwt (cache off)', role: 'peer', process: fastifyJwtUncached, load: jwtLoad(fastifyJwtUrl(jwtUncachedPort), false), check: jwtCheck(fastifyJwtUrl(jwtUncachedPort), 'x-remote-user', subject) },
          { server: 'floor: bare fastify + one RS256 verify + one audited decision + one Kafka record + the identity headers', role: 'floor', process: ceiling, load: jwtLoad(floorUrl('/forward-auth-verified'), false), check: sameIdentityAsAuthtrail(floorUrl('/forward-auth-verified'), jwtCheck(floorUrl('/forward-auth-verified'), 'x-remote-user', subject)) },
        ],
      },
    ];

    log('checking every server answers the bench requests as expected …');
    for (const scenario of scenarios) {
      for (const contender of scenario.contenders) {
        const problem = await contender.check();
        if (problem) throw new Error(`${contender.server} [${scenario.title}]: ${problem}`);
      }
    }
    // At full load: a lighter warm-up left the broker's JVM and authn's JIT warming up in round 1
    // (the broker's CPU per record twice to four times that of later rounds), which the first
    // server of each scenario paid.
    log(`warming up (${WARMUP_SECONDS} s each, ${CONNECTIONS} connections) …`);
    for (const scenario of scenarios) for (const contender of scenario.contenders) await runLoad(contender.load, CONNECTIONS, WARMUP_SECONDS);

    // ---- rounds, interleaved server by server -------------------------------------------------
    const runs = new Map<Contender, Measured[]>();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const scenario of scenarios) {
        for (const contender of scenario.contenders) {
          const measured = await measure(`round ${round}/${ROUNDS} [${scenario.title}] ${contender.server}`, contender);
          runs.set(contender, [...(runs.get(contender) ?? []), measured]);
        }
      }
    }

    // ---- events, figures ------------------------------------------------------------------------
    const deliveries: string[] = [];
    for (const [name, port] of [['authtrail cached', atCachedHttp], ['authtrail uncached', atUncachedHttp]] as const) {
      const delivery = await eventDelivery(`http://127.0.0.1:${port}/metrics`);
      deliveries.push(describeDelivery(name, delivery));
      log(describeDelivery(name, delivery));
      const problem = deliveryProblem(name, delivery);
      if (problem) throw new Error(`${problem}: its figures measure a publisher that was not delivering, so this run is refused`);
    }

    const rows: TableRow[] = [];
    const targets: Target[] = [];
    const summaries = new Map<Contender, Summary>();
    for (const scenario of scenarios) {
      const authtrail = scenario.contenders.find((c) => c.role === 'authtrail') as Contender;
      const authtrailSummary = summarize(runs.get(authtrail) ?? []);
      const floor = scenario.contenders.find((c) => c.role === 'floor');
      const floorSummary = floor ? summarize(runs.get(floor) ?? []) : undefined;
      for (const contender of scenario.contenders) {
        const summary = summarize(runs.get(contender) ?? []);
        summaries.set(contender, summary);
        rows.push({ scenario: scenario.title, server: contender.server, summary, ...(contender === authtrail ? {} : { authtrailRatio: authtrailSummary.rps / summary.rps }) });
        if (contender.role !== 'peer') continue;
        const goal = contender.server.startsWith('Guard') ? 0.5 : contender.server.startsWith('Oathkeeper') ? 2 : 1;
        targets.push({ name: `${scenario.title}: authtrail ÷ ${contender.server}`, ratio: authtrailSummary.rps / summary.rps, atLeast: goal, ...(floorSummary ? { floorRatio: floorSummary.rps / summary.rps } : {}) });
      }
    }
    const [tokenReview] = scenarios as [Scenario];
    const byServer = (prefix: string) => summaries.get(tokenReview.contenders.find((c) => c.server.startsWith(prefix)) as Contender) as Summary;
    const gap = guardGap({ authtrail: byServer('authtrail'), guard: byServer('Guard'), bare: byServer('bare fastify'), ceiling: byServer('ceiling') });

    const context = [
      `Run of ${new Date().toISOString()}: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s per server, interleaved, after ${WARMUP_SECONDS} s of warm-up each at full load; medians.`,
      `authtrail ${authtrailCommit()}, ${RUNTIME_LABELS[AUTHN_RUNTIME]}, decision events to Kafka (buffered); Guard ${built.guard.sourceKey}, Oathkeeper ${built.oathkeeper.sourceKey} (built from GUARD_SRC / OATHKEEPER_SRC).`,
      `Decision events, checked after the load: ${deliveries.join('; ')}.`,
      `CPU µs/req: the server process's own CPU time (/proc/<pid>/stat, all threads) over the load, per request answered; Kafka broker CPU: the ${broker ? 'private broker process over the same load (busy only for authtrail and the ceiling)' : 'broker is not ours (KAFKA_BROKERS): not measured'}; RSS: /proc/<pid>/status VmRSS after the server's last load.`,
    ].join('\n');
    const report = [`## authtrail and its peers (\`npm run bench peers\`)`, '', context, '', resultsTable(rows), '', targetsTable(targets), '', gap, ''].join('\n');
    console.log(`\n${report}`);
    mkdirSync(RESULTS_DIR, { recursive: true });
    const resultsFile = join(RESULTS_DIR, `peers-${new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}.md`);
    writeFileSync(resultsFile, report);
    log(`tables written to ${relative(ROOT, resultsFile)}`);
    for (const target of targets) log(`${target.name}: ${target.ratio.toFixed(2)}× (goal ≥ ${target.atLeast}×; the floor ${target.floorRatio?.toFixed(2) ?? '—'}×) — ${verdict(target)}`);
    log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await cleanup();
  }
}

/** The checkout's commit, `+dirty` when files differ from it. */
function authtrailCommit(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? '+dirty' : ''}`;
  } catch {
    return 'unknown commit';
  }
}

interface ReviewAnswer {
  readonly status?: { readonly authenticated?: boolean; readonly user?: { readonly username?: string } };
}

function parsed(answer: Answer): ReviewAnswer | undefined {
  try {
    return JSON.parse(answer.body) as ReviewAnswer;
  } catch {
    return undefined;
  }
}

main().catch((error: unknown) => {
  console.error(`[bench/peers] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
