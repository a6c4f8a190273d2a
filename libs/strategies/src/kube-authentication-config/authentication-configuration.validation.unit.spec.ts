// kube-apiserver's validation of AuthenticationConfiguration, case by case. The expected
// messages are those of k8s.io/apiserver pkg/apis/apiserver/validation/validation.go for the
// same file (field path, error type, value, detail), so an operator sees what kube-apiserver
// would have told them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rsaKeyPair, selfSignedCertificate } from '@authtrail/testing';
import { decodeAuthenticationConfiguration } from './authentication-configuration.decoder';
import { validateAuthenticationConfiguration, type ValidationOptions } from './authentication-configuration.validation';
import { formatFieldError } from './field-errors';

const HEAD = 'apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\n';

function errorsOf(text: string, options: ValidationOptions = {}): readonly string[] {
  const decoded = decodeAuthenticationConfiguration(text);
  if (!decoded.ok) throw new Error(decoded.error);
  const result = validateAuthenticationConfiguration(decoded.config, options);
  return result.ok ? [] : result.errors.map(formatFieldError);
}

/** One jwt[] item with a valid issuer and username unless the case replaces them. */
function jwt(parts: { issuer?: string; claimMappings?: string; rest?: string } = {}): string {
  const issuer = parts.issuer ?? '    url: https://idp.example\n    audiences: [authtrail]\n';
  const claimMappings = parts.claimMappings ?? '    username: { claim: sub, prefix: "" }\n';
  return `${HEAD}jwt:\n- issuer:\n${issuer}  claimMappings:\n${claimMappings}${parts.rest ?? ''}`;
}

const doc = (name: string) => readFileSync(join(__dirname, 'testdata', name), 'utf8');

describe('the Kubernetes documentation examples', () => {
  it('the annotated example of every field fails exactly where kube-apiserver says it does', () => {
    expect(errorsOf(doc('doc-full-example.yaml'))).toEqual([
      'jwt[0].issuer.certificateAuthority: Invalid value: "<omitted>": data does not contain any valid RSA or ECDSA certificates',
      'jwt[0].issuer.egressSelectorType: Invalid value: "<egress-selector-type>": egress selector is not supported when StructuredAuthenticationConfigurationEgressSelector feature gate is disabled',
      'jwt[0].issuer.egressSelectorType: Invalid value: "<egress-selector-type>": egress selector must be either controlplane or cluster',
      `jwt[0].claimMappings.username: Invalid value: "": claim and expression can't both be set`,
      `jwt[0].claimMappings.groups: Invalid value: "": claim and expression can't both be set`,
      `jwt[0].claimMappings.uid: Invalid value: "": claim and expression can't both be set`,
    ]);
  });

  it.each(['doc-valid-token.yaml', 'doc-fails-claim-validation.yaml', 'doc-fails-user-validation.yaml', 'doc-anonymous.yaml'])('%s is valid', (name) => {
    expect(errorsOf(doc(name))).toEqual([]);
  });
});

