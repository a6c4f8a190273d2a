// `anonymous` (DESIGN §3.2): `system:anonymous` in `system:unauthenticated`. The chain asks it only
// when every other strategy abstained (see chain/first-match.ts). A path outside the allow-list
// abstains, so the chain answers `no_credentials`.
import type { AuthOutcome, Strategy } from '../strategy';
import type { AnonymousConfig } from './anonymous.config';
import { createPathAllowList } from './path-allow-list';

export const ANONYMOUS_USERNAME = 'system:anonymous';
export const UNAUTHENTICATED_GROUP = 'system:unauthenticated';

const ANONYMOUS: AuthOutcome = {
  kind: 'authenticated',
  user: { username: ANONYMOUS_USERNAME, groups: [UNAUTHENTICATED_GROUP], extra: {} },
  credential: { type: 'anonymous' },
};

export function createAnonymousStrategy(config: AnonymousConfig = { id: 'anonymous' }): Strategy {
  const allowed = createPathAllowList(config.paths);
  return {
    id: 'anonymous',
    authenticate: async (request) => (allowed(request.path) ? ANONYMOUS : { kind: 'abstained' }),
  };
}
