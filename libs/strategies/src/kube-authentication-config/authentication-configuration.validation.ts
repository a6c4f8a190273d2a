// kube-apiserver's validation of an AuthenticationConfiguration (k8s.io/apiserver
// pkg/apis/apiserver/validation ValidateAuthenticationConfiguration), rule for rule and message
// for message, compiling the CEL expressions on the way. The result is what the JWT
// authenticators run: claim or expression per attribute, compiled programs, the issuer.
// Pure; never throws.
import { X509Certificate } from 'node:crypto';
import { duplicate, forbidden, invalid, required, tooMany, type FieldError } from './field-errors';
import { compileClaimsExpression, compileUserExpression, selectsClaim, type CompiledExpression } from './kube-cel';
import type { AnonymousAuthConfig, AuthenticationConfiguration, ClaimMappings, ClaimValidationRule, Issuer, JwtAuthenticator, PrefixedClaimOrExpression, UserValidationRule } from './authentication-configuration.types';

export const MAX_JWT_AUTHENTICATORS = 64;

export type AttributeMapping = { readonly kind: 'claim'; readonly claim: string; readonly prefix: string } | { readonly kind: 'expression'; readonly compiled: CompiledExpression };

export interface CompiledJwtAuthenticator {
  /** Position in `jwt[]`. */
  readonly index: number;
  readonly issuer: {
    readonly url: string;
    readonly discoveryURL?: string;
    readonly certificateAuthority?: string;
    readonly audiences: readonly string[];
  };
  /** `claim` + `requiredValue` rules: the claim must be a string equal to the value. */
  readonly requiredClaims: readonly { readonly claim: string; readonly requiredValue: string }[];
  readonly claimValidationRules: readonly { readonly compiled: CompiledExpression; readonly message: string }[];
  readonly username: AttributeMapping;
  readonly groups?: AttributeMapping;
  readonly uid?: { readonly kind: 'claim'; readonly claim: string } | { readonly kind: 'expression'; readonly compiled: CompiledExpression };
  readonly extra: readonly { readonly key: string; readonly compiled: CompiledExpression }[];
  readonly userValidationRules: readonly { readonly compiled: CompiledExpression; readonly message: string }[];
}

export interface CompiledAuthenticationConfiguration {
  readonly jwt: readonly CompiledJwtAuthenticator[];
  /** Absent when the file has no `anonymous` section. */
  readonly anonymous?: AnonymousAuthConfig;
}

export interface ValidationOptions {
  /** Issuers no JWT authenticator may claim (kube: the service-account issuers). */
  readonly disallowedIssuers?: readonly string[];
}

export type ValidationResult = { readonly ok: true; readonly compiled: CompiledAuthenticationConfiguration } | { readonly ok: false; readonly errors: readonly FieldError[] };

export function validateAuthenticationConfiguration(config: AuthenticationConfiguration, options: ValidationOptions = {}): ValidationResult {
  const errors: FieldError[] = [];
  // "We allow 0 authenticators": jwt authenticators may be added later by a reload.
  if (config.jwt.length > MAX_JWT_AUTHENTICATORS) return { ok: false, errors: [tooMany('jwt', config.jwt.length, MAX_JWT_AUTHENTICATORS)] };
  const disallowed = new Set(options.disallowedIssuers ?? []);
  const seenIssuers = new Set<string>();
  const seenDiscoveryURLs = new Set<string>();
  const compiled: CompiledJwtAuthenticator[] = [];
  config.jwt.forEach((authenticator, index) => {
    const path = `jwt[${index}]`;
    const result = validateJwtAuthenticator(authenticator, index, path, disallowed, errors);
    if (result) compiled.push(result);
    const { url, discoveryURL } = authenticator.issuer;
    if (seenIssuers.has(url)) errors.push(duplicate(`${path}.issuer.url`, url));
    seenIssuers.add(url);
    if (discoveryURL) {
      if (seenDiscoveryURLs.has(discoveryURL)) errors.push(duplicate(`${path}.issuer.discoveryURL`, discoveryURL));
      seenDiscoveryURLs.add(discoveryURL);
    }
  });
  const anonymous = config.anonymous;
  if (anonymous && !anonymous.enabled && anonymous.conditions.length > 0) {
    errors.push(invalid('anonymous.conditions', anonymous.conditions, 'enabled should be set to true when conditions are defined'));
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, compiled: { jwt: compiled, ...(anonymous ? { anonymous } : {}) } };
}