describe('issuer', () => {
  it.each([
    ['plain http', '    url: http://idp.example\n    audiences: [a]\n', ['jwt[0].issuer.url: Invalid value: "http://idp.example": URL scheme must be https']],
    ['no url', '    audiences: [a]\n', ['jwt[0].issuer.url: Required value']],
    ['no scheme', '    url: idp.example\n    audiences: [a]\n', ['jwt[0].issuer.url: Invalid value: "idp.example": URL scheme must be https']],
    ['credentials in the url', '    url: https://u:p@idp.example\n    audiences: [a]\n', ['jwt[0].issuer.url: Invalid value: "https://u:p@idp.example": URL must not contain a username or password']],
    ['a query', '    url: https://idp.example?x=1\n    audiences: [a]\n', ['jwt[0].issuer.url: Invalid value: "https://idp.example?x=1": URL must not contain a query']],
    ['a fragment', '    url: https://idp.example#x\n    audiences: [a]\n', ['jwt[0].issuer.url: Invalid value: "https://idp.example#x": URL must not contain a fragment']],
    [
      'discoveryURL equal to url but for a trailing slash',
      '    url: https://idp.example\n    discoveryURL: https://idp.example/\n    audiences: [a]\n',
      ['jwt[0].issuer.discoveryURL: Invalid value: "https://idp.example/": discoveryURL must be different from URL'],
    ],
    ['discoveryURL over http', '    url: https://idp.example\n    discoveryURL: http://idp.internal/.well-known/openid-configuration\n    audiences: [a]\n', ['jwt[0].issuer.discoveryURL: Invalid value: "http://idp.internal/.well-known/openid-configuration": URL scheme must be https']],
    ['no audiences', '    url: https://idp.example\n', ['jwt[0].issuer.audiences: Required value: at least one jwt[0].issuer.audiences is required']],
    ['two audiences without MatchAny', '    url: https://idp.example\n    audiences: [a, b]\n', ['jwt[0].issuer.audienceMatchPolicy: Invalid value: "": audienceMatchPolicy must be MatchAny for multiple audiences']],
    ['one audience with another policy', '    url: https://idp.example\n    audiences: [a]\n    audienceMatchPolicy: MatchAll\n', ['jwt[0].issuer.audienceMatchPolicy: Invalid value: "MatchAll": audienceMatchPolicy must be empty or MatchAny for single audience']],
    ['an empty and a repeated audience', '    url: https://idp.example\n    audiences: ["", a, a]\n    audienceMatchPolicy: MatchAny\n', ['jwt[0].issuer.audiences[0]: Required value', 'jwt[0].issuer.audiences[2]: Duplicate value: "a"']],
    ['a CA that is no certificate', '    url: https://idp.example\n    audiences: [a]\n    certificateAuthority: not a pem\n', ['jwt[0].issuer.certificateAuthority: Invalid value: "<omitted>": data does not contain any valid RSA or ECDSA certificates']],
    ['an egress selector (authtrail has none)', '    url: https://idp.example\n    audiences: [a]\n    egressSelectorType: cluster\n', ['jwt[0].issuer.egressSelectorType: Invalid value: "cluster": egress selector is not supported when StructuredAuthenticationConfigurationEgressSelector feature gate is disabled']],
  ])('%s', (_name, issuer, errors) => {
    expect(errorsOf(jwt({ issuer }))).toEqual(errors);
  });

  it('two audiences with MatchAny are valid', () => {
    expect(errorsOf(jwt({ issuer: '    url: https://idp.example\n    audiences: [a, b]\n    audienceMatchPolicy: MatchAny\n' }))).toEqual([]);
  });

  it('a PEM CA bundle is accepted as the issuer CA', () => {
    const ca = selfSignedCertificate(rsaKeyPair(), { commonName: 'idp.example' });
    const indented = ca.trim().split('\n').map((line) => `      ${line}`).join('\n');
    expect(errorsOf(jwt({ issuer: `    url: https://idp.example\n    audiences: [a]\n    certificateAuthority: |\n${indented}\n` }))).toEqual([]);
  });

  it('issuers and discovery URLs are unique across authenticators', () => {
    const item = '- issuer:\n    url: https://idp.example\n    discoveryURL: https://idp.internal/.well-known/openid-configuration\n    audiences: [a]\n  claimMappings:\n    username: { claim: sub, prefix: "" }\n';
    expect(errorsOf(`${HEAD}jwt:\n${item}${item}`)).toEqual([
      'jwt[1].issuer.url: Duplicate value: "https://idp.example"',
      'jwt[1].issuer.discoveryURL: Duplicate value: "https://idp.internal/.well-known/openid-configuration"',
    ]);
  });

  it('the service-account issuers are not for JWT authenticators', () => {
    const issuer = '    url: https://kubernetes.default.svc.cluster.local\n    audiences: [a]\n';
    expect(errorsOf(jwt({ issuer }), { disallowedIssuers: ['https://kubernetes.default.svc.cluster.local', 'https://b.example'] })).toEqual([
      'jwt[0].issuer.url: Invalid value: "https://kubernetes.default.svc.cluster.local": URL must not overlap with disallowed issuers: [https://b.example https://kubernetes.default.svc.cluster.local]',
    ]);
  });

  it('at most 64 authenticators', () => {
    const items = Array.from({ length: 65 }, (_, i) => `- issuer: { url: "https://idp${i}.example", audiences: [a] }\n  claimMappings: { username: { claim: sub, prefix: "" } }\n`).join('');
    expect(errorsOf(`${HEAD}jwt:\n${items}`)).toEqual(['jwt: Too many: 65: must have at most 64 items']);
    expect(errorsOf(`${HEAD}jwt: []\n`)).toEqual([]);
  });
});

