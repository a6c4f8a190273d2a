// `npm run e2e:kube`: a real kube-apiserver with authtrail as its token webhook, on loopback.
//
//   1. kube-apiserver and kubectl v1.37.2 built from the Go module proxy (cached), etcd from Debian;
//   2. certificates and keys (openssl), authtrail started with an HTTPS listener asking for client
//      certificates, etcd and kube-apiserver started with authtrail as the token webhook over mTLS,
//      kube's default webhook version (v1beta1, unless KUBE_E2E_WEBHOOK_VERSION) and cache TTL (2m);
//   3. `kubectl auth whoami` and `kubectl get ns` with a good, a bad, an expired static token, a
//      service-account token only authtrail knows, and one from the cluster's own `kubectl create
//      token`; `kubectl auth whoami` pointed at authtrail itself;
//   4. the decisions read back through authtrail's GraphQL.
//
// Not part of `npm test` or CI (the first build takes 15–25 minutes on two cores). docs/kubernetes.md
// records the last run. Environment: AUTHTRAIL_KUBE_CACHE (binary cache), KUBE_E2E_KEEP=1 (keep the
// run's folder with its logs, keys and data even when everything passed), KUBE_E2E_WEBHOOK_VERSION=v1
// (pass --authentication-token-webhook-version; default: not passed, kube's v1beta1).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AUTHTRAIL_SA_ISSUER, GraphqlClient, mintServiceAccountToken, newToken, REPO_ROOT, startAuthtrail, writeAuthtrailConfig, type StaticToken } from './authtrail';
import { countLogLines, ensureEtcd, kubeApiserverArgs, Kubectl, startEtcd, startKubeApiserver, versionOf, writeKubeconfig, writeWebhookKubeconfig, type KubectlResult } from './cluster';
import { ensureKubeBinaries, KUBERNETES_VERSION } from './kube-build';
import { createCa, issue, keyPair } from './pki';
import { freePort, stopAll } from './processes';

const API_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';
const WEBHOOK_CLIENT_CN = 'kube-apiserver-webhook-client';
const E2E_GROUP = 'authtrail:e2e';
/** kube-apiserver's log line for a request no authenticator accepted (pkg/endpoints/filters/authentication.go). */
const UNABLE_TO_AUTHENTICATE = /"Unable to authenticate the request"/;

const startedAt = Date.now();
function progress(line: string): void {
  console.log(`[kube-e2e ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)}s] ${line}`);
}

interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}
const checks: Check[] = [];
function check(name: string, ok: boolean, detail = ''): void {
  checks.push({ name, ok, detail });
  progress(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
}

/** What the doc shows: commands and their output, never a credential (checked before it is written). */
const transcript: string[] = [];
function record(title: string, result: KubectlResult): void {
  const output = `${result.stdout}${result.stderr}`.trimEnd();
  transcript.push(`$ ${result.command}    # ${title}`, output === '' ? '(no output)' : output, `(exit ${result.code})`, '');
}

interface TokenCase {
  readonly label: string;
  readonly token: string;
  /** The user kube-apiserver should see, or undefined for 401. */
  readonly user?: { readonly username: string; readonly groups?: readonly string[] };
  /** What authtrail should have recorded for its TokenReviews, or 'none' when kube-apiserver never asks it. */
  readonly decision: 'none' | { readonly decision: 'ALLOW' | 'DENY'; readonly reason?: string; readonly username: string | null; readonly strategy: string };
}

interface DecisionRow {
  readonly time: string;
  readonly decision: string;
  readonly httpStatus: number;
  readonly reason: string;
  readonly strategy: string | null;
  readonly username: string | null;
  readonly groups: readonly string[];
  readonly endpoint: string;
  readonly path: string | null;
  readonly tls: boolean | null;
  readonly sourceIp: string | null;
  readonly userAgent: string | null;
  readonly [caller: string]: unknown;
}

const usernameOf = (whoami: string) => /^Username\s+(\S+)/m.exec(whoami)?.[1];
const groupsOf = (whoami: string) => /^Groups\s+\[([^\]]*)\]/m.exec(whoami)?.[1].split(' ').filter(Boolean) ?? [];

