// `npx tsx bench/strategies/main.ts`: decisions per second of every authentication strategy,
// uncached and through `cached(...)`, and for the JWT strategies the ratio to a raw
// `crypto.verify` of the same token with a pre-imported KeyObject, measured in the same run on
// the same machine. Each strategy is built through the registry exactly as authn builds it.
//
// BENCH_SECONDS=<n> sets the time per measurement (default 1; the whole run stays under a
// minute by default). BENCH_CONCURRENCY=<n> sets the in-flight decisions (default 8).
// BENCH_ONLY=oidc,service-account measures only those strategies.
import { verify, type KeyObject, type X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash as argon2Hash } from '@node-rs/argon2';
import { cached, createStrategy, knownStrategyIds, type AuthOutcome, type RequestView, type Strategy } from '@authtrail/strategies';
import {
  boundServiceAccountClaims,
  bootstrapSecretsYaml,
  destroyCa,
  mintBootstrapToken,
  mintCa,
  mintClientCert,
  rsaKeyPair,
  signJwt,
  startOidcProvider,
  type TestOidcProvider,
} from '@authtrail/testing';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? '1');
const ONLY = process.env['BENCH_ONLY']?.split(',').filter(Boolean);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? '8');
const log = (line: string): void => console.log(`[bench strategies] ${line}`);

interface Subject {
  readonly id: string;
  readonly config: { readonly id: string } & Record<string, unknown>;
  readonly request: RequestView;
  /** For JWT strategies: the token and the key that verifies it, for the raw baseline. */
  readonly jwt?: { readonly token: string; readonly key: KeyObject };
}

interface Row {
  readonly id: string;
  readonly uncached?: number;
  readonly cached?: number;
  /** JWT strategies: uncached with one decision in flight, comparable to the one-thread raw loop. */
  readonly sequential?: number;
  readonly rawVerify?: number;
  readonly note?: string;
}

function view(headers: Record<string, string>, peerCertificates: readonly X509Certificate[] = []): RequestView {
  return { headers, peerCertificates, sourceIp: '10.0.0.1', method: 'GET', path: '/api', audiences: [], tls: true };
}

/** Runs `fn` with `inFlight` calls in flight for SECONDS after a short warm-up; calls per second. */
async function rate(fn: () => Promise<unknown> | unknown, inFlight = CONCURRENCY): Promise<number> {
  const run = async (ms: number): Promise<number> => {
    const end = performance.now() + ms;
    let count = 0;
    const worker = async (): Promise<void> => {
      while (performance.now() < end) {
        await fn();
        count++;
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: inFlight }, worker));
    return count / ((performance.now() - started) / 1000);
  };
  await run(Math.min(300, SECONDS * 200));
  return run(SECONDS * 1000);
}

/**
 * The baseline and the strategy in alternating slices (8 rounds), so a change in machine load
 * (other processes) hits both alike and the ratio stays meaningful.
 */
async function interleaved(rawFn: () => unknown, decide: () => Promise<unknown>): Promise<{ raw: number; sequential: number }> {
  const slice = (SECONDS * 1000) / 8;
  let rawCount = 0;
  let rawMs = 0;
  let seqCount = 0;
  let seqMs = 0;
  for (let round = 0; round < 8; round++) {
    let started = performance.now();
    let end = started + slice;
    while (performance.now() < end) {
      rawFn();
      rawCount++;
    }
    rawMs += performance.now() - started;
    started = performance.now();
    end = started + slice;
    while (performance.now() < end) {
      await decide();
      seqCount++;
    }
    seqMs += performance.now() - started;
  }
  return { raw: rawCount / (rawMs / 1000), sequential: seqCount / (seqMs / 1000) };
}

/** Raw RS256/ES256 verification of a compact JWS with an already imported key. */
function rawVerifier(token: string, key: KeyObject): () => boolean {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const alg = (JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg: string }).alg;
  const data = Buffer.from(`${header}.${payload}`);
  const sig = Buffer.from(signature, 'base64url');
  const digest = `sha${alg.slice(2)}`;
  const options = alg.startsWith('ES') ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
  return () => verify(digest, data, options, sig);
}

