// `x509` (DESIGN §3.2): the peer certificate chain (leaf first, from the TLS socket or a trusted
// proxy header, see pem-certificates.parser.ts) is verified against the configured CA bundle and
// CRLs. Identity as in Kubernetes: CN → username, O → groups, extra
// `authentication.kubernetes.io/credential-id: X509SHA256=<hex of the leaf DER's SHA-256>`.
import { createHash, type X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { FileLoadError, loadAndWatch, type ReloadingFile } from '../shared/file-reloader';
import { silentLogger, systemClock, type StrategyDeps } from '../shared/strategy-deps';
import type { AuthOutcome, CredentialDescription, RequestView, Strategy } from '../strategy';
import { verifyClientChain } from './chain-verify';
import type { RevocationList } from './crl.parser';
import { parseCaBundle, parseCrlFile } from './trust-store';
import { X509_DEFAULTS, type X509Config } from './x509.config';

export const CREDENTIAL_ID_EXTRA = 'authentication.kubernetes.io/credential-id';

export async function createX509Strategy(config: X509Config, deps: StrategyDeps = {}): Promise<Strategy> {
  const now = deps.now ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  let bundleText: string;
  try {
    bundleText = await readFile(config.clientCAFile, 'utf8');
  } catch (error) {
    throw new FileLoadError(config.clientCAFile, [`cannot read file (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  const bundle = parseCaBundle(bundleText);
  if (!bundle.ok) throw new FileLoadError(config.clientCAFile, bundle.errors);
  for (const warning of bundle.warnings) logger.warn({ strategy: 'x509', file: config.clientCAFile, problem: warning }, 'strategy file warning');
  const roots = bundle.value;

  const crls: ReloadingFile<readonly RevocationList[]> | undefined = config.crlFile
    ? await loadAndWatch({
        file: config.crlFile,
        label: 'x509',
        parse: (text) => parseCrlFile(text, roots, now()),
        logger,
        intervalMs: config.reloadIntervalMs ?? X509_DEFAULTS.reloadIntervalMs,
      })
    : undefined;

  const authenticate = async (request: RequestView): Promise<AuthOutcome> => {
    const leaf = request.peerCertificates[0];
    if (!leaf) return { kind: 'abstained' };
    const credential = describe(leaf);
    const check = verifyClientChain(request.peerCertificates, { roots, crls: crls?.current() ?? [] }, now(), X509_DEFAULTS.maxChainLength);
    const subject = subjectOf(leaf);
    if (!check.ok) {
      return { kind: 'rejected', reason: check.reason, message: check.message, credential, ...(subject.cn ? { claimedUsername: subject.cn } : {}) };
    }
    if (!subject.cn) return { kind: 'rejected', reason: 'malformed_credentials', message: 'client certificate has no common name (CN)', credential };
    return {
      kind: 'authenticated',
      user: { username: subject.cn, groups: subject.organizations, extra: { [CREDENTIAL_ID_EXTRA]: [credentialId(leaf)] } },
      credential,
    };
  };

  return { id: 'x509', authenticate, close: async () => crls?.close() };
}

/** Kubernetes' credential id for a client certificate: SHA-256 of the leaf's DER, lower-case hex. */
function credentialId(leaf: X509Certificate): string {
  return `X509SHA256=${createHash('sha256').update(leaf.raw).digest('hex')}`;
}

function describe(leaf: X509Certificate): CredentialDescription {
  const sha256 = createHash('sha256').update(leaf.raw).digest('hex');
  const notBefore = new Date(Date.parse(leaf.validFrom));
  const notAfter = new Date(Date.parse(leaf.validTo));
  const subject = leaf.subject.replaceAll('\n', ', ');
  const issuer = leaf.issuer.replaceAll('\n', ', ');
  return {
    type: 'x509',
    // Not a secret: the fingerprint of a certificate is the HMAC of its SHA-256, so usage is countable.
    secretForFingerprint: `X509SHA256=${sha256}`,
    publicId: leaf.serialNumber,
    issuer,
    subject,
    issuedAt: notBefore,
    expiresAt: notAfter,
    x509: { serial: leaf.serialNumber, subject, issuer, notBefore, notAfter, sha256 },
  };
}

/** CN (the last one, as Go's pkix.Name) and every O, read from OpenSSL's parsed name (no string splitting). */
function subjectOf(cert: X509Certificate): { readonly cn?: string; readonly organizations: readonly string[] } {
  const subject = cert.toLegacyObject().subject as unknown as Record<string, string | string[] | undefined>;
  const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
  const cn = list(subject['CN']).at(-1);
  return { ...(cn ? { cn } : {}), organizations: list(subject['O']) };
}
