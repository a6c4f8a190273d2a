// What a decision must look like in GraphQL, derived only from what the test sent and the
// credential it chose — the documented behaviour (DESIGN §3, docs/authn.md, contract §1–§3) — never
// from the event. Pure: the golden spec sends the request, then compares the projected
// `Decision` with `expectedDecision(...)`.
import { Normalizer, FORWARDED_FOR_LIMIT, type NormalizedMark } from './normalisation.oracle';
import type { FingerprintOracle } from './fingerprint.oracle';

/** The chain in config order (anonymous last, asked only when every strategy abstained). */
export const STRATEGY_ORDER = ['static-token', 'bootstrap-token', 'basic-auth', 'x509', 'service-account', 'oidc'] as const;
export type StrategyId = (typeof STRATEGY_ORDER)[number];

export type Outcome = { readonly kind: 'authenticated' } | { readonly kind: 'rejected'; readonly reason: string } | { readonly kind: 'abstained' };

/** What the test knows about the credential it presents (from the files and keys it wrote). */
export interface CredentialFacts {
  readonly label: string;
  /** `Authorization` value (bearer / basic), or absent. */
  readonly authorization?: string;
  /** A client certificate (PEM) with its key, for mTLS or `clientCertificate`. */
  readonly certificate?: { readonly certPem: string; readonly keyPem: string };
  /** Each strategy's answer; strategies not listed abstain. */
  readonly outcomes: Partial<Record<StrategyId, Outcome>>;
  /** Raw secret whose HMAC is the recorded fingerprint, when one is recorded. */
  readonly fingerprintSecret?: string;
  readonly credentialType?: string;
  readonly publicId?: string;
  /** The identity when a strategy authenticates (before `system:authenticated` is added). */
  readonly user?: { readonly username: string; readonly uid?: string; readonly groups: readonly string[] };
  /** A name the failed credential carried: `clear` when it is an account or a structured name. */
  readonly claimed?: { readonly name: string; readonly clear: boolean };
}

export type Endpoint = 'tokenreview' | 'selfsubjectreview' | 'authenticate' | 'forward-auth' | 'graphql';

/** The request as the service sees it, derived from what was sent (see golden-requests.ts). */
export interface ViewFacts {
  readonly endpoint: Endpoint;
  readonly sourceIp: string;
  readonly forwardedFor: readonly string[];
  readonly userAgent?: string;
  readonly method: string;
  readonly path: string;
  readonly tls: boolean;
  /** The body was refused before any strategy ran (400 and its message). */
  readonly refused?: { readonly httpStatus: number };
  /** Whether the credential reached the strategies (TokenReview carries only bearer tokens). */
  readonly credentialPresented: boolean;
}

export interface ExpectedDecision {
  readonly id: string;
  readonly decision: 'ALLOW' | 'DENY';
  readonly httpStatus: number;
  readonly reason: string;
  readonly message: string | null;
  readonly strategy: string | null;
  readonly username: string | null;
  readonly usernameClaimed: boolean;
  readonly uid: string | null;
  readonly groups: readonly string[];
  readonly sourceIp: string | null;
  readonly forwardedFor: readonly string[];
  readonly userAgent: string | null;
  readonly endpoint: string;
  readonly method: string | null;
  readonly path: string | null;
  readonly tls: boolean | null;
  readonly credentialFingerprint: string | null;
  readonly credentialType: string | null;
  readonly credentialPublicId: string | null;
  readonly attempts: readonly { readonly strategy: string; readonly outcome: string; readonly reason: string | null }[];
  readonly policyVersion: number | null;
  readonly policyEffects: readonly unknown[];
  readonly instance: string;
  readonly claimedUsernameHash: string | null;
  readonly normalizedFields: readonly NormalizedMark[];
}

interface ChainResult {
  readonly outcome: 'authenticated' | 'rejected' | 'no_credentials' | 'anonymous';
  readonly reason: string;
  readonly strategy?: string;
  readonly attempts: ExpectedDecision['attempts'];
}

/**
 * firstMatch: first authenticated wins; else the first specific rejection, else the first
 * `unknown_token`; anonymous only when all abstained — and never for the API's callers, whose
 * chain has no anonymous strategy.
 */
export function chainOracle(credential: CredentialFacts | undefined, path: string, anonymous = true): ChainResult {
  const attempts: { strategy: string; outcome: string; reason: string | null }[] = [];
  let firstRejected: { strategy: string; reason: string } | undefined;
  let firstSpecific: { strategy: string; reason: string } | undefined;
  for (const strategy of STRATEGY_ORDER) {
    const outcome = credential?.outcomes[strategy] ?? { kind: 'abstained' as const };
    // An authenticated attempt records reason `ok`, an abstention none.
    attempts.push({ strategy, outcome: outcome.kind, reason: outcome.kind === 'rejected' ? outcome.reason : outcome.kind === 'authenticated' ? 'ok' : null });
    if (outcome.kind === 'authenticated') return { outcome: 'authenticated', reason: 'ok', strategy, attempts };
    if (outcome.kind === 'rejected') {
      firstRejected ??= { strategy, reason: outcome.reason };
      if (outcome.reason !== 'unknown_token') firstSpecific ??= { strategy, reason: outcome.reason };
    }
  }
  const decided = firstSpecific ?? firstRejected;
  if (decided) return { outcome: 'rejected', reason: decided.reason, strategy: decided.strategy, attempts };
  if (!anonymous) return { outcome: 'no_credentials', reason: 'no_credentials', attempts };
  if (anonymousAllowed(path)) {
    attempts.push({ strategy: 'anonymous', outcome: 'authenticated', reason: 'ok' });
    return { outcome: 'anonymous', reason: 'ok', strategy: 'anonymous', attempts };
  }
  attempts.push({ strategy: 'anonymous', outcome: 'abstained', reason: null });
  return { outcome: 'no_credentials', reason: 'no_credentials', attempts };
}

