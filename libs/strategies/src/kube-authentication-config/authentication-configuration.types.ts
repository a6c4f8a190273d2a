// kube-apiserver's AuthenticationConfiguration (k8s.io/apiserver pkg/apis/apiserver/v1 types.go),
// as decoded from the file: every field present, Go zero values where the file says nothing
// ('' for strings, [] for lists, false for booleans); `prefix` and `discoveryURL` are pointers in
// Go, so "absent" and "" stay different. v1beta1 and v1alpha1 have the same shape.

export const AUTHENTICATION_CONFIGURATION_GROUP = 'apiserver.config.k8s.io';
export const AUTHENTICATION_CONFIGURATION_VERSIONS = ['v1', 'v1beta1', 'v1alpha1'] as const;
export const AUTHENTICATION_CONFIGURATION_KIND = 'AuthenticationConfiguration';

export interface AuthenticationConfiguration {
  readonly apiVersion: string;
  readonly kind: string;
  readonly jwt: readonly JwtAuthenticator[];
  /** Absent: the file says nothing about anonymous requests (authn.anonymous decides). */
  readonly anonymous?: AnonymousAuthConfig;
}

export interface AnonymousAuthConfig {
  readonly enabled: boolean;
  readonly conditions: readonly { readonly path: string }[];
}

export interface JwtAuthenticator {
  readonly issuer: Issuer;
  readonly claimValidationRules: readonly ClaimValidationRule[];
  readonly claimMappings: ClaimMappings;
  readonly userValidationRules: readonly UserValidationRule[];
}

export interface Issuer {
  readonly url: string;
  readonly discoveryURL?: string;
  /** PEM text, not a path. */
  readonly certificateAuthority: string;
  readonly audiences: readonly string[];
  readonly audienceMatchPolicy: string;
  readonly egressSelectorType: string;
}

export interface ClaimValidationRule {
  readonly claim: string;
  readonly requiredValue: string;
  readonly expression: string;
  readonly message: string;
}

export interface ClaimMappings {
  readonly username: PrefixedClaimOrExpression;
  readonly groups: PrefixedClaimOrExpression;
  readonly uid: ClaimOrExpression;
  readonly extra: readonly ExtraMapping[];
}

export interface PrefixedClaimOrExpression {
  readonly claim: string;
  readonly prefix?: string;
  readonly expression: string;
}

export interface ClaimOrExpression {
  readonly claim: string;
  readonly expression: string;
}

export interface ExtraMapping {
  readonly key: string;
  readonly valueExpression: string;
}

export interface UserValidationRule {
  readonly expression: string;
  readonly message: string;
}
