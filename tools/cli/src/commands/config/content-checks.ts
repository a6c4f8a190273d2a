// Beyond "the file opens": its content parsed as the service would parse it at boot — the HTTPS
// listener's PEM certificate and key (and that they belong together), each strategy created
// from its section (its own CSV, YAML, PEM and JWKS parsers) and closed again, and the policy
// compiled. Messages name the key path and never carry file content (parsers report line and
// column only).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { AuthtrailConfig, StrategyConfigEntry } from '@authtrail/config';
import { compilePolicy } from '@authtrail/policy';
import { createStrategy, FileLoadError } from '@authtrail/strategies';
import { readReferenced } from './referenced-files';

/** Strategies that fetch (OIDC discovery, JWKS URLs) get this instead: validation never goes on the network. */
const offline = () => Promise.reject(new Error('config validate does not fetch'));
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

export async function contentProblems(config: AuthtrailConfig): Promise<readonly string[]> {
  return [...httpsProblems(config), ...(await strategyProblems(config.authn.strategies, 'authn.strategies')), ...(await strategyProblems(config.graphql.auth.strategies ?? [], 'graphql.auth.strategies')), ...policyProblems(config)];
}

function httpsProblems(config: AuthtrailConfig): string[] {
  const https = config.authn.https;
  if (!https) return [];
  const problems: string[] = [];
  const cert = readReferenced(https.certFile);
  const key = readReferenced(https.keyFile);
  if (cert.ok && !parses(() => new X509Certificate(cert.text))) problems.push(`authn.https.certFile: ${https.certFile}: not a PEM certificate`);
  if (key.ok && !parses(() => createPrivateKey(key.text))) problems.push(`authn.https.keyFile: ${https.keyFile}: not a PEM private key`);
  if (problems.length === 0 && cert.ok && key.ok && !parses(() => createSecureContext({ cert: cert.text, key: key.text }))) {
    problems.push(`authn.https.keyFile: ${https.keyFile}: does not belong to the certificate of authn.https.certFile`);
  }
  if (https.clientCAFile) {
    const ca = readReferenced(https.clientCAFile);
    if (ca.ok && !parses(() => new X509Certificate(ca.text))) problems.push(`authn.https.clientCAFile: ${https.clientCAFile}: not a PEM certificate`);
  }
  return problems;
}

function parses(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}

async function strategyProblems(entries: readonly StrategyConfigEntry[], listPath: string): Promise<string[]> {
  const problems: string[] = [];
  for (const [index, entry] of entries.entries()) {
    const at = `${listPath}[${index}]`;
    // A file that does not open is already reported by its key (referenced-files.ts).
    if (Object.entries(entry).some(([k, v]) => /(File|Files)$/.test(k) && [v].flat().some((f) => typeof f === 'string' && !readReferenced(f).ok))) continue;
    try {
      const deps = { logger: quiet, fetch: offline };
      const strategy = await createStrategy(entry, deps, at);
      await strategy.close?.();
    } catch (error) {
      problems.push(strategyProblem(error, entry, at));
    }
  }
  return problems;
}

/** A file's parse error under the key that names the file; anything else under the section. */
function strategyProblem(error: unknown, entry: StrategyConfigEntry, at: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof FileLoadError) {
    const key = Object.entries(entry).find(([k, v]) => /(File|Files)$/.test(k) && [v].flat().includes(error.file))?.[0];
    if (key) return `${at}.${key}: ${message}`;
  }
  return `${at} (${entry.id}): ${message}`;
}

function policyProblems(config: AuthtrailConfig): string[] {
  const file = config.policy.file;
  if (!file) return [];
  const read = readReferenced(file);
  if (!read.ok) return [];
  const compiled = compilePolicy(read.text, 1);
  return compiled.ok ? [] : compiled.errors.map((e) => `policy.file: ${file}: ${e}`);
}
