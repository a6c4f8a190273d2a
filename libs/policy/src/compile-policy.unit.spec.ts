import fc from 'fast-check';
import { compilePolicy } from './compile-policy';

describe('compilePolicy', () => {
  it('compiles the DESIGN §7 example document', () => {
    const result = compilePolicy(
      `
strategies:
  static-token:    { mode: warn }
  basic-auth:      { mode: warn, requireTls: true }
  bootstrap-token: { requireExpiration: true }
  x509:            { denyGroups: ["system:masters"], maxValidity: 90d }
  service-account: { allowedSourceCidrs: ["10.244.0.0/16"] }
  oidc:            { maxTokenLifetime: 1h }
throttle:
  perSourceIp:     { failures: 20, window: 1m, block: 5m }
  perCredential:   { failures: 5, window: 1m, block: 5m }
userValidationRules:
  - { expression: "!user.username.startsWith('system:') || user.groups.exists(g, g == 'system:serviceaccounts')", message: "reserved prefix" }
`,
      3,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.policy.version).toBe(3);
    expect(result.policy.strategies.get('x509')?.maxValidityMs).toBe(90 * 86_400_000);
    expect(result.policy.throttle.perSourceIp).toEqual({ failures: 20, windowMs: 60_000, blockMs: 300_000 });
    expect(result.policy.userValidationRules).toHaveLength(1);
  });

  it.each([
    { name: 'an unknown top-level key is named', yaml: 'strategy: {}', error: '(document): unknown key "strategy"' },
    { name: 'an unknown strategy id is named', yaml: 'strategies: { ldap: {} }', error: 'strategies: unknown strategy "ldap"' },
    { name: 'an unknown rule is named with its path', yaml: 'strategies: { x509: { maxvalidity: 90d } }', error: 'strategies.x509: unknown key "maxvalidity"' },
    { name: 'a bad mode lists the allowed ones', yaml: 'strategies: { oidc: { mode: audit } }', error: 'strategies.oidc.mode: must be one of enforce, warn, disabled' },
    { name: 'a bad duration is named', yaml: 'strategies: { oidc: { maxTokenLifetime: 1 hour } }', error: 'strategies.oidc.maxTokenLifetime: must be a duration like 30s, 5m, 1h or 90d' },
    { name: 'a bad CIDR is named with its index', yaml: 'strategies: { oidc: { allowedSourceCidrs: ["10.0.0.0/8", "10.0.0/99"] } }', error: 'strategies.oidc.allowedSourceCidrs[1]: "10.0.0/99" is not an IP address or CIDR range' },
    { name: 'a throttle rule without block is named', yaml: 'throttle: { perSourceIp: { failures: 3, window: 1m } }', error: "throttle.perSourceIp: must have required property 'block'" },
    { name: 'a CEL syntax error is named with the rule index', yaml: 'userValidationRules: [{ expression: "user.username ==", message: m }]', error: 'userValidationRules[0].expression: not a valid CEL expression' },
    { name: 'YAML syntax errors are reported', yaml: 'strategies: [', error: 'policy is not valid YAML' },
    { name: 'a list is not a policy', yaml: '- a', error: '(document): must be object' },
  ])('$name', ({ yaml, error }) => {
    const result = compilePolicy(yaml, 1);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.join('\n')).toContain(error);
  });

  it('never throws, whatever text it is given', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const result = compilePolicy(text, 1);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});
