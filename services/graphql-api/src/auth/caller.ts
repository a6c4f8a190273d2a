// Who calls the API and what they may do. Authentication is a decision of the shared decision
// path (libs/authentication, DESIGN §6): endpoint `graphql`, recorded, under policy, revocation
// and throttling. Authorization is by group: `graphql.viewerGroups` read, `graphql.adminGroups`
// read, mutate and fingerprint.
import type { BuiltView, Decision, DecisionService } from '@authtrail/authentication';

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
  /** `message`: the decision's safe message (what authn would answer), when it has one. */
  | { readonly kind: 'unauthenticated'; readonly status: 401; readonly reason: string; readonly message?: string }
  | { readonly kind: 'no-role'; readonly status: 403; readonly username: string }
  | { readonly kind: 'throttled'; readonly status: 429; readonly reason: string; readonly retryAfterSeconds: number }
  | { readonly kind: 'unavailable'; readonly status: 503; readonly reason: string };

export function rolesOf(groups: readonly string[], access: AccessGroups): ReadonlySet<Role> {
  const roles = new Set<Role>();
  if (groups.some((g) => access.adminGroups.includes(g))) roles.add('ADMIN').add('VIEWER');
  if (groups.some((g) => access.viewerGroups.includes(g))) roles.add('VIEWER');
  return roles;
}

/** Pure: a decision and the configured groups → who may do what. */
export function resolveCaller(decision: Decision, access: AccessGroups): CallerResolution {
  const { result } = decision;
  // strict events mode: a decision that could not be recorded is not given.
  if (decision.unrecorded) return { kind: 'unavailable', status: 503, reason: 'upstream_unavailable' };
  if (result.decision === 'allow' && result.user) {
    const roles = rolesOf(result.user.groups, access);
    if (roles.size === 0) return { kind: 'no-role', status: 403, username: result.user.username };
    return { kind: 'caller', caller: { username: result.user.username, groups: result.user.groups, roles } };
  }
  if (result.reason === 'throttled') return { kind: 'throttled', status: 429, reason: result.reason, retryAfterSeconds: decision.retryAfterSeconds ?? 1 };
  // A strategy that could not decide (JWKS down): try again later, never a pass.
  if (decision.outcome === 'errored') return { kind: 'unavailable', status: 503, reason: result.reason };
  return { kind: 'unauthenticated', status: 401, reason: result.reason, ...(result.message ? { message: result.message } : {}) };
}

/** With `graphql.auth.enabled: false` (development only) everyone is an anonymous viewer. */
export const ANONYMOUS_VIEWER: Caller = { username: 'system:anonymous', groups: ['system:unauthenticated'], roles: new Set<Role>(['VIEWER']) };

/** One decision per GraphQL HTTP request or WebSocket connection (null: auth disabled). */
export interface CallerAuthenticator {
  authenticate(built: BuiltView, startedNs: bigint): Promise<{ readonly resolution: CallerResolution; readonly decisionId?: string }>;
}

/** The API's callers through the shared decision service; a throwing service is `unavailable`, never a pass. */
export function decisionAuthenticator(decisions: DecisionService, access: AccessGroups): CallerAuthenticator {
  return {
    async authenticate(built, startedNs) {
      let decision: Decision;
      try {
        decision = await decisions.decide('graphql', built, startedNs);
      } catch {
        return { resolution: { kind: 'unavailable', status: 503, reason: 'internal_error' } };
      }
      return { resolution: resolveCaller(decision, access), decisionId: decision.id };
    },
  };
}

/** `null` (graphql.auth.enabled: false): everyone is an anonymous viewer, no decision is taken. */
export async function authenticateCaller(authenticator: CallerAuthenticator | null, built: BuiltView, startedNs: bigint): Promise<{ readonly resolution: CallerResolution; readonly decisionId?: string }> {
  if (authenticator === null) return { resolution: { kind: 'caller', caller: ANONYMOUS_VIEWER } };
  return authenticator.authenticate(built, startedNs);
}