/** Appends this authenticator's errors; returns its compiled form when it has none. */
function validateJwtAuthenticator(authenticator: JwtAuthenticator, index: number, path: string, disallowed: ReadonlySet<string>, errors: FieldError[]): CompiledJwtAuthenticator | undefined {
  const before = errors.length;
  const state: EmailState = { usesEmailClaim: false, usesEmailVerifiedClaim: false };
  validateIssuer(authenticator.issuer, disallowed, `${path}.issuer`, errors);
  const rules = validateClaimValidationRules(authenticator.claimValidationRules, `${path}.claimValidationRules`, state, errors);
  const mappings = validateClaimMappings(authenticator.claimMappings, `${path}.claimMappings`, state, errors);
  const userRules = validateUserValidationRules(authenticator.userValidationRules, `${path}.userValidationRules`, errors);
  if (errors.length > before || !mappings.username) return undefined;
  const { issuer } = authenticator;
  return {
    index,
    issuer: {
      url: issuer.url,
      audiences: issuer.audiences,
      ...(issuer.discoveryURL ? { discoveryURL: issuer.discoveryURL } : {}),
      ...(issuer.certificateAuthority ? { certificateAuthority: issuer.certificateAuthority } : {}),
    },
    requiredClaims: rules.requiredClaims,
    claimValidationRules: rules.expressions,
    username: mappings.username,
    ...(mappings.groups ? { groups: mappings.groups } : {}),
    ...(mappings.uid ? { uid: mappings.uid } : {}),
    extra: mappings.extra,
    userValidationRules: userRules,
  };
}

interface EmailState {
  usesEmailClaim: boolean;
  usesEmailVerifiedClaim: boolean;
}

function validateIssuer(issuer: Issuer, disallowed: ReadonlySet<string>, path: string, errors: FieldError[]): void {
  if (issuer.url.length === 0) errors.push(required(`${path}.url`));
  else errors.push(...validateURL(issuer.url, disallowed, `${path}.url`));
  const discoveryURL = issuer.discoveryURL ?? '';
  if (discoveryURL.length > 0) {
    if (issuer.url.length > 0 && issuer.url.replace(/\/+$/, '') === discoveryURL.replace(/\/+$/, '')) {
      errors.push(invalid(`${path}.discoveryURL`, discoveryURL, 'discoveryURL must be different from URL'));
    }
    // Not an issuer: not checked against the disallowed issuers.
    errors.push(...validateURL(discoveryURL, new Set(), `${path}.discoveryURL`));
  }
  validateAudiences(issuer.audiences, issuer.audienceMatchPolicy, `${path}.audiences`, `${path}.audienceMatchPolicy`, errors);
  if (issuer.certificateAuthority.length > 0) {
    const problem = certificateAuthorityProblem(issuer.certificateAuthority);
    if (problem) errors.push(invalid(`${path}.certificateAuthority`, '<omitted>', problem));
  }
  if (issuer.egressSelectorType.length > 0) {
    // authtrail has no egress selector: as kube-apiserver with the feature gate off.
    errors.push(invalid(`${path}.egressSelectorType`, issuer.egressSelectorType, 'egress selector is not supported when StructuredAuthenticationConfigurationEgressSelector feature gate is disabled'));
    if (issuer.egressSelectorType !== 'controlplane' && issuer.egressSelectorType !== 'cluster') {
      errors.push(invalid(`${path}.egressSelectorType`, issuer.egressSelectorType, 'egress selector must be either controlplane or cluster'));
    }
  }
}

