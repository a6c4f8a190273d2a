// The file is decoded as kube-apiserver decodes it (strict serializer): expected messages are
// those of kube's decoder and Go's encoding/json for the same input.
import { decodeAuthenticationConfiguration } from './authentication-configuration.decoder';

const HEAD = 'apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\n';

describe('decodeAuthenticationConfiguration: files kube-apiserver refuses to load', () => {
  it.each([
    ['an empty file', '', 'empty config data'],
    ['a file without kind', 'apiVersion: apiserver.config.k8s.io/v1\njwt: []\n', "Object 'Kind' is missing"],
    ['a file of comments only', '# nothing here\n', "Object 'Kind' is missing"],
    ['a file without apiVersion', 'kind: AuthenticationConfiguration\n', "Object 'apiVersion' is missing"],
    ['an unknown version', 'apiVersion: apiserver.config.k8s.io/v2\nkind: AuthenticationConfiguration\n', 'no kind "AuthenticationConfiguration" is registered for version "apiserver.config.k8s.io/v2"'],
    ['another group', 'apiVersion: authentication.k8s.io/v1\nkind: AuthenticationConfiguration\n', 'no kind "AuthenticationConfiguration" is registered for version "authentication.k8s.io/v1"'],
    ['another kind of the group', 'apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers: []\n', 'expected AuthenticationConfiguration, got *apiserver.AuthorizationConfiguration'],
    ['a top-level list', '- apiVersion: apiserver.config.k8s.io/v1\n', 'couldn\'t get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }'],
    ['an unknown field, named with its path', `${HEAD}jwt:\n- issuer:\n    url: https://a\n    audience: x\n`, 'strict decoding error: unknown field "jwt[0].issuer.audience"'],
    ['field names are case-sensitive', `${HEAD}jwt:\n- issuer:\n    URL: https://a\n`, 'strict decoding error: unknown field "jwt[0].issuer.URL"'],
    ['every unknown field is listed', `${HEAD}jwts: []\nanonymous:\n  enabled: true\n  paths: [/livez]\n`, 'strict decoding error: unknown field "jwts", unknown field "anonymous.paths"'],
    ['a number where a string belongs', `${HEAD}jwt:\n- issuer:\n    url: 5\n`, 'json: cannot unmarshal number into Go struct field Issuer.jwt.issuer.url of type string'],
    ['a YAML boolean as requiredValue', `${HEAD}jwt:\n- claimValidationRules:\n  - claim: email_verified\n    requiredValue: true\n`, 'json: cannot unmarshal bool into Go struct field ClaimValidationRule.jwt.claimValidationRules.requiredValue of type string'],
    ['a string where the list belongs', `${HEAD}jwt: oidc\n`, 'json: cannot unmarshal string into Go struct field AuthenticationConfiguration.jwt of type []v1.JWTAuthenticator'],
    ['a list element of the wrong type', `${HEAD}jwt:\n- issuer:\n    audiences: [a, [b]]\n`, 'json: cannot unmarshal array into Go struct field Issuer.jwt.issuer.audiences of type string'],
    ['the version names the Go package', 'apiVersion: apiserver.config.k8s.io/v1beta1\nkind: AuthenticationConfiguration\nanonymous: true\n', 'json: cannot unmarshal bool into Go struct field AuthenticationConfiguration.anonymous of type v1beta1.AnonymousAuthConfig'],
    ['a duplicate key', `${HEAD}jwt: []\njwt: []\n`, 'error converting YAML to JSON: yaml: line 4: Map keys must be unique'],
    ['broken YAML', `${HEAD}jwt:\n- issuer: {url: x\n`, 'error converting YAML to JSON: yaml: '],
  ])('%s', (_name, text, error) => {
    const result = decodeAuthenticationConfiguration(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.startsWith(error)).toBe(true);
    if (!result.ok && !error.endsWith(': ')) expect(result.error).toBe(error);
  });
});

describe('decodeAuthenticationConfiguration: files kube-apiserver loads', () => {
  it('fills Go zero values and keeps an absent prefix apart from an empty one', () => {
    const result = decodeAuthenticationConfiguration(`${HEAD}jwt:\n- issuer:\n    url: https://idp\n    audiences: [a]\n  claimMappings:\n    username: { claim: sub, prefix: "" }\n    groups: { claim: groups }\n`);
    expect(result).toEqual({
      ok: true,
      config: {
        apiVersion: 'apiserver.config.k8s.io/v1',
        kind: 'AuthenticationConfiguration',
        jwt: [
          {
            issuer: { url: 'https://idp', certificateAuthority: '', audiences: ['a'], audienceMatchPolicy: '', egressSelectorType: '' },
            claimValidationRules: [],
            claimMappings: { username: { claim: 'sub', prefix: '', expression: '' }, groups: { claim: 'groups', expression: '' }, uid: { claim: '', expression: '' }, extra: [] },
            userValidationRules: [],
          },
        ],
      },
    });
  });

  it('reads JSON, and v1beta1 and v1alpha1 files', () => {
    for (const version of ['v1', 'v1beta1', 'v1alpha1']) {
      const result = decodeAuthenticationConfiguration(JSON.stringify({ apiVersion: `apiserver.config.k8s.io/${version}`, kind: 'AuthenticationConfiguration', anonymous: { enabled: true, conditions: [{ path: '/livez' }] } }));
      expect(result).toMatchObject({ ok: true, config: { jwt: [], anonymous: { enabled: true, conditions: [{ path: '/livez' }] } } });
    }
  });

  it('reads YAML 1.1 booleans as kube-apiserver does (yes/on are true)', () => {
    expect(decodeAuthenticationConfiguration(`${HEAD}anonymous:\n  enabled: yes\n`)).toMatchObject({ ok: true, config: { anonymous: { enabled: true, conditions: [] } } });
    expect(decodeAuthenticationConfiguration(`${HEAD}anonymous:\n  enabled: off\n`)).toMatchObject({ ok: true, config: { anonymous: { enabled: false } } });
  });

  it('null is an absent value, as in Go', () => {
    expect(decodeAuthenticationConfiguration(`${HEAD}jwt: null\nanonymous: null\n`)).toEqual({ ok: true, config: { apiVersion: 'apiserver.config.k8s.io/v1', kind: 'AuthenticationConfiguration', jwt: [] } });
  });

  it('only the first YAML document counts, as with go-yaml', () => {
    expect(decodeAuthenticationConfiguration(`${HEAD}jwt: []\n---\nkind: Other\n`)).toMatchObject({ ok: true, config: { kind: 'AuthenticationConfiguration' } });
  });

  it('an alias bomb is refused, not expanded', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    const result = decodeAuthenticationConfiguration(`${HEAD}${bomb}\n`);
    expect(result.ok).toBe(false);
  });
});