async function main(): Promise<number> {
  const webhookVersion = webhookVersionOf(process.env['KUBE_E2E_WEBHOOK_VERSION']);
  progress(`authtrail ${gitDescription()} — kube-apiserver ${KUBERNETES_VERSION} with authtrail as its token webhook`);
  const binaries = await ensureKubeBinaries(progress);
  const etcd = ensureEtcd(progress);
  const versions = {
    'kube-apiserver': versionOf(binaries.kubeApiserver, ['--version']),
    kubectl: versionOf(binaries.kubectl, ['version', '--client']).split('\n')[0],
    etcd: versionOf(etcd, ['--version']).split('\n').slice(0, 2).join(', '),
    go: `${binaries.goVersion} (built the binaries)`,
    node: process.version,
    openssl: versionOf('openssl', ['version']),
  };
  for (const [name, version] of Object.entries(versions)) progress(`  ${name}: ${version}`);

  const workDir = mkdtempSync(path.join(tmpdir(), 'authtrail-kube-e2e-'));
  // As root, embedded PostgreSQL runs as the postgres user, which must traverse this folder to its data.
  chmodSync(workDir, 0o711);
  const pki = path.join(workDir, 'pki');
  mkdirSync(pki, { mode: 0o700 });
  progress(`run folder ${workDir}`);
  let keep = process.env['KUBE_E2E_KEEP'] === '1';
  const onSignal = () => void stopAll(progress).finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const ports = { etcdClient: await freePort(), etcdPeer: await freePort(), kube: await freePort(), http: await freePort(), https: await freePort(), graphql: await freePort() };
    progress(`ports: etcd ${ports.etcdClient}/${ports.etcdPeer}, kube-apiserver ${ports.kube}, authtrail http ${ports.http} https ${ports.https} graphql ${ports.graphql}`);

    progress('certificates and keys (openssl): cluster CA, authtrail CA, webhook-client CA, service-account keys');
    const clusterCa = createCa(pki, 'cluster-ca', 'kube-e2e cluster CA');
    const kubeServing = issue(clusterCa, pki, 'kube-apiserver', { commonName: 'kube-apiserver', serverNames: ['DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default.svc', 'IP:127.0.0.1', 'IP:10.0.0.1'] });
    const admin = issue(clusterCa, pki, 'e2e-admin', { commonName: 'e2e-admin', organizations: ['system:masters'] });
    const authtrailCa = createCa(pki, 'authtrail-ca', 'kube-e2e authtrail CA');
    const authtrailServing = issue(authtrailCa, pki, 'authtrail', { commonName: 'authtrail', serverNames: ['DNS:localhost', 'IP:127.0.0.1'] });
    const webhookClientCa = createCa(pki, 'webhook-client-ca', 'kube-e2e webhook client CA');
    const webhookClient = issue(webhookClientCa, pki, 'webhook-client', { commonName: WEBHOOK_CLIENT_CN, organizations: ['authtrail:webhook-callers'] });
    const kubeServiceAccount = keyPair(pki, 'kube-sa', 'rsa');
    const authtrailServiceAccount = keyPair(pki, 'authtrail-sa', 'ec-p256');

    const adminToken = newToken();
    const alice: StaticToken = { token: newToken(), username: 'alice', uid: 'uid-alice', groups: [E2E_GROUP, 'developers'] };
    const bob: StaticToken = { token: newToken(), username: 'bob', uid: 'uid-bob', groups: [E2E_GROUP], expiry: '2020-01-01T00:00:00Z' };
    const configFile = writeAuthtrailConfig({
      workDir,
      ports: { http: ports.http, https: ports.https, graphql: ports.graphql },
      serving: authtrailServing,
      clientCaFile: webhookClientCa.certFile,
      serviceAccountPublicKeyFile: authtrailServiceAccount.publicKeyFile,
      apiAudience: API_AUDIENCE,
      tokens: [{ token: adminToken, username: 'e2e-admin', uid: 'uid-e2e-admin', groups: ['authtrail:admins'] }, alice, bob],
    });
    progress(`starting authtrail: node --import tsx tools/cli/src/main.ts start --config ${configFile}`);
    await startAuthtrail(configFile, workDir, ports);
    progress(`authtrail ready: https://127.0.0.1:${ports.https} (client certificates requested), GraphQL http://127.0.0.1:${ports.graphql}/graphql`);

    progress('starting etcd');
    await startEtcd(etcd, workDir, { client: ports.etcdClient, peer: ports.etcdPeer });

    const webhook = writeWebhookKubeconfig(workDir, ports.https, { ca: authtrailCa.certFile, clientCert: webhookClient.certFile, clientKey: webhookClient.keyFile });
    progress(`webhook kubeconfig from infra/k8s/authn-webhook.kubeconfig.yaml: server ${webhook.server}`);
    const kubeServer = `https://127.0.0.1:${ports.kube}`;
    const home = path.join(workDir, 'home');
    const adminKubectl = new Kubectl(binaries.kubectl, writeKubeconfig(path.join(workDir, 'admin.kubeconfig'), kubeServer, clusterCa.certFile, { 'client-certificate': admin.certFile, 'client-key': admin.keyFile }), home);
    const kubeFiles = {
      workDir,
      port: ports.kube,
      etcdUrl: `http://127.0.0.1:${ports.etcdClient}`,
      serving: kubeServing,
      clientCaFile: clusterCa.certFile,
      serviceAccount: { ...kubeServiceAccount, issuer: API_AUDIENCE },
      webhookKubeconfig: webhook.file,
      webhookVersion,
    };
    progress(`starting kube-apiserver ${kubeApiserverArgs(kubeFiles).join(' ')}`);
    const kubeApiserver = await startKubeApiserver(binaries.kubeApiserver, kubeFiles, adminKubectl);
    progress('kube-apiserver ready');

    progress('cluster setup as e2e-admin (client certificate, system:masters): a service account and RBAC for the test users');
    for (const args of [
      ['create', 'serviceaccount', 'e2e-builder', '--namespace', 'default'],
      ['create', 'clusterrole', 'authtrail-e2e-namespace-reader', '--verb=get,list,watch', '--resource=namespaces'],
      ['create', 'clusterrolebinding', 'authtrail-e2e-namespace-reader', '--clusterrole=authtrail-e2e-namespace-reader', `--group=${E2E_GROUP}`, '--user=system:serviceaccount:ci:builder', '--serviceaccount=default:e2e-builder'],
    ]) {
      const result = await retry(() => adminKubectl.run(args));
      record('as e2e-admin', result);
      if (result.code !== 0) throw new Error(`${result.command}: ${result.stderr.trim()}`);
    }
    const created = await adminKubectl.run(['create', 'token', 'e2e-builder', '--namespace', 'default', '--duration=10m']);
    transcript.push(`$ ${created.command}    # as e2e-admin`, '(the token, not shown)', `(exit ${created.code})`, '');
    if (created.code !== 0) throw new Error(`kubectl create token: ${created.stderr.trim()}`);
    const clusterSaToken = created.stdout.trim();
    const authtrailSaToken = mintServiceAccountToken(authtrailServiceAccount.privateKeyFile, 'ci', 'builder', API_AUDIENCE);

    const cases: TokenCase[] = [
      { label: 'good static token (alice)', token: alice.token, user: { username: 'alice', groups: [E2E_GROUP, 'developers', 'system:authenticated'] }, decision: { decision: 'ALLOW', username: 'alice', strategy: 'static-token' } },
      { label: 'bad token (unknown)', token: newToken(), decision: { decision: 'DENY', reason: 'unknown_token', username: null, strategy: 'static-token' } },
      { label: 'expired static token (bob)', token: bob.token, decision: { decision: 'DENY', reason: 'token_expired', username: 'bob', strategy: 'static-token' } },
      { label: `service-account token only authtrail knows (issuer ${AUTHTRAIL_SA_ISSUER})`, token: authtrailSaToken, user: { username: 'system:serviceaccount:ci:builder', groups: ['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated'] }, decision: { decision: 'ALLOW', username: 'system:serviceaccount:ci:builder', strategy: 'service-account' } },
      { label: "the cluster's own service-account token (kubectl create token)", token: clusterSaToken, user: { username: 'system:serviceaccount:default:e2e-builder' }, decision: 'none' },
    ];
    const directBadToken = newToken();
    const secrets = [adminToken, directBadToken, ...cases.map((c) => c.token)];

    // kube-apiserver logs "Unable to authenticate the request" once per refused request: the count per
    // token says how many requests kube-apiserver refused, against how many TokenReviews authtrail got.
    const refusedRequests = new Map<string, number>();
    for (const [index, c] of cases.entries()) {
      const refusedBefore = countLogLines(kubeApiserver.logFile, UNABLE_TO_AUTHENTICATE);
      const kubectl = new Kubectl(binaries.kubectl, writeKubeconfig(path.join(workDir, `token-${index}.kubeconfig`), kubeServer, clusterCa.certFile, { token: c.token }), home);
      const whoami = await kubectl.run(['auth', 'whoami']);
      record(c.label, whoami);
      const namespaces = await kubectl.run(['get', 'ns']);
      record(c.label, namespaces);
      // A second `get ns`: one more request with the same token, inside kube's webhook cache TTL (2m).
      const again = await kubectl.run(['get', 'ns', '--output=name']);
      record(`${c.label}, again`, again);
      refusedRequests.set(c.label, countLogLines(kubeApiserver.logFile, UNABLE_TO_AUTHENTICATE) - refusedBefore);
      if (c.user) {
        check(`kube-apiserver: kubectl auth whoami, ${c.label} → ${c.user.username}`, whoami.code === 0 && usernameOf(whoami.stdout) === c.user.username, whoami.code === 0 ? `Username ${usernameOf(whoami.stdout)}` : firstLine(whoami.stderr));
        if (c.user.groups) {
          const groups = groupsOf(whoami.stdout);
          check(`kube-apiserver: groups of ${c.user.username}`, c.user.groups.every((g) => groups.includes(g)), `[${groups.join(' ')}]`);
        }
        check(`kube-apiserver: kubectl get ns, ${c.label} → lists namespaces (twice)`, namespaces.code === 0 && again.code === 0 && /^default\s+Active/m.test(namespaces.stdout) && /^kube-system\s+Active/m.test(namespaces.stdout), namespaces.code === 0 ? `${namespaces.stdout.trim().split('\n').length - 1} namespaces` : firstLine(namespaces.stderr));
      } else {
        check(`kube-apiserver: kubectl auth whoami, ${c.label} → Unauthorized`, whoami.code !== 0 && /Unauthorized/.test(whoami.stderr), firstLine(whoami.stderr || whoami.stdout));
        check(`kube-apiserver: kubectl get ns, ${c.label} → Unauthorized (twice)`, namespaces.code !== 0 && again.code !== 0 && /Unauthorized/.test(namespaces.stderr), lastLine(namespaces.stderr || namespaces.stdout));
      }
    }

    progress('kubectl auth whoami pointed at authtrail itself (SelfSubjectReview, protobuf request)');
    const direct = new Kubectl(binaries.kubectl, writeKubeconfig(path.join(workDir, 'authtrail-alice.kubeconfig'), `https://127.0.0.1:${ports.https}`, authtrailCa.certFile, { token: alice.token }), home);
    const directWhoami = await direct.run(['auth', 'whoami']);
    record('alice, server = authtrail', directWhoami);
    check('authtrail: kubectl auth whoami against authtrail, alice → alice', directWhoami.code === 0 && usernameOf(directWhoami.stdout) === 'alice', directWhoami.code === 0 ? `Username ${usernameOf(directWhoami.stdout)}` : firstLine(directWhoami.stderr));
    const directBad = new Kubectl(binaries.kubectl, writeKubeconfig(path.join(workDir, 'authtrail-bad.kubeconfig'), `https://127.0.0.1:${ports.https}`, authtrailCa.certFile, { token: directBadToken }), home);
    const directBadWhoami = await directBad.run(['auth', 'whoami']);
    record('bad token, server = authtrail', directBadWhoami);
    // kubectl prints the message of the 401 Status: kube-apiserver's is "Unauthorized", authtrail's names the reason.
    check('authtrail: kubectl auth whoami against authtrail, bad token → 401', directBadWhoami.code !== 0 && /You must be logged in to the server/.test(directBadWhoami.stderr), firstLine(directBadWhoami.stderr || directBadWhoami.stdout));

    progress('reading the decisions back through GraphQL');
    const graphql = new GraphqlClient(`http://127.0.0.1:${ports.graphql}/graphql`, adminToken);
    const callerFields = await callerSelection(graphql);
    const decisionFields = `time decision httpStatus reason strategy username groups endpoint path tls sourceIp userAgent ${callerFields}`;
    const decisionsOf = async (token: string, endpoint: string) => {
      const { credentialFingerprint } = await graphql.query<{ credentialFingerprint: string }>('query($secret: String!) { credentialFingerprint(secret: $secret) }', { secret: token });
      const data = await graphql.query<{ decisions: { totalCount: number; edges: { node: DecisionRow }[] } }>(`query($fp: String!, $endpoint: String!) { decisions(first: 50, filter: { credentialFingerprint: $fp, endpoint: $endpoint }) { totalCount edges { node { ${decisionFields} } } } }`, { fp: credentialFingerprint, endpoint });
      return data.decisions.edges.map((e) => e.node);
    };
    // The projector runs behind authn: wait until every decision the run expects is there, then a little more.
    const webhookCases = cases.filter((c) => c.decision !== 'none');
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const seen = await Promise.all(webhookCases.map(async (c) => (await decisionsOf(c.token, 'tokenreview')).length > 0));
      if (seen.every(Boolean)) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));

    const rows: string[] = [];
    for (const c of cases) {
      const decisions = await decisionsOf(c.token, 'tokenreview');
      for (const d of decisions) rows.push(decisionRow(c.label, d, callerFields));
      if (c.decision === 'none') {
        check(`GraphQL: ${c.label} → no TokenReview (kube-apiserver validated it itself)`, decisions.length === 0, `${decisions.length} decisions`);
        continue;
      }
      const expected = c.decision;
      const matching = decisions.filter((d) => d.decision === expected.decision && d.username === expected.username && d.strategy === expected.strategy && (expected.reason === undefined || d.reason === expected.reason));
      check(
        `GraphQL: ${c.label} → ${expected.decision}${expected.reason ? ` ${expected.reason}` : ''}, user ${expected.username ?? '(none)'}, strategy ${expected.strategy}`,
        decisions.length > 0 && matching.length === decisions.length,
        decisions.map((d) => `${d.decision} ${d.reason} ${d.username ?? '(no user)'} ${d.strategy ?? ''}`).join('; ') || 'no decision',
      );
      check(`GraphQL: ${c.label} → the webhook call was over TLS to ${webhook.server.replace(/^https:\/\/[^/]+/, '')}`, decisions.length > 0 && decisions.every((d) => d.tls === true && d.path === new URL(webhook.server).pathname), decisions.map((d) => `tls ${d.tls} ${d.path}`).join('; '));
      check(`GraphQL: ${c.label} → kube-apiserver's client certificate (${WEBHOOK_CLIENT_CN}) is not the user`, decisions.every((d) => d.username !== WEBHOOK_CLIENT_CN && d.strategy !== 'x509'));
      if (expected.decision === 'DENY') {
        // Without status.error kube-apiserver caches the rejection (webhook cache TTL 2m): whoami and two get ns
        // cost authtrail one TokenReview. With status.error kube asks again for every request.
        const refused = refusedRequests.get(c.label) ?? 0;
        check(`GraphQL: ${c.label} → ${refused} refused requests, one TokenReview (kube-apiserver cached the rejection)`, refused >= 3 && decisions.length === 1, `${refused} requests refused by kube-apiserver, ${decisions.length} TokenReviews`);
      }
      if (callerFields) {
        check(`GraphQL: ${c.label} → the caller is recorded: kube-apiserver's client certificate ${WEBHOOK_CLIENT_CN}`, decisions.length > 0 && decisions.every((d) => callerText(d).includes(WEBHOOK_CLIENT_CN)), decisions.map(callerText).join('; '));
      }
    }
    if (!callerFields) check('GraphQL: Decision records the webhook caller (issue #17 item 3)', false, 'pending: the Decision type has no caller field yet');

    const selfReviews = await decisionsOf(alice.token, 'selfsubjectreview');
    for (const d of selfReviews) rows.push(decisionRow('alice, kubectl auth whoami at authtrail', d, callerFields));
    check('GraphQL: kubectl auth whoami at authtrail → a selfsubjectreview ALLOW for alice', selfReviews.some((d) => d.decision === 'ALLOW' && d.username === 'alice'), selfReviews.map((d) => `${d.decision} ${d.reason} ${d.username ?? ''}`).join('; ') || 'no decision');
    transcript.push('GraphQL decisions (endpoint tokenreview unless noted), newest first:', ...rows, '');

    kubeLogChecks(kubeApiserver.logFile, webhookVersion);

    const text = transcript.join('\n');
    const leaked = secrets.filter((s) => text.includes(s)).length;
    check('no token in the transcript', leaked === 0, leaked ? `${leaked} tokens found; transcript not written` : '');
    for (const name of ['authtrail.log', 'kube-apiserver.log', 'etcd.log']) {
      const log = readFileSync(path.join(workDir, name), 'utf8');
      const found = secrets.filter((s) => log.includes(s)).length;
      check(`no token in ${name}`, found === 0, found ? `${found} tokens found` : '');
    }
    const report = leaked === 0 ? writeReport(binaries.cacheDir, versions, webhook.server, kubeApiserverArgs(kubeFiles), text) : undefined;
    const failed = checks.filter((c) => !c.ok);
    if (failed.length > 0) keep = true;
    console.log(`\n${checks.length - failed.length} passed, ${failed.length} failed`);
    for (const c of failed) console.log(`  FAIL ${c.name}${c.detail ? ` — ${c.detail}` : ''}`);
    if (report) console.log(`report: ${report}`);
    return failed.length > 0 ? 1 : 0;
  } catch (error) {
    keep = true;
    console.error(`\nkube-e2e stopped: ${(error as Error).message}`);
    return 2;
  } finally {
    await stopAll(progress);
    if (keep) console.log(`run folder kept: ${workDir} (logs: authtrail.log, etcd.log, kube-apiserver.log)`);
    else rmSync(workDir, { recursive: true, force: true });
  }
}

