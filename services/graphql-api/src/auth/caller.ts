// Who calls the API and what they may do. Authentication runs the same strategy chain as authn
// (DESIGN §6); authorization is by group: `graphql.viewerGroups` read, `graphql.adminGroups`
// read, mutate and fingerprint.
import type { AuthOutcome, RequestView, Strategy } from '@authtrail/strategies';

export type Role = 'VIEWER' | 'ADMIN';

export interface Caller {
  readonly username: string;
  readonly groups: readonly string[];
  readonly roles: ReadonlySet<Role>;
}

export interface AccessGroups {
  readonly viewerGroups: readonly string[];
  readonly adminGroups: readonly string[];
}

/** The request-level result: an HTTP status for everything that is not a caller with a role. */
export type CallerResolution =
  | { readonly kind: 'caller'; readonly caller: Caller }
  | { readonly kind: 'unauthenticated'; readonly status: 401; readonly reason: string }
  | { readonly kind: 'no-role'; readonly status: 403; readonly username: string }
  | { readonly kind: 'unavailable'; readonly status: 503; readonly reason: string };

export function rolesOf(groups: readonly string[], access: AccessGroups): ReadonlySet<Role> {
  const roles = new Set<Role>();
  if (groups.some((g) => access.adminGroups.includes(g))) roles.add('ADMIN').add('VIEWER');
  if (groups.some((g) => access.viewerGroups.includes(g))) roles.add('VIEWER');
  return roles;
}

/** Pure: a strategy outcome and the configured groups → who may do what. */
export function resolveCaller(outcome: AuthOutcome, access: AccessGroups): CallerResolution {
  switch (outcome.kind) {
    case 'authenticated': {
      const roles = rolesOf(outcome.user.groups, access);
      if (roles.size === 0) return { kind: 'no-role', status: 403, username: outcome.user.username };
      return { kind: 'caller', caller: { username: outcome.user.username, groups: outcome.user.groups, roles } };
    }
    case 'abstained':
      return { kind: 'unauthenticated', status: 401, reason: 'no_credentials' };
    case 'rejected':
      return { kind: 'unauthenticated', status: 401, reason: outcome.reason };
    case 'errored':
      return { kind: 'unavailable', status: 503, reason: outcome.reason };
    default: {
      const unreachable: never = outcome;
      return unreachable;
    }
  }
}

/** With `graphql.auth.enabled: false` (development only) everyone is an anonymous viewer. */
export const ANONYMOUS_VIEWER: Caller = { username: 'system:anonymous', groups: ['system:unauthenticated'], roles: new Set<Role>(['VIEWER']) };

/** Authenticates with `strategy` (null: auth disabled). A throwing strategy is `unavailable`, never a pass. */
export async function authenticateCaller(strategy: Strategy | null, request: RequestView, access: AccessGroups): Promise<CallerResolution> {
  if (strategy === null) return { kind: 'caller', caller: ANONYMOUS_VIEWER };
  let outcome: AuthOutcome;
  try {
    outcome = await strategy.authenticate(request);
  } catch {
    return { kind: 'unavailable', status: 503, reason: 'internal_error' };
  }
  return resolveCaller(outcome, access);
}
