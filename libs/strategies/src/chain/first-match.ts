// Kubernetes' union authenticator with fail-on-error in front of anonymous (request/union +
// the apiserver's anonymous wiring): strategies are tried in order, the first `authenticated`
// wins. A `rejected` or `errored` does not stop the others (a token that is not a static token
// may still be a service-account JWT), but when nobody authenticated, any rejection or error
// decides the result: a presented-but-bad credential is a 401, never anonymous. Anonymous is
// asked only when every strategy abstained.
import type { Attempt, AuthOutcome, RequestView, Strategy } from '../strategy';
import { attemptOf } from './trace';

export interface ChainResult {
  readonly outcome: AuthOutcome;
  /** Every strategy asked, in order, with its outcome (anonymous included when asked). */
  readonly attempts: readonly Attempt[];
  /** The strategy that decided: the one that authenticated, else the deciding rejection or error. */
  readonly strategy?: string;
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

export function firstMatch(strategies: readonly Strategy[], options: FirstMatchOptions = {}): ChainStrategy {
  const members = [...strategies];
  const authenticateWithTrace = async (request: RequestView): Promise<ChainResult> => {
    const attempts: Attempt[] = [];
    let firstRejected: { readonly outcome: AuthOutcome; readonly strategy: string } | undefined;
    let firstSpecific: { readonly outcome: AuthOutcome; readonly strategy: string } | undefined;
    let firstErrored: { readonly outcome: AuthOutcome; readonly strategy: string } | undefined;

    for (const strategy of members) {
      const outcome = await safely(strategy, request);
      attempts.push(attemptOf(strategy.id, outcome));
      switch (outcome.kind) {
        case 'authenticated':
          return { outcome, attempts, strategy: strategy.id };
        case 'rejected':
          firstRejected ??= { outcome, strategy: strategy.id };
          if (outcome.reason !== 'unknown_token') firstSpecific ??= { outcome, strategy: strategy.id };
          break;
        case 'errored':
          firstErrored ??= { outcome, strategy: strategy.id };
          break;
        case 'abstained':
          break;
        default: {
          const _exhaustive: never = outcome;
          return _exhaustive;
        }
      }
    }
    // Fail on error: a rejection names the problem best; errors alone mean "could not decide".
    // `unknown_token` only says "not in my table" (a static-token file asked about a JWT), so a
    // more specific rejection from a later strategy (`token_expired` from the JWT's owner) wins.
    const decided = firstSpecific ?? firstRejected ?? firstErrored;
    if (decided) return { outcome: decided.outcome, attempts, strategy: decided.strategy };

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