describe('claimMappings', () => {
  it.each([
    ['no username mapping', '    groups: { claim: groups, prefix: "" }\n', ['jwt[0].claimMappings.username: Required value: claim or expression is required']],
    ['a username claim without prefix', '    username: { claim: sub }\n', ['jwt[0].claimMappings.username.prefix: Required value: prefix is required when claim is set. It can be set to an empty string to disable prefixing']],
    ['a groups claim without prefix', '    username: { claim: sub, prefix: "" }\n    groups: { claim: groups }\n', ['jwt[0].claimMappings.groups.prefix: Required value: prefix is required when claim is set. It can be set to an empty string to disable prefixing']],
    ['a prefix with an expression', '    username: { expression: "claims.sub", prefix: "oidc:" }\n', ['jwt[0].claimMappings.username.prefix: Invalid value: "oidc:": may not be specified when expression is set']],
    ['uid by claim and expression', '    username: { claim: sub, prefix: "" }\n    uid: { claim: sub, expression: claims.sub }\n', [`jwt[0].claimMappings.uid: Invalid value: "": claim and expression can't both be set`]],
    [
      'claims.email without claims.email_verified',
      '    username: { expression: "claims.email" }\n',
      ['jwt[0].claimMappings.username.expression: Invalid value: "claims.email": claims.email_verified must be used in claimMappings.username.expression or claimMappings.extra[*].valueExpression or claimValidationRules[*].expression when claims.email is used in claimMappings.username.expression'],
    ],
    ['an extra key without domain', '    username: { claim: sub, prefix: "" }\n    extra: [{ key: tenant, valueExpression: claims.tenant }]\n', ['jwt[0].claimMappings.extra[0].key: Invalid value: "tenant": must be a domain-prefixed path (such as "acme.io/foo")']],
    [
      'an upper-case extra key',
      '    username: { claim: sub, prefix: "" }\n    extra: [{ key: Example.com/tenant, valueExpression: claims.tenant }]\n',
      [
        "jwt[0].claimMappings.extra[0].key: Invalid value: \"Example.com\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        'jwt[0].claimMappings.extra[0].key: Invalid value: "Example.com/tenant": must be lowercase',
      ],
    ],
    ['a reserved extra key', '    username: { claim: sub, prefix: "" }\n    extra: [{ key: authentication.kubernetes.io/x, valueExpression: claims.x }]\n', ['jwt[0].claimMappings.extra[0].key: Invalid value: "authentication.kubernetes.io/x": k8s.io, kubernetes.io and their subdomains are reserved for Kubernetes use']],
    ['a repeated extra key', '    username: { claim: sub, prefix: "" }\n    extra: [{ key: a.io/x, valueExpression: claims.x }, { key: a.io/x, valueExpression: claims.y }]\n', ['jwt[0].claimMappings.extra[1].key: Duplicate value: "a.io/x"']],
    ['an extra key without expression', '    username: { claim: sub, prefix: "" }\n    extra: [{ key: a.io/x }]\n', ['jwt[0].claimMappings.extra[0].valueExpression: Required value']],
  ])('%s', (_name, claimMappings, errors) => {
    expect(errorsOf(jwt({ claimMappings }))).toEqual(errors);
  });

  it('a CEL syntax error is a compilation failure with its position', () => {
    const [error, ...rest] = errorsOf(jwt({ claimMappings: '    username: { expression: "claims.sub +" }\n' }));
    expect(rest).toEqual([]);
    expect(error).toMatch(/^jwt\[0\]\.claimMappings\.username\.expression: Invalid value: "claims\.sub \+": compilation failed: ERROR: <input>:1:\d+: /);
  });

  it('claims.email is fine once claims.email_verified is checked anywhere kube looks', () => {
    expect(errorsOf(jwt({ claimMappings: '    username: { expression: "claims.email" }\n', rest: "  claimValidationRules:\n  - expression: 'claims.?email_verified.orValue(true) == true'\n" }))).toEqual([]);
    expect(errorsOf(jwt({ claimMappings: '    username: { expression: "claims.email_verified ? claims.email : claims.sub" }\n' }))).toEqual([]);
    expect(errorsOf(jwt({ claimMappings: '    username: { expression: "claims.email" }\n    extra: [{ key: a.io/v, valueExpression: "string(claims.email_verified)" }]\n' }))).toEqual([]);
  });
});