/** What kube-apiserver logged about the webhook: its version flag, and errors from webhook answers. */
function kubeLogChecks(logFile: string, webhookVersion: string | undefined): void {
  const flag = `FLAG: --authentication-token-webhook-version="${webhookVersion ?? 'v1beta1'}"`;
  const version = countLogLines(logFile, new RegExp(flag));
  check(`kube-apiserver ran with ${webhookVersion ? 'the asked' : 'its default'} --authentication-token-webhook-version (${webhookVersion ?? 'v1beta1'})`, version > 0, version > 0 ? flag : 'flag line not found in the log');
  // One line per refused request. A definitive "no" from every authenticator reads err="invalid bearer token"
  // (kube's own text); a TokenReview answer with status.error would put the webhook's error there instead.
  const refused = countLogLines(logFile, UNABLE_TO_AUTHENTICATE);
  const plain = countLogLines(logFile, /"Unable to authenticate the request" err="invalid bearer token"$/);
  check('kube-apiserver: every refused request logged err="invalid bearer token", none a webhook error (no status.error on rejections)', refused > 0 && plain === refused, `${plain} of ${refused} lines`);
}

/** The caller fields of Decision, if the schema has them (issue #17 item 3): selected whole. */
async function callerSelection(graphql: GraphqlClient): Promise<string> {
  type TypeRef = { kind: string; name: string | null; ofType: TypeRef | null };
  type Field = { name: string; type: TypeRef };
  const introspect = async (name: string) => (await graphql.query<{ __type: { fields: Field[] } | null }>('query($name: String!) { __type(name: $name) { fields { name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }', { name })).__type?.fields ?? [];
  const named = (t: TypeRef): TypeRef => (t.ofType ? named(t.ofType) : t);
  const select = async (fields: Field[], depth: number): Promise<string> => {
    const parts: string[] = [];
    for (const f of fields) {
      const t = named(f.type);
      if (t.kind === 'SCALAR' || t.kind === 'ENUM') parts.push(f.name);
      else if (t.kind === 'OBJECT' && t.name && depth < 2) parts.push(`${f.name} { ${await select(await introspect(t.name), depth + 1)} }`);
    }
    return parts.join(' ');
  };
  const callers = (await introspect('Decision')).filter((f) => /caller/i.test(f.name));
  return select(callers, 0);
}

