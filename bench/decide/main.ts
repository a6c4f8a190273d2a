// `npm run bench decide`: authtrail's own work per decision (issue #19's title: "own work under
// 20 µs a request"), without HTTP and without Kafka: the decision service authn runs, called in
// this process with the view a TokenReview builds, its event encoded to the record bytes and
// handed to a publisher that keeps nothing. Beside it, in the same run, the least an audited
// decision does (bench/shared/audited-floor.ts: HMAC, record bytes, chain hash, ledger write),
// plus one RS256 `crypto.verify` on a pre-imported key for the uncached row. Like bench authn it
// runs as the image runs authn (BENCH_AUTHN_RUNTIME=bundle, the default; `tsx` for the old way).
// Then, alternated: the ten-rule policy against none, and 10,000 revocations in force against none.
// Last, the uncached row again in fresh processes of this bench, half of them with V8's
// allocation-site pretenuring on (V8's default), half with it off (authn's main: gc-tuning.ts).
//
//   BENCH_DECISIONS=100000 (per measurement)  BENCH_ROUNDS=3 (best of)  BENCH_PRETENURING_PROCESSES=3 (per side)
import { spawnSync } from 'node:child_process';
import { randomBytes, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { loadConfig } from '@authtrail/config';
import { startAuthentication, tokenReviewView, createTrustedProxies, noDecisionMetrics, type DecisionService } from '@authtrail/authentication';
import type { Publisher } from '@authtrail/event-bus';
import { controlEvent, CREDENTIAL_REVOKED_EVENT_TYPE, newEventId, toBusRecord, TOPICS } from '@authtrail/events';
import { createStrategy, validateStrategyConfig } from '@authtrail/strategies';
import { boundServiceAccountClaims, rsaKeyPair, signJwt } from '@authtrail/testing';
import pino from 'pino';
import { authnRuntime } from '../shared/authn-runtime';
import { rerunAsBundle } from '../shared/bundled-rerun';
import { measureChainCost } from '../shared/chain-cost';
import { ownControl, type OwnControl } from '../shared/own-control';
import { auditedFloor } from '../shared/audited-floor';
import { TEN_RULE_POLICY } from '../shared/ten-rule-policy';
import { HEAP_GROWING_PERCENT, tuneGarbageCollection } from '../../services/authn/src/observability/gc-tuning';

const DECISIONS = Number(process.env['BENCH_DECISIONS'] ?? 100_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';
const log = (line: string) => console.log(`[bench/decide] ${line}`);
// Set in the processes this bench starts for its pretenuring row: `on` or `off`.
const PRETENURING_CHILD = process.env['BENCH_DECIDE_PRETENURING'];
const PRETENURING_PROCESSES = Number(process.env['BENCH_PRETENURING_PROCESSES'] ?? 3);

/** CPU µs per operation of `operation` run `count` times, one after another (best of ROUNDS). */
async function cpuPerOperation(name: string, count: number, operation: (i: number) => unknown, rounds = ROUNDS): Promise<number> {
  let best = Infinity;
  for (let round = 1; round <= rounds; round++) {
    const before = process.cpuUsage();
    for (let i = 0; i < count; i++) await operation(i);
    const cpu = process.cpuUsage(before);
    const micros = (cpu.user + cpu.system) / count;
    log(`${name} round ${round}/${rounds}: ${micros.toFixed(1)} µs CPU per decision`);
    best = Math.min(best, micros);
  }
  return best;
}

async function main(): Promise<void> {
  const runtime = authnRuntime('BENCH_AUTHN_RUNTIME', 'bundle');
  await rerunAsBundle(runtime, __filename, log);
  log(runtime === 'bundle' ? 'running as an esbuild bundle on plain node (BENCH_AUTHN_RUNTIME=bundle), as the image runs authn' : 'running on tsx (BENCH_AUTHN_RUNTIME=tsx)');
  // As authn's main does: the decisions and the floor share this process and its V8 collector flags.
  if (PRETENURING_CHILD === 'on') setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  else tuneGarbageCollection();
  const dir = mkdtempSync(join(tmpdir(), 'bench-decide-'));
  const staticToken = randomBytes(24).toString('hex');
  const saKey = rsaKeyPair({ alg: 'RS256' });
  writeFileSync(join(dir, 'tokens.csv'), `${staticToken},bench-user,uid-1,"bench,devs"\n`);
  writeFileSync(join(dir, 'sa.pub'), saKey.publicPem);
  const fingerprintKey = randomBytes(32);

  let published = 0;
  // Takes the encoded record and keeps nothing: what is measured ends where Kafka's client begins.
  const publisher: Publisher = {
    publish: async (record) => ((published += record.value.length > 0 ? 1 : 0), { dropped: false }),
    flush: async () => undefined,
    close: async () => undefined,
    stats: () => ({ published, acknowledged: 0, buffered: 0, spooled: 0, spoolBytes: 0, dropped: 0 }),
  };
  const roots: { close(flushMs: number): Promise<void> }[] = [];
  const decisionsFor = async (name: string, successTTL: string): Promise<DecisionService> => {
    writeFileSync(
      join(dir, `${name}.yaml`),
      [
        `dataDir: ./${name}`,
        'authn:',
        `  cache: { successTTL: ${successTTL}, failureTTL: 0s }`,
        '  strategies:',
        '    - { id: static-token, tokenFile: tokens.csv }',
        `    - { id: service-account, issuers: ["${SA_ISSUER}"], keyFiles: [sa.pub], audiences: ["${SA_ISSUER}"] }`,
      ].join('\n'),
    );
    const config = loadConfig({ argv: ['--config', join(dir, `${name}.yaml`)], env: { AUTHTRAIL_FINGERPRINT_KEY: `bench:${fingerprintKey.toString('base64')}` }, validateStrategy: validateStrategyConfig });
    const root = await startAuthentication(config, { service: 'authn', instance: `bench-${name}`, publisher, logger: pino({ level: 'warn' }), registry: { createStrategy } });
    roots.push(root);
    return root.decisions(noDecisionMetrics);
  };
  const cached = await decisionsFor('cached', '10s');
  const uncached = await decisionsFor('uncached', '0s');

  // #19's policy target compares the same path with and without a ten-rule policy: both with the
  // control state authn runs (policy, revocations, throttle) read from a control topic of their
  // own (an in-process bus each), one seeded with the policy, the other with none.
  writeFileSync(join(dir, 'ten-rules.yaml'), TEN_RULE_POLICY);
  const controls: OwnControl[] = [];
  const withControl = async (name: string, policyFile?: string, revocations = 0): Promise<DecisionService> => {
    writeFileSync(join(dir, `${name}.yaml`), [`dataDir: ./${name}`, 'authn:', '  cache: { successTTL: 10s, failureTTL: 0s }', '  strategies:', '    - { id: static-token, tokenFile: tokens.csv }', ...(policyFile ? [`policy: { file: ${policyFile} }`] : [])].join('\n'));
    const config = loadConfig({ argv: ['--config', join(dir, `${name}.yaml`)], env: { AUTHTRAIL_FINGERPRINT_KEY: `bench:${fingerprintKey.toString('base64')}` }, validateStrategy: validateStrategyConfig });
    // Control events (the seed, status, checkpoints) go through a bus of its own; decisions are discarded like above.
    const control = ownControl(publisher);
    controls.push(control);
    const root = await startAuthentication(config, { service: 'authn', instance: `bench-${name}`, publisher: control.publisher, subscriber: control.subscriber, logger: pino({ level: 'warn' }), registry: { createStrategy } });
    roots.push(root);
    // Revocations in force before the control topic is read (credentials other than the bench's):
    // each decision must find whether its credential is among them.
    for (let i = 0; i < revocations; i++) {
      const time = new Date();
      const data = { revocationId: `bench-${i}`, fingerprint: `hmac-sha256:bench:${i.toString(16).padStart(64, '0')}`, revokedBy: 'bench', expiresAt: '2099-01-01T00:00:00Z' };
      await control.publisher.publish(toBusRecord(TOPICS.control, controlEvent({ id: newEventId(time), time, source: '/authtrail/bench/admin', type: CREDENTIAL_REVOKED_EVENT_TYPE, data })));
    }
    root.loadControl();
    while (!root.ready?.()) await new Promise((resolve) => setTimeout(resolve, 10));
    return root.decisions(noDecisionMetrics);
  };
  const noPolicy = await withControl('control-no-policy');
  const tenRules = await withControl('control-ten-rules', 'ten-rules.yaml');
  const REVOCATIONS = 10_000;
  const revoked = await withControl('control-revocations', undefined, REVOCATIONS);

  const trusted = createTrustedProxies([], []);
  const hop = { peerAddress: '127.0.0.1', headers: { 'user-agent': 'bench' }, method: 'POST', url: '/apis/authentication.k8s.io/v1/tokenreviews', tls: false, peerCertificates: [] };
  const review = (decisions: DecisionService, token: string) => decisions.decide('tokenreview', tokenReviewView(hop, trusted, token, []), process.hrtime.bigint());

  const mintCount = 2_000;
  log(`minting ${mintCount} RS256 service-account tokens …`);
  const saTokens = Array.from({ length: mintCount }, (_, i) => signJwt(boundServiceAccountClaims({ issuer: SA_ISSUER, audiences: [SA_ISSUER], name: `sa-${i}` }), saKey));
  for (const token of [staticToken, saTokens[0] ?? '']) {
    const decided = await review(token === staticToken ? cached : uncached, token);
    if (decided.result.decision !== 'allow') throw new Error(`the bench credential was refused: ${decided.result.reason}`);
  }

  // The least work of an audited decision (bench/shared/audited-floor.ts).
  const audited = auditedFloor();
  const floor = (token: string) => audited.decide(token);
  const verifyOnce = (token: string) => {
    const lastDot = token.lastIndexOf('.');
    return verify('sha256', Buffer.from(token.slice(0, lastDot)), saKey.publicKey, Buffer.from(token.slice(lastDot + 1), 'base64url'));
  };
  const saToken = (i: number) => saTokens[i % mintCount] ?? '';
  if (PRETENURING_CHILD !== undefined) {
    // The uncached row alone, after this process's setup (the 10,000 revocations loaded among it).
    const micros = await cpuPerOperation(`pretenuring ${PRETENURING_CHILD}: authtrail, uncached RS256 SA token`, DECISIONS / 4, (i) => review(uncached, saToken(i)), 2);
    console.log(`PRETENURING_RESULT ${micros}`);
    for (const root of roots) await root.close(1_000);
    audited.close();
    for (const control of controls) await control.close();
    rmSync(dir, { recursive: true, force: true });
    return;
  }

  const rows = [
    { name: 'cached static token', own: await cpuPerOperation('authtrail, cached static token', DECISIONS, () => review(cached, staticToken)), floor: await cpuPerOperation('floor: HMAC + record bytes + chain hash + ledger write', DECISIONS, () => floor(staticToken)) },
    {
      name: 'uncached RS256 service-account token',
      own: await cpuPerOperation('authtrail, uncached RS256 SA token', DECISIONS / 4, (i) => review(uncached, saToken(i))),
      floor: await cpuPerOperation('floor: RS256 verify + the same', DECISIONS / 4, (i) => (verifyOnce(saToken(i)), floor(saToken(i)))),
    },
  ];
  console.log('\n| decision (no HTTP, no Kafka) | authtrail µs CPU | floor µs CPU | authtrail beyond the floor | floor ÷ authtrail |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.name} | ${row.own.toFixed(1)} | ${row.floor.toFixed(1)} | ${(row.own - row.floor).toFixed(1)} µs | ${(row.floor / row.own).toFixed(2)}× |`);
  log(`own work beyond the floor, cached: ${((rows[0]?.own ?? 0) - (rows[0]?.floor ?? 0)).toFixed(1)} µs per decision (issue #19's aim: under 20 µs a request)`);
  // Alternated round by round, best of each: the two share the machine's noise.
  let withoutPolicy = Infinity;
  let withPolicy = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    withoutPolicy = Math.min(withoutPolicy, await cpuPerOperation('control state, no policy', DECISIONS / 2, () => review(noPolicy, staticToken), 1));
    withPolicy = Math.min(withPolicy, await cpuPerOperation('control state, ten-rule policy', DECISIONS / 2, () => review(tenRules, staticToken), 1));
  }
  log(`ten-rule policy: ${withPolicy.toFixed(1)} µs per cached decision vs ${withoutPolicy.toFixed(1)} µs without = ${(withoutPolicy / withPolicy).toFixed(2)}× the rate of the same path without (issue #19's target: ≥ 0.95×)`);
  // Revocations are found through an index: thousands in force must not cost every decision.
  let withoutRevocations = Infinity;
  let withRevocations = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    withoutRevocations = Math.min(withoutRevocations, await cpuPerOperation('control state, no revocations', DECISIONS / 2, () => review(noPolicy, staticToken), 1));
    withRevocations = Math.min(withRevocations, await cpuPerOperation(`control state, ${REVOCATIONS} revocations in force`, DECISIONS / 2, () => review(revoked, staticToken), 1));
  }
  log(`${REVOCATIONS} revocations in force: ${withRevocations.toFixed(1)} µs per cached decision vs ${withoutRevocations.toFixed(1)} µs with none = ${(withoutRevocations / withRevocations).toFixed(2)}× the rate`);
  const chain = await measureChainCost(DECISIONS, ROUNDS);
  log(`integrity chain: ${chain.chainedMicros.toFixed(2)} µs per chained publish vs ${chain.plainMicros.toFixed(2)} µs unchained = +${(chain.chainedMicros - chain.plainMicros).toFixed(2)} µs per decision, a checkpoint per 1000 included (issue #21's bound: 5 µs)`);
  audited.close();
  for (const root of roots) await root.close(1_000);
  for (const control of controls) await control.close();
  rmSync(dir, { recursive: true, force: true });
  comparePretenuring(rows[1]?.own ?? 0);
}

/**
 * V8 allocates straight in the old generation at an allocation site whose objects once survived
 * (here: while the 10,000 revocations loaded); a decision's objects made there die old and drag
 * what they point to through a scavenge (docs/authn.md "Session 23"). Whether a site tips over
 * depends on when scavenges fall during the setup, so each side runs in several fresh processes.
 */
function comparePretenuring(thisProcessMicros: number): void {
  const sides = { on: [] as number[], off: [] as number[] };
  for (let i = 0; i < PRETENURING_PROCESSES; i++) {
    for (const side of ['on', 'off'] as const) {
      log(`pretenuring ${side}, process ${i + 1}/${PRETENURING_PROCESSES}: the uncached row in a fresh process …`);
      const run = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { encoding: 'utf8', env: { ...process.env, BENCH_DECIDE_PRETENURING: side } });
      const micros = Number(/^PRETENURING_RESULT (\S+)$/m.exec(run.stdout)?.[1]);
      if (run.status !== 0 || !Number.isFinite(micros)) throw new Error(`the pretenuring ${side} process failed (status ${run.status}): ${run.stderr.slice(-2000)}`);
      sides[side].push(micros);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  const list = (values: number[]) => values.map((v) => v.toFixed(1)).join(', ');
  log(
    `uncached decision in fresh processes: pretenuring on (V8's default) ${list(sides.on)} µs, off (authn's main) ${list(sides.off)} µs; ` +
      `medians ${median(sides.on).toFixed(1)} and ${median(sides.off).toFixed(1)} µs: with it off, ${(median(sides.on) / median(sides.off)).toFixed(2)}× the decisions per CPU second (this process, off: ${thisProcessMicros.toFixed(1)} µs)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
