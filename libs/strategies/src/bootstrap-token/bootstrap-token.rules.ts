// The constants and checks of Kubernetes' bootstrap tokens (k8s.io/cluster-bootstrap):
// token and id formats, the Secret's type and keys, the extra-groups rule.
export const BOOTSTRAP_TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
export const BOOTSTRAP_TOKEN_ID_PATTERN = /^[a-z0-9]{6}$/;
export const BOOTSTRAP_GROUP_PATTERN = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
export const BOOTSTRAP_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_SECRET_PREFIX = 'bootstrap-token-';
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';
export const BOOTSTRAP_DEFAULT_GROUP = 'system:bootstrappers';

export const KEYS = {
  tokenId: 'token-id',
  tokenSecret: 'token-secret',
  expiration: 'expiration',
  usageAuthentication: 'usage-bootstrap-authentication',
  extraGroups: 'auth-extra-groups',
} as const;

export type GroupsResult = { readonly ok: true; readonly groups: readonly string[] } | { readonly ok: false; readonly problem: string };

/** `system:bootstrappers` plus the extra groups, sorted and deduplicated; any invalid group fails all. */
export function bootstrapGroups(extraGroups: string | undefined): GroupsResult {
  const groups = new Set([BOOTSTRAP_DEFAULT_GROUP]);
  if (extraGroups !== undefined && extraGroups !== '') {
    for (const group of extraGroups.split(',')) {
      if (!BOOTSTRAP_GROUP_PATTERN.test(group)) return { ok: false, problem: `auth-extra-groups entry does not match ${BOOTSTRAP_GROUP_PATTERN.source}` };
      groups.add(group);
    }
  }
  return { ok: true, groups: [...groups].sort() };
}