/** The caller fields of a decision, short: the certificate subject (and issuer) and the proxy chain when present. */
function callerText(d: DecisionRow): string {
  const caller = Object.entries(d).filter(([key]) => /caller/i.test(key));
  if (caller.length === 0) return '';
  return caller
    .map(([key, value]) => {
      const v = value as { certificate?: { subject?: string; issuer?: string; verified?: boolean } | null; proxies?: unknown[] } | null;
      if (v === null) return `${key}: none`;
      if (typeof v !== 'object' || !('certificate' in v)) return `${key}: ${JSON.stringify(v)}`;
      const cert = v.certificate ? `certificate "${v.certificate.subject}" from "${v.certificate.issuer}" verified=${v.certificate.verified}` : 'no certificate';
      return `${key}: ${cert}, proxies ${JSON.stringify(v.proxies ?? [])}`;
    })
    .join('; ');
}

function decisionRow(label: string, d: DecisionRow, callerFields: string): string {
  return `  ${label}: ${d.decision} ${d.httpStatus} ${d.reason} strategy=${d.strategy ?? '-'} user=${d.username ?? '-'} groups=[${d.groups.join(',')}] ${d.endpoint} ${d.path ?? ''} tls=${d.tls} from=${d.sourceIp ?? '-'} ua="${d.userAgent ?? ''}"${callerFields ? ` ${callerText(d)}` : ''}`;
}

