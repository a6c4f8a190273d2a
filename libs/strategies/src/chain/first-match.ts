// Kubernetes' union authenticator with fail-on-error in front of anonymous (request/union +
// the apiserver's anonymous wiring): strategies are tried in order, the first `authenticated`
// wins. A `rejected` or `errored` does not stop the others (a token that is not a static token
// may still be a service-account JWT), but when nobody authenticated, any rejection or error
// decides the result: a presented-but-bad credential is a 401, never anonymous. Anonymous is
// asked only when every strategy abstained.
import type { Attempt, AuthOutcome, CredentialDescription, RequestView, Strategy } from '../strategy';
import { attemptOf } from './trace';

export interface ChainResult {
  readonly outcome: AuthOutcome;
  /** Every strategy asked, in order, with its outcome (anonymous included when asked). */
  readonly attempts: readonly Attempt[];
  /** The strategy that decided: the one that authenticated, else the deciding rejection or error. */
  readonly strategy?: string;
  /** A credential-cache entry (chain/cached.ts): every decision it answers shares its outcome's objects. */
  readonly cached?: true;
}

/** A chain is a strategy too; `authenticateWithTrace` also returns the attempts for the event. */
export interface ChainStrategy extends Strategy {
  authenticateWithTrace(request: RequestView): Promise<ChainResult>;
}

export interface FirstMatchOptions {
  /** Asked only when every strategy abstained. */
  readonly anonymous?: Strategy;
}

const NO_CREDENTIALS: AuthOutcome = { kind: 'rejected', reason: 'no_credentials', message: 'no credentials presented' };

/**
 * Which failure decides when nobody authenticated (lower wins, the first of a rank on a tie): a
 * rejection that names the problem (`token_expired` from the token's owner); then an error (the
 * owner's JWKS was unreachable: the token could not be checked, as kube's union authenticator
 * reports it); then the rejections that only say "not mine" — a trusted-issuer check
 * (`issuer_mismatch`) before a table lookup (`unknown_token`: a static-token file asked about a JWT).
 */
function rank(outcome: AuthOutcome): number {
  if (outcome.kind === 'errored') return 1;
  if (outcome.kind !== 'rejected') return Number.POSITIVE_INFINITY;
  return outcome.reason === 'issuer_mismatch' ? 2 : outcome.reason === 'unknown_token' ? 3 : 0;
}

export function firstMatch(strategies: readonly Strategy[], options: FirstMatchOptions = {}): ChainStrategy {
  const members = [...strategies];
  const authenticateWithTrace = async (request: RequestView): Promise<ChainResult> => {
    const attempts: Attempt[] = [];
    let decided: { readonly outcome: AuthOutcome; readonly strategy: string } | undefined;
    let described: CredentialDescription | undefined;

    for (const strategy of members) {
      const outcome = await safely(strategy, request);
      attempts.push(attemptOf(strategy.id, outcome));
      if (outcome.kind === 'authenticated') return { outcome, attempts, strategy: strategy.id };
      if (outcome.kind === 'abstained') continue;
      if (outcome.kind === 'rejected') described ??= outcome.credential;
      if (!decided || rank(outcome) < rank(decided.outcome)) decided = { outcome, strategy: strategy.id };
    }
    if (decided) {
      // An error keeps the credential a "not mine" strategy described: the decision still shows the token.
      const outcome = decided.outcome.kind === 'errored' && described ? { ...decided.outcome, credential: described } : decided.outcome;
      return { outcome, attempts, strategy: decided.strategy };
    }

    if (options.anonymous) {
      const outcome = await safely(options.anonymous, request);
      attempts.push(attemptOf(options.anonymous.id, outcome));
      if (outcome.kind !== 'abstained') return { outcome, attempts, strategy: options.anonymous.id };
    }
    return { outcome: NO_CREDENTIALS, attempts };
  };

  return {
    id: 'first-match',
    authenticateWithTrace,
    authenticate: async (request) => (await authenticateWithTrace(request)).outcome,
    close: async () => {
      await Promise.all([...members, ...(options.anonymous ? [options.anonymous] : [])].map((s) => s.close?.()));
    },
  };
}

/** A strategy that throws broke its contract; the chain turns that into `errored`, never a crash. */
async function safely(strategy: Strategy, request: RequestView): Promise<AuthOutcome> {
  try {
    return await strategy.authenticate(request);
  } catch {
    // The error text is dropped on purpose: it could quote the credential.
    return { kind: 'errored', reason: 'internal_error', message: `strategy ${strategy.id} failed unexpectedly` };
  }
}