/** `authn.anonymous.paths: ['/public/*']`, with the allow-list's refusal of dot segments, `//` and encoded separators. */
export function anonymousAllowed(rawPath: string): boolean {
  const path = rawPath.split(/[?#]/, 1)[0] ?? '';
  if (!path.startsWith('/') || /%2e|%2f|%5c/i.test(path) || path.includes('\\') || path.includes('//')) return false;
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) return false;
  return path.startsWith('/public/');
}

export interface OracleContext {
  /** authn's producer instance; the API's callers are recorded by `graphql-api@<instance>`. */
  readonly instance: string;
  readonly fingerprints: FingerprintOracle;
}

/**
 * The `Decision` GraphQL must show. `responseMessage` is the message the HTTP answer gave (the
 * service's own words for a refusal; the oracle checks the reason, not the wording).
 */
export function expectedDecision(id: string, credential: CredentialFacts | undefined, view: ViewFacts, responseMessage: string | undefined, context: OracleContext): ExpectedDecision {
  const normalizer = new Normalizer();
  const request = {
    sourceIp: view.sourceIp,
    forwardedFor: normalizer.list('request.forwardedFor', view.forwardedFor, FORWARDED_FOR_LIMIT),
    userAgent: view.userAgent !== undefined && view.userAgent !== '' ? normalizer.string('request.userAgent', view.userAgent) : null,
    method: normalizer.string('request.method', view.method),
    path: normalizer.string('request.path', view.path),
  };
  const message = responseMessage === undefined ? null : normalizer.string('message', responseMessage);
  const common = {
    id,
    sourceIp: request.sourceIp,
    forwardedFor: request.forwardedFor,
    userAgent: request.userAgent,
    endpoint: view.endpoint,
    method: request.method,
    path: request.path,
    tls: view.tls,
    // No policy document is applied in the golden run: evaluated decisions record version 0
    // (the empty policy), a body refused before evaluation records none.
    policyVersion: view.refused ? null : 0,
    policyEffects: [],
    instance: view.endpoint === 'graphql' ? `graphql-api@${context.instance}` : context.instance,
  };
  const none = { strategy: null, username: null, usernameClaimed: false, uid: null, groups: [], credentialFingerprint: null, credentialType: null, credentialPublicId: null, claimedUsernameHash: null };

  if (view.refused) {
    return { ...common, ...none, decision: 'DENY', httpStatus: view.refused.httpStatus, reason: 'bad_request', message, attempts: [], normalizedFields: normalizer.result() };
  }
  const presented = view.credentialPresented ? credential : undefined;
  const chain = chainOracle(presented, view.path, view.endpoint !== 'graphql');
  const fingerprint = presented?.fingerprintSecret !== undefined ? context.fingerprints.credential(presented.fingerprintSecret) : null;
  const credentialFields = presented && chain.outcome !== 'no_credentials' && chain.outcome !== 'anonymous'
    ? { credentialFingerprint: fingerprint, credentialType: presented.credentialType ?? null, credentialPublicId: presented.publicId ?? null }
    : { credentialFingerprint: null, credentialType: null, credentialPublicId: null };

  switch (chain.outcome) {
    case 'authenticated': {
      const user = presented?.user;
      if (!user) throw new Error(`oracle: ${presented?.label} authenticates without a user`);
      return {
        ...common,
        ...credentialFields,
        decision: 'ALLOW',
        httpStatus: 200,
        reason: 'ok',
        message: null,
        strategy: chain.strategy ?? null,
        username: normalizer.string('user.username', user.username),
        usernameClaimed: false,
        uid: user.uid ?? null,
        groups: [...user.groups, 'system:authenticated'],
        attempts: chain.attempts,
        claimedUsernameHash: null,
        normalizedFields: normalizer.result(),
      };
    }
    case 'anonymous':
      return {
        ...common,
        decision: 'ALLOW',
        httpStatus: 200,
        reason: 'ok',
        message: null,
        strategy: 'anonymous',
        username: 'system:anonymous',
        usernameClaimed: false,
        uid: null,
        groups: ['system:unauthenticated'],
        credentialFingerprint: null,
        credentialType: 'anonymous',
        credentialPublicId: null,
        attempts: chain.attempts,
        claimedUsernameHash: null,
        normalizedFields: normalizer.result(),
      };
    case 'rejected': {
      const claimed = presented?.claimed;
      return {
        ...common,
        ...credentialFields,
        decision: 'DENY',
        httpStatus: 401,
        reason: chain.reason,
        message,
        strategy: chain.strategy ?? null,
        username: claimed?.clear ? claimed.name : null,
        usernameClaimed: claimed?.clear === true,
        uid: null,
        groups: [],
        attempts: chain.attempts,
        claimedUsernameHash: claimed ? context.fingerprints.username(claimed.name) : null,
        normalizedFields: normalizer.result(),
      };
    }
    case 'no_credentials':
      return { ...common, ...none, decision: 'DENY', httpStatus: 401, reason: 'no_credentials', message, attempts: chain.attempts, normalizedFields: normalizer.result() };
    default: {
      const unreachable: never = chain.outcome;
      return unreachable;
    }
  }
}