function writeReport(cacheDir: string, versions: Record<string, string>, webhookServer: string, kubeArgs: readonly string[], text: string): string {
  const file = path.join(cacheDir, 'last-run.md');
  const lines = [
    `# kube-e2e run ${new Date().toISOString()} — authtrail ${gitDescription()}`,
    '',
    ...Object.entries(versions).map(([name, version]) => `- ${name}: ${version}`),
    `- webhook server (infra/k8s/authn-webhook.kubeconfig.yaml, address replaced): ${webhookServer}`,
    '',
    '```',
    `kube-apiserver \\\n  ${kubeArgs.join(' \\\n  ')}`,
    '```',
    '',
    '```',
    text,
    '```',
    '',
    ...checks.map((c) => `- ${c.ok ? 'ok' : '**FAIL**'} ${c.name}${c.detail ? ` — ${c.detail}` : ''}`),
    '',
  ];
  writeFileSync(file, lines.join('\n'));
  return file;
}

function gitDescription(): string {
  const head = spawnSync('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim() || 'unknown';
  const dirty = spawnSync('git', ['-C', REPO_ROOT, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).stdout.trim() !== '';
  return `${head}${dirty ? ' (with uncommitted changes)' : ''}`;
}

function webhookVersionOf(value: string | undefined): 'v1' | 'v1beta1' | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'v1' || value === 'v1beta1') return value;
  throw new Error(`KUBE_E2E_WEBHOOK_VERSION: v1 or v1beta1, not ${value}`);
}

const firstLine = (text: string) => text.trim().split('\n')[0] ?? '';
const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

/** kube-apiserver is ready before its bootstrap controllers created every namespace: retry a few times. */
async function retry(run: () => Promise<KubectlResult>): Promise<KubectlResult> {
  let result = await run();
  for (let attempt = 1; attempt < 10 && result.code !== 0; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    result = await run();
  }
  return result;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    void stopAll(progress).finally(() => process.exit(2));
  },
);