function validateURL(url: string, disallowed: ReadonlySet<string>, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (disallowed.has(url)) errors.push(invalid(path, url, `URL must not overlap with disallowed issuers: [${[...disallowed].sort().join(' ')}]`));
  const parsed = parseUrl(url);
  if ('error' in parsed) {
    errors.push(invalid(path, url, parsed.error));
    return errors;
  }
  if (parsed.scheme !== 'https') errors.push(invalid(path, url, 'URL scheme must be https'));
  if (parsed.userinfo) errors.push(invalid(path, url, 'URL must not contain a username or password'));
  if (parsed.query) errors.push(invalid(path, url, 'URL must not contain a query'));
  if (parsed.fragment) errors.push(invalid(path, url, 'URL must not contain a fragment'));
  return errors;
}

/** The parts Go's url.Parse gives kube's checks: scheme, userinfo, non-empty query and fragment. */
function parseUrl(url: string): { scheme: string; userinfo: boolean; query: boolean; fragment: boolean } | { error: string } {
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url);
  const hashAt = url.indexOf('#');
  const beforeHash = hashAt >= 0 ? url.slice(0, hashAt) : url;
  const queryAt = beforeHash.indexOf('?');
  const fragment = hashAt >= 0 && hashAt < url.length - 1;
  const query = queryAt >= 0 && queryAt < beforeHash.length - 1;
  if ([...url].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return { error: `parse ${JSON.stringify(url)}: net/url: invalid control character in URL` };
  if (!schemeMatch) {
    if (url.startsWith(':')) return { error: `parse ${JSON.stringify(url)}: missing protocol scheme` };
    if (/^[^/?#]*:/.test(url)) return { error: `parse ${JSON.stringify(url)}: first path segment in URL cannot contain colon` };
    return { scheme: '', userinfo: false, query, fragment };
  }
  const scheme = (schemeMatch[1] ?? '').toLowerCase();
  const rest = beforeHash.slice(schemeMatch[0].length);
  const authority = rest.startsWith('//') ? (rest.slice(2).split(/[/?]/, 1)[0] ?? '') : '';
  return { scheme, userinfo: authority.includes('@'), query, fragment };
}

function validateAudiences(audiences: readonly string[], matchPolicy: string, path: string, policyPath: string, errors: FieldError[]): void {
  if (audiences.length === 0) {
    errors.push(required(path, `at least one ${path} is required`));
    return;
  }
  const seen = new Set<string>();
  audiences.forEach((audience, i) => {
    if (audience.length === 0) errors.push(required(`${path}[${i}]`));
    if (seen.has(audience)) errors.push(duplicate(`${path}[${i}]`, audience));
    seen.add(audience);
  });
  if (audiences.length > 1 && matchPolicy !== 'MatchAny') errors.push(invalid(policyPath, matchPolicy, 'audienceMatchPolicy must be MatchAny for multiple audiences'));
  if (audiences.length === 1 && matchPolicy.length > 0 && matchPolicy !== 'MatchAny') errors.push(invalid(policyPath, matchPolicy, 'audienceMatchPolicy must be empty or MatchAny for single audience'));
}

/** client-go's cert.NewPoolFromBytes: at least one CERTIFICATE block, each one parseable. */
function certificateAuthorityProblem(pem: string): string | undefined {
  const blocks = [...pem.matchAll(/-----BEGIN CERTIFICATE-----\r?\n([\s\S]*?)-----END CERTIFICATE-----/g)];
  if (blocks.length === 0) return 'data does not contain any valid RSA or ECDSA certificates';
  for (const block of blocks) {
    try {
      new X509Certificate(Buffer.from((block[1] ?? '').replace(/\s+/g, ''), 'base64'));
    } catch {
      return 'x509: malformed certificate';
    }
  }
  return undefined;
}

function validateClaimValidationRules(rules: readonly ClaimValidationRule[], path: string, state: EmailState, errors: FieldError[]) {
  const requiredClaims: { claim: string; requiredValue: string }[] = [];
  const expressions: { compiled: CompiledExpression; message: string }[] = [];
  const seenClaims = new Set<string>();
  const seenExpressions = new Set<string>();
  rules.forEach((rule, i) => {
    const at = `${path}[${i}]`;
    if (rule.claim.length > 0 && rule.expression.length > 0) {
      errors.push(invalid(at, rule.claim, "claim and expression can't both be set"));
    } else if (rule.claim.length === 0 && rule.expression.length === 0) {
      errors.push(required(at, 'claim or expression is required'));
    } else if (rule.claim.length > 0) {
      if (rule.message.length > 0) errors.push(invalid(`${at}.message`, rule.message, 'may not be specified when claim is set'));
      if (seenClaims.has(rule.claim)) errors.push(duplicate(`${at}.claim`, rule.claim));
      seenClaims.add(rule.claim);
      requiredClaims.push({ claim: rule.claim, requiredValue: rule.requiredValue });
    } else {
      if (rule.requiredValue.length > 0) errors.push(invalid(`${at}.requiredValue`, rule.requiredValue, 'may not be specified when expression is set'));
      if (seenExpressions.has(rule.expression)) {
        errors.push(duplicate(`${at}.expression`, rule.expression));
        return;
      }
      seenExpressions.add(rule.expression);
      const result = compileClaimsExpression(rule.expression, 'bool');
      if (!result.ok) {
        errors.push(invalid(`${at}.expression`, rule.expression, result.detail));
        return;
      }
      expressions.push({ compiled: result.compiled, message: rule.message });
      state.usesEmailVerifiedClaim ||= selectsClaim(result.compiled, 'email_verified');
    }
  });
  return { requiredClaims, expressions };
}

function validateClaimMappings(mappings: ClaimMappings, path: string, state: EmailState, errors: FieldError[]) {
  const username = validatePrefixedClaimOrExpression(mappings.username, `${path}.username`, true, errors);
  if (username?.kind === 'expression') {
    state.usesEmailClaim ||= selectsClaim(username.compiled, 'email');
    state.usesEmailVerifiedClaim ||= selectsClaim(username.compiled, 'email_verified');
  }
  const groups = validatePrefixedClaimOrExpression(mappings.groups, `${path}.groups`, false, errors);

  let uid: CompiledJwtAuthenticator['uid'];
  const { claim: uidClaim, expression: uidExpression } = mappings.uid;
  if (uidClaim.length > 0 && uidExpression.length > 0) {
    errors.push(invalid(`${path}.uid`, '', "claim and expression can't both be set"));
  } else if (uidExpression.length > 0) {
    const result = compileClaimsExpression(uidExpression, 'any');
    if (result.ok) uid = { kind: 'expression', compiled: result.compiled };
    else errors.push(invalid(`${path}.uid.expression`, uidExpression, result.detail));
  } else if (uidClaim.length > 0) {
    uid = { kind: 'claim', claim: uidClaim };
  }

  const extra: { key: string; compiled: CompiledExpression }[] = [];
  const seenKeys = new Set<string>();
  mappings.extra.forEach((mapping, i) => {
    const at = `${path}.extra[${i}]`;
    errors.push(...domainPrefixedPathErrors(`${at}.key`, mapping.key));
    if (mapping.key !== mapping.key.toLowerCase()) errors.push(invalid(`${at}.key`, mapping.key, 'must be lowercase'));
    if (isKubernetesDomainPrefix(mapping.key)) errors.push(invalid(`${at}.key`, mapping.key, 'k8s.io, kubernetes.io and their subdomains are reserved for Kubernetes use'));
    if (seenKeys.has(mapping.key)) {
      errors.push(duplicate(`${at}.key`, mapping.key));
      return;
    }
    seenKeys.add(mapping.key);
    if (mapping.valueExpression.length === 0) {
      errors.push(required(`${at}.valueExpression`));
      return;
    }
    const result = compileClaimsExpression(mapping.valueExpression, 'any');
    if (!result.ok) {
      errors.push(invalid(`${at}.valueExpression`, mapping.valueExpression, result.detail));
      return;
    }
    extra.push({ key: mapping.key, compiled: result.compiled });
    state.usesEmailVerifiedClaim ||= selectsClaim(result.compiled, 'email_verified');
  });

  if (state.usesEmailClaim && !state.usesEmailVerifiedClaim) {
    errors.push(
      invalid(
        `${path}.username.expression`,
        mappings.username.expression,
        'claims.email_verified must be used in claimMappings.username.expression or claimMappings.extra[*].valueExpression or claimValidationRules[*].expression when claims.email is used in claimMappings.username.expression',
      ),
    );
  }
  return { username, groups, uid, extra };
}

function validatePrefixedClaimOrExpression(mapping: PrefixedClaimOrExpression, path: string, claimOrExpressionRequired: boolean, errors: FieldError[]): AttributeMapping | undefined {
  if (mapping.expression.length > 0 && mapping.claim.length > 0) {
    errors.push(invalid(path, '', "claim and expression can't both be set"));
    return undefined;
  }
  if (mapping.expression.length === 0 && mapping.claim.length === 0) {
    if (claimOrExpressionRequired) errors.push(required(path, 'claim or expression is required'));
    return undefined;
  }
  if (mapping.expression.length > 0) {
    if (mapping.prefix !== undefined) errors.push(invalid(`${path}.prefix`, mapping.prefix, 'may not be specified when expression is set'));
    const result = compileClaimsExpression(mapping.expression, 'any');
    if (!result.ok) {
      errors.push(invalid(`${path}.expression`, mapping.expression, result.detail));
      return undefined;
    }
    return { kind: 'expression', compiled: result.compiled };
  }
  if (mapping.prefix === undefined) {
    errors.push(required(`${path}.prefix`, 'prefix is required when claim is set. It can be set to an empty string to disable prefixing'));
    return undefined;
  }
  return { kind: 'claim', claim: mapping.claim, prefix: mapping.prefix };
}

function validateUserValidationRules(rules: readonly UserValidationRule[], path: string, errors: FieldError[]) {
  const compiled: { compiled: CompiledExpression; message: string }[] = [];
  const seen = new Set<string>();
  rules.forEach((rule, i) => {
    const at = `${path}[${i}]`;
    if (rule.expression.length === 0) {
      errors.push(required(`${at}.expression`));
      return;
    }
    if (seen.has(rule.expression)) {
      errors.push(duplicate(`${at}.expression`, rule.expression));
      return;
    }
    seen.add(rule.expression);
    const result = compileUserExpression(rule.expression);
    if (!result.ok) {
      errors.push(invalid(`${at}.expression`, rule.expression, result.detail));
      return;
    }
    compiled.push({ compiled: result.compiled, message: rule.message });
  });
  return compiled;
}

const DNS1123_SUBDOMAIN_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const HTTP_PATH = new RegExp(`^${HTTP_PATH_FMT}$`);

/** apimachinery's IsDomainPrefixedPath. */
function domainPrefixedPathErrors(path: string, key: string): FieldError[] {
  if (key.length === 0) return [required(path)];
  const slash = key.indexOf('/');
  const host = slash >= 0 ? key.slice(0, slash) : key;
  const rest = slash >= 0 ? key.slice(slash + 1) : '';
  if (slash < 0 || host.length === 0 || rest.length === 0) return [invalid(path, key, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errors: FieldError[] = [];
  if (host.length > 253) errors.push(invalid(path, host, 'must be no more than 253 characters'));
  if (!DNS1123_SUBDOMAIN.test(host)) {
    errors.push(
      invalid(path, host, `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${DNS1123_SUBDOMAIN_FMT}')`),
    );
  }
  if (!HTTP_PATH.test(rest)) errors.push(invalid(path, rest, `Invalid path (regex used for validation is '${HTTP_PATH_FMT}')`));
  return errors;
}

function isKubernetesDomainPrefix(key: string): boolean {
  const slash = key.indexOf('/');
  const domain = slash >= 0 ? key.slice(0, slash) : '';
  return domain === 'kubernetes.io' || domain.endsWith('.kubernetes.io') || domain === 'k8s.io' || domain.endsWith('.k8s.io');
}

/** kube-apiserver refuses a reload that changes `anonymous` (it is read at start only). */
export function anonymousChanged(initial: AnonymousAuthConfig | undefined, next: AnonymousAuthConfig | undefined): FieldError | undefined {
  return JSON.stringify(initial ?? null) === JSON.stringify(next ?? null) ? undefined : forbidden('anonymous', 'changed from initial configuration file');
}