async function fixtures(dir: string, cleanups: (() => Promise<void> | void)[]): Promise<readonly Subject[]> {
  const subjects: Subject[] = [];

  log('fixtures: static-token');
  writeFileSync(join(dir, 'tokens.csv'), 'bench-static-token-0123456789,alice,u-alice,"dev,ops"\n');
  subjects.push({ id: 'static-token', config: { id: 'static-token', tokenFile: join(dir, 'tokens.csv') }, request: view({ authorization: 'Bearer bench-static-token-0123456789' }) });

  log('fixtures: bootstrap-token');
  const bootstrap = mintBootstrapToken({ expiration: new Date(Date.now() + 86_400_000), extraGroups: ['system:bootstrappers:bench'] });
  writeFileSync(join(dir, 'bootstrap.yaml'), bootstrapSecretsYaml([bootstrap.manifest]));
  subjects.push({ id: 'bootstrap-token', config: { id: 'bootstrap-token', secretsFile: join(dir, 'bootstrap.yaml') }, request: view({ authorization: `Bearer ${bootstrap.token}` }) });

  log('fixtures: basic-auth (argon2id hash)');
  writeFileSync(join(dir, 'users.csv'), `"${await argon2Hash('bench-password')}",bob,u-bob,"dev"\n`);
  subjects.push({
    id: 'basic-auth',
    config: { id: 'basic-auth', passwordFile: join(dir, 'users.csv') },
    request: view({ authorization: `Basic ${Buffer.from('bob:bench-password').toString('base64')}` }),
  });

  log('fixtures: x509 (RSA CA and client certificate)');
  const ca = mintCa();
  cleanups.push(() => destroyCa(ca));
  const client = mintClientCert(ca, { cn: 'carol', orgs: ['dev'] });
  writeFileSync(join(dir, 'ca.crt'), ca.certPem);
  subjects.push({ id: 'x509', config: { id: 'x509', clientCAFile: join(dir, 'ca.crt') }, request: view({}, [client.cert]) });

  log('fixtures: service-account (RSA key file, bound token)');
  const saKey = rsaKeyPair();
  const issuer = 'https://kubernetes.default.svc.cluster.local';
  writeFileSync(join(dir, 'sa.pub'), saKey.publicPem);
  const saToken = signJwt(boundServiceAccountClaims({ issuer, audiences: [issuer] }), saKey);
  subjects.push({
    id: 'service-account',
    config: { id: 'service-account', issuers: [issuer], keyFiles: [join(dir, 'sa.pub')] },
    request: view({ authorization: `Bearer ${saToken}` }),
    jwt: { token: saToken, key: saKey.publicKey },
  });

  log('fixtures: oidc (starting a real oidc-provider over https)');
  const provider: TestOidcProvider = await startOidcProvider();
  cleanups.push(() => provider.stop());
  const [signing] = provider.keys;
  if (!signing) throw new Error('oidc-provider has no signing key');
  const idToken = await provider.issueIdToken({ sub: 'dave', claims: { email: 'dave@example.com', email_verified: true, groups: ['dev'] } });
  subjects.push({
    id: 'oidc',
    config: {
      id: 'oidc',
      issuer: { url: provider.issuer, audiences: [provider.clientId], certificateAuthority: provider.ca },
      claimMappings: { username: { claim: 'email', prefix: '' }, groups: { claim: 'groups', prefix: 'oidc:' } },
    },
    request: view({ authorization: `Bearer ${idToken}` }),
    jwt: { token: idToken, key: signing.publicKey },
  });

  subjects.push({ id: 'anonymous', config: { id: 'anonymous' }, request: view({}) });
  return subjects;
}

async function benchOne(subject: Subject): Promise<Row> {
  if (!knownStrategyIds().includes(subject.id)) return { id: subject.id, note: 'not registered yet: skipped' };
  let strategy: Strategy;
  try {
    strategy = await createStrategy(subject.config, {}, `bench.${subject.id}`);
  } catch (error) {
    return { id: subject.id, note: `could not start: ${(error as Error).message.split('\n')[0]}` };
  }
  try {
    const first: AuthOutcome = await strategy.authenticate(subject.request);
    if (first.kind !== 'authenticated') return { id: subject.id, note: `fixture not authenticated (${first.kind}${'reason' in first ? ` ${first.reason}` : ''}): skipped` };
    log(`${subject.id}: uncached ...`);
    const uncached = await rate(() => strategy.authenticate(subject.request));
    log(`${subject.id}: uncached ${uncached.toFixed(0)}/s; cached ...`);
    const memo = cached(strategy, { successTTLms: 3_600_000 });
    const cachedRate = await rate(() => memo.authenticate(subject.request));
    log(`${subject.id}: cached ${cachedRate.toFixed(0)}/s`);
    if (subject.jwt) {
      const check = rawVerifier(subject.jwt.token, subject.jwt.key);
      if (!check()) return { id: subject.id, uncached, cached: cachedRate, note: 'raw verify baseline failed' };
      log(`${subject.id}: raw crypto.verify vs one decision in flight, interleaved ...`);
      const { raw, sequential } = await interleaved(check, () => strategy.authenticate(subject.request));
      log(`${subject.id}: raw crypto.verify ${raw.toFixed(0)}/s, uncached with 1 in flight ${sequential.toFixed(0)}/s`);
      return { id: subject.id, uncached, cached: cachedRate, rawVerify: raw, sequential };
    }
    return { id: subject.id, uncached, cached: cachedRate };
  } finally {
    await strategy.close?.();
  }
}

function table(rows: readonly Row[]): string {
  const n = (v: number | undefined): string => (v === undefined ? '-' : Math.round(v).toLocaleString('en-US'));
  const ratio = (a: number | undefined, b: number | undefined, digits: number): string => (a && b ? `${(a / b).toFixed(digits)}` : '-');
  const head = ['strategy', 'uncached/s', 'cached/s', 'cached÷uncached', 'raw verify/s', 'uncached 1-in-flight/s', '1-in-flight÷raw', `${CONCURRENCY}-in-flight÷raw`, 'note'];
  const lines = rows.map((r) => [
    r.id,
    n(r.uncached),
    n(r.cached),
    ratio(r.cached, r.uncached, 1),
    n(r.rawVerify),
    n(r.sequential),
    ratio(r.sequential, r.rawVerify, 2),
    ratio(r.uncached, r.rawVerify, 2),
    r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

async function main(): Promise<void> {
  log(`node ${process.version}, ${SECONDS}s per measurement, ${CONCURRENCY} in flight`);
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-bench-strategies-'));
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  try {
    const subjects = await fixtures(dir, cleanups);
    const rows: Row[] = [];
    for (const subject of subjects.filter((s) => !ONLY || ONLY.includes(s.id))) {
      const row = await benchOne(subject);
      if (row.note) log(`${row.id}: ${row.note}`);
      rows.push(row);
    }
    console.log(`\n${table(rows)}\n`);
    console.log('raw verify: crypto.verify of the same token with a pre-imported KeyObject, in a synchronous loop (one thread).');
    console.log('1-in-flight÷raw: the whole JWT decision (pre-checks, key lookup, jose/WebCrypto verification, claims) one at a');
    console.log(`time, over that baseline. ${CONCURRENCY}-in-flight÷raw can exceed 1: WebCrypto verifies on libuv's thread pool, using every core.`);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
