// Kubernetes' AuthenticatedGroupAdder: every authenticated user also gets `system:authenticated`
// (or whatever groups are given), without duplicates. Like Kubernetes, the anonymous user and
// users already in `system:unauthenticated` are left alone: anonymous is not "authenticated".
// Wrapping a chain keeps its attempt trace.
import type { AuthOutcome, Strategy } from '../strategy';
import type { ChainStrategy } from './first-match';
import { traceOf } from './trace';

const ANONYMOUS_USER = 'system:anonymous';
const UNAUTHENTICATED_GROUP = 'system:unauthenticated';

export function withGroups(strategy: Strategy, groups: readonly string[] = ['system:authenticated']): ChainStrategy {
  const wanted = [...new Set(groups)];
  const trace = traceOf(strategy);
  const authenticateWithTrace: ChainStrategy['authenticateWithTrace'] = async (request) => {
    const result = await trace(request);
    return { ...result, outcome: addGroups(result.outcome, wanted) };
  };
  return {
    id: strategy.id,
    authenticateWithTrace,
    authenticate: async (request) => addGroups(await strategy.authenticate(request), wanted),
    ...(strategy.close ? { close: strategy.close.bind(strategy) } : {}),
  };
}

function addGroups(outcome: AuthOutcome, groups: readonly string[]): AuthOutcome {
  if (outcome.kind !== 'authenticated') return outcome;
  const { user } = outcome;
  if (user.username === ANONYMOUS_USER || user.groups.includes(UNAUTHENTICATED_GROUP)) return outcome;
  const missing = groups.filter((g) => !user.groups.includes(g));
  if (missing.length === 0) return outcome;
  return { ...outcome, user: { ...user, groups: [...user.groups, ...missing] } };
}
