// Whatever the file holds, the parser answers with a result, never an exception: any text, any
// JSON, and documents shaped like an AuthenticationConfiguration with arbitrary values (CEL
// fragments included). What compiles then maps arbitrary verified claims without throwing.
import fc from 'fast-check';
import { stringify } from 'yaml';
import { decodeAuthenticationConfiguration } from './authentication-configuration.decoder';
import { checkAuthenticationConfiguration } from './authentication-configuration.controller';
import { mapKubeClaims } from './kube-claim-mappings';

const HEAD = { apiVersion: 'apiserver.config.k8s.io/v1', kind: 'AuthenticationConfiguration' };

const expressions = fc.oneof(
  fc.constantFrom('claims.sub', 'claims.username + ":x"', 'claims.roles.split(",")', 'claims.?email_verified.orValue(true) == true', "!user.username.startsWith('system:')", 'claims.email', 'sets.equivalent(claims.aud, ["a"])', '1 +', 'claims.exp - claims.nbf <= 86400', 'user.groups.all(g, g != "")', '[claims.a, claims.b]', 'null', 'claims.n > 1'),
  fc.string({ maxLength: 30 }),
);
const text = fc.oneof(fc.constantFrom('', 'sub', 'email', 'https://idp.example', 'http://x', 'example.com/k', 'MatchAny', 'cluster', '/livez'), fc.string({ maxLength: 20 }));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const mapping = fc.record({ claim: maybe(text), prefix: maybe(text), expression: maybe(expressions) }, { requiredKeys: [] });
const jwtItem = fc.record(
  {
    issuer: fc.record({ url: maybe(text), discoveryURL: maybe(text), audiences: maybe(fc.array(text, { maxLength: 3 })), audienceMatchPolicy: maybe(text), certificateAuthority: maybe(text), egressSelectorType: maybe(text) }, { requiredKeys: [] }),
    claimValidationRules: maybe(fc.array(fc.record({ claim: maybe(text), requiredValue: maybe(text), expression: maybe(expressions), message: maybe(text) }, { requiredKeys: [] }), { maxLength: 3 })),
    claimMappings: fc.record({ username: maybe(mapping), groups: maybe(mapping), uid: maybe(fc.record({ claim: maybe(text), expression: maybe(expressions) }, { requiredKeys: [] })), extra: maybe(fc.array(fc.record({ key: maybe(text), valueExpression: maybe(expressions) }, { requiredKeys: [] }), { maxLength: 3 })) }, { requiredKeys: [] }),
    userValidationRules: maybe(fc.array(fc.record({ expression: maybe(expressions), message: maybe(text) }, { requiredKeys: [] }), { maxLength: 2 })),
  },
  { requiredKeys: [] },
);
const shaped = fc.record({ jwt: maybe(fc.array(jwtItem, { maxLength: 3 })), anonymous: maybe(fc.record({ enabled: maybe(fc.boolean()), conditions: maybe(fc.array(fc.record({ path: text }), { maxLength: 3 })) }, { requiredKeys: [] })) }, { requiredKeys: [] });
const mappingExpressions = fc.oneof({ arbitrary: fc.constantFrom('claims.sub', 'claims.username + ":x"', 'claims.roles.split(",")', '[claims.a, claims.b]', 'null', 'claims.n', 'claims.?tenant.orValue("")', 'string(claims.exp)'), weight: 5 }, { arbitrary: fc.string({ maxLength: 20 }), weight: 1 });
const ruleExpressions = fc.oneof({ arbitrary: fc.constantFrom('claims.hd == "example.com"', 'claims.exp - claims.nbf <= 86400', 'sets.equivalent(claims.aud, ["a"])', 'has(claims.groups)', 'claims.n > 1'), weight: 5 }, { arbitrary: fc.string({ maxLength: 20 }), weight: 1 });
const userRuleExpressions = fc.oneof({ arbitrary: fc.constantFrom("!user.username.startsWith('system:')", 'user.groups.all(g, g != "")', "user.uid != ''", 'size(user.extra) >= 0'), weight: 5 }, { arbitrary: fc.string({ maxLength: 20 }), weight: 1 });
/** Valid apart from the expressions: these compile often, so the mapping runs on arbitrary claims. */
const nearlyValid = fc.record({
  jwt: fc.tuple(
    fc.record(
      {
        issuer: fc.constant({ url: 'https://idp.example', audiences: ['a'] }),
        claimMappings: fc.record(
          {
            username: fc.oneof(fc.constant({ claim: 'sub', prefix: '' }), fc.record({ expression: mappingExpressions })),
            groups: maybe(fc.oneof(fc.constant({ claim: 'groups', prefix: 'g:' }), fc.record({ expression: mappingExpressions }))),
            uid: maybe(fc.oneof(fc.constant({ claim: 'sub' }), fc.record({ expression: mappingExpressions }))),
            extra: maybe(fc.tuple(fc.record({ key: fc.constant('example.com/x'), valueExpression: mappingExpressions }))),
          },
          { requiredKeys: ['username'] },
        ),
        claimValidationRules: maybe(fc.tuple(fc.oneof(fc.record({ expression: ruleExpressions, message: text }), fc.constant({ claim: 'hd', requiredValue: 'example.com' })))),
        userValidationRules: maybe(fc.tuple(fc.record({ expression: userRuleExpressions, message: text }))),
      },
      { requiredKeys: ['issuer', 'claimMappings'] },
    ),
  ),
});
/** undefined members dropped, as a file would not have them. */
const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
const claims = fc.dictionary(fc.constantFrom('sub', 'username', 'roles', 'email', 'email_verified', 'aud', 'groups', 'jti', 'a', 'b', 'n', 'hd', 'exp', 'nbf', 'tenant'), fc.jsonValue({ maxDepth: 2 }));

