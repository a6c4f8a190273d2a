// `maxTokenLifetime`, the cap both JWT strategies put on `exp − iat` (`exp − now` without iat).
//
// Default 365d: kube-apiserver's extended service-account tokens live exactly one year
// (`ExpirationExtensionSeconds` = 365 × 24 h, the token kubelet gets when it asks for the default
// hour with --service-account-extend-token-expiration on), the longest lifetime Kubernetes gives
// a token by itself. Anything longer was minted by a misconfigured issuer or a stolen key.
// Clusters that set --service-account-max-token-expiration above a year raise this to match.
import { parseDuration } from '@authtrail/config';
import type { JsonSchema } from '../shared/json-schema';

export const DEFAULT_MAX_TOKEN_LIFETIME = '365d';

export const maxTokenLifetimeSchema: JsonSchema = {
  type: 'string',
  // A positive whole number of seconds, minutes, hours or days (no 0: that would refuse every token).
  pattern: '^[1-9][0-9]{0,8}(s|m|h|d)$',
  description: `Longest accepted token lifetime, exp − iat (exp − now without iat), e.g. 1h, 90d (default ${DEFAULT_MAX_TOKEN_LIFETIME}: kube's one-year extended tokens).`,
};

/** `maxTokenLifetime` (schema-checked) in seconds; the default when absent. */
export function maxTokenLifetimeSeconds(text: string | undefined): number {
  const parsed = parseDuration(text ?? DEFAULT_MAX_TOKEN_LIFETIME);
  if (!parsed.ok) throw new Error(`maxTokenLifetime: ${text} is not a duration like 365d`);
  return parsed.ms / 1000;
}
