// Decorators keep the attempt trace when they wrap a chain: any strategy can be asked for a
// ChainResult (a plain strategy's trace is its own single attempt).
import type { Attempt, AuthOutcome, RequestView, Strategy } from '../strategy';
import type { ChainResult, ChainStrategy } from './first-match';

export function isChain(strategy: Strategy): strategy is ChainStrategy {
  return typeof (strategy as Partial<ChainStrategy>).authenticateWithTrace === 'function';
}

export function attemptOf(strategy: string, outcome: AuthOutcome): Attempt {
  switch (outcome.kind) {
    case 'authenticated':
      return { strategy, outcome: outcome.kind, reason: 'ok' };
    case 'abstained':
      return { strategy, outcome: outcome.kind };
    case 'rejected':
    case 'errored':
      return { strategy, outcome: outcome.kind, reason: outcome.reason };
    default: {
      const _exhaustive: never = outcome;
      return _exhaustive;
    }
  }
}

export function traceOf(strategy: Strategy): (request: RequestView) => Promise<ChainResult> {
  if (isChain(strategy)) return (request) => strategy.authenticateWithTrace(request);
  return async (request) => {
    const outcome = await strategy.authenticate(request);
    return { outcome, attempts: [attemptOf(strategy.id, outcome)], ...(outcome.kind === 'abstained' ? {} : { strategy: strategy.id }) };
  };
}