function isResult(value: { ok: boolean; error?: unknown; errors?: unknown }): boolean {
  return value.ok === true || typeof value.error === 'string' || (Array.isArray(value.errors) && value.errors.every((e) => typeof e === 'string'));
}

describe('the AuthenticationConfiguration parser never throws', () => {
  it('on any text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 100 }), fc.string({ maxLength: 100 }).map((t) => `apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\n${t}`)), (input) => {
        expect(isResult(decodeAuthenticationConfiguration(input))).toBe(true);
        expect(isResult(checkAuthenticationConfiguration(input, {}))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('on any JSON value, and any JSON under the right apiVersion and kind', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.boolean(), (value, withHead) => {
        const document = withHead && typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value, ...HEAD } : value;
        expect(isResult(checkAuthenticationConfiguration(JSON.stringify(document), {}))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('on documents shaped like the type with arbitrary values, as YAML or JSON; and what compiles maps any claims', () => {
    let compiledSeen = 0;
    fc.assert(
      fc.property(fc.oneof(shaped, nearlyValid), fc.boolean(), fc.array(claims, { maxLength: 3 }), (body, asYaml, claimSets) => {
        const document = plain({ ...HEAD, ...body });
        const source = asYaml ? stringify(document) : JSON.stringify(document);
        const checked = checkAuthenticationConfiguration(source, { disallowedIssuers: ['https://kubernetes.default.svc'] });
        expect(isResult(checked)).toBe(true);
        if (!checked.ok) return;
        compiledSeen += checked.compiled.jwt.length;
        for (const authenticator of checked.compiled.jwt) {
          for (const claimSet of claimSets) {
            const mapped = mapKubeClaims(claimSet, authenticator);
            expect(['user', 'failed']).toContain(mapped.kind);
          }
        }
      }),
      { numRuns: 300 },
    );
    // The mapping half of the property ran, not only the refusals.
    expect(compiledSeen).toBeGreaterThan(10);
  });
});