describe('claimValidationRules and userValidationRules', () => {
  it.each([
    ['claim and expression together', '  - { claim: hd, expression: "claims.hd == \'x\'" }\n', [`jwt[0].claimValidationRules[0]: Invalid value: "hd": claim and expression can't both be set`]],
    ['neither claim nor expression', '  - { message: m }\n', ['jwt[0].claimValidationRules[0]: Required value: claim or expression is required']],
    ['a message with a claim', '  - { claim: hd, requiredValue: x, message: m }\n', ['jwt[0].claimValidationRules[0].message: Invalid value: "m": may not be specified when claim is set']],
    ['a repeated claim', '  - { claim: hd, requiredValue: x }\n  - { claim: hd, requiredValue: z }\n', ['jwt[0].claimValidationRules[1].claim: Duplicate value: "hd"']],
    ['requiredValue with an expression', "  - { expression: \"claims.hd == 'x'\", requiredValue: x }\n", [`jwt[0].claimValidationRules[0].requiredValue: Invalid value: "x": may not be specified when expression is set`]],
    ['a repeated expression', "  - { expression: \"claims.hd == 'x'\" }\n  - { expression: \"claims.hd == 'x'\" }\n", [`jwt[0].claimValidationRules[1].expression: Duplicate value: "claims.hd == 'x'"`]],
    ['an expression that is not a bool', '  - { expression: claims.hd }\n', ['jwt[0].claimValidationRules[0].expression: Invalid value: "claims.hd": must evaluate to bool']],
  ])('claimValidationRules: %s', (_name, rules, errors) => {
    expect(errorsOf(jwt({ rest: `  claimValidationRules:\n${rules}` }))).toEqual(errors);
  });

  it.each([
    ['no expression', '  - { message: m }\n', ['jwt[0].userValidationRules[0].expression: Required value']],
    ['a repeated expression', "  - { expression: \"user.uid != ''\" }\n  - { expression: \"user.uid != ''\" }\n", [`jwt[0].userValidationRules[1].expression: Duplicate value: "user.uid != ''"`]],
    ['an expression that is not a bool', '  - { expression: user.username }\n', ['jwt[0].userValidationRules[0].expression: Invalid value: "user.username": must evaluate to bool']],
  ])('userValidationRules: %s', (_name, rules, errors) => {
    expect(errorsOf(jwt({ rest: `  userValidationRules:\n${rules}` }))).toEqual(errors);
  });

  it('user is kube\'s UserInfo: a field it does not have is a compilation failure', () => {
    const [error, ...rest] = errorsOf(jwt({ rest: "  userValidationRules:\n  - { expression: \"user.name == 'x'\" }\n" }));
    expect(rest).toEqual([]);
    expect(error).toMatch(/^jwt\[0\]\.userValidationRules\[0\]\.expression: Invalid value: "user\.name == 'x'": compilation failed: ERROR: <input>:1:\d+: /);
  });

  it("kube's sets library is available to rules (exact audience match)", () => {
    expect(errorsOf(jwt({ rest: '  claimValidationRules:\n  - { expression: \'sets.equivalent(claims.aud, ["bar", "foo"])\' }\n' }))).toEqual([]);
  });
});

describe('anonymous', () => {
  it('conditions need enabled: true', () => {
    expect(errorsOf(`${HEAD}anonymous:\n  enabled: false\n  conditions: [{ path: /livez }]\n`)).toEqual([
      'anonymous.conditions: Invalid value: [{"path":"/livez"}]: enabled should be set to true when conditions are defined',
    ]);
  });
});
