// The file's `anonymous` section (kube's request/anonymous authenticator): `system:anonymous` in
// `system:unauthenticated`; with `conditions`, only for requests whose path equals one of the
// condition paths exactly (the query string is not part of the path). Unlike authn.anonymous
// `paths` there is no prefix form: Kubernetes compares whole paths. A percent-encoded path is
// never decoded here, so `/live%7a` is not `/livez` (it stays unauthenticated, failing closed).
import type { AuthOutcome, Strategy } from '../strategy';
import { ANONYMOUS_USERNAME, UNAUTHENTICATED_GROUP } from '../anonymous/anonymous.strategy';
import type { AnonymousAuthConfig } from './authentication-configuration.types';

const ANONYMOUS: AuthOutcome = {
  kind: 'authenticated',
  user: { username: ANONYMOUS_USERNAME, groups: [UNAUTHENTICATED_GROUP], extra: {} },
  credential: { type: 'anonymous' },
};
const ABSTAINED: AuthOutcome = { kind: 'abstained' };

/** Undefined when the section disables anonymous requests. */
export function createConditionalAnonymous(config: AnonymousAuthConfig): Strategy | undefined {
  if (!config.enabled) return undefined;
  const allowed = new Set(config.conditions.map((c) => c.path));
  return {
    id: 'anonymous',
    authenticate: async (request) => (allowed.size === 0 || allowed.has(request.path.split(/[?#]/, 1)[0] ?? '') ? ANONYMOUS : ABSTAINED),
  };
}
