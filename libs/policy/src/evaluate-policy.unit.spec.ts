import { compilePolicy } from './compile-policy';
import { evaluatePolicy } from './evaluate-policy';
import type { CompiledPolicy } from './policy-document';
import type { PolicyInput } from './policy-input';
import { RevocationSet } from './revocation-set';
import { FailureThrottle } from './throttle';

const now = new Date('2026-11-29T12:00:00Z');

function policy(yaml: string): CompiledPolicy {
  const result = compilePolicy(yaml, 7);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.policy;
}

function allow(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return {
    decision: 'allow',
    strategy: 'static-token',
    user: { username: 'alice', uid: '1', groups: ['dev', 'system:authenticated'], extra: {} },
    credential: { type: 'static-token', fingerprint: 'hmac-sha256:k1:aa' },
    request: { endpoint: 'forward-auth', sourceIp: '10.244.1.5', tls: true },
    ...overrides,
  };
}

const noThrottle = { blockedUntil: () => undefined };
const context = (p: CompiledPolicy, revocations = new RevocationSet()) => ({ policy: p, revocations, throttle: noThrottle, now });

describe('evaluatePolicy', () => {
  const cases: {
    name: string;
    policy: string;
    input: PolicyInput;
    effects: { rule: string; effect: 'warn' | 'deny' }[];
    deny?: string;
  }[] = [
    { name: 'an empty policy allows with no effects', policy: '', input: allow(), effects: [] },
    {
      name: 'static-token in warn mode is allowed and the warning recorded',
      policy: 'strategies: { static-token: { mode: warn } }',
      input: allow(),
      effects: [{ rule: 'strategies.static-token.mode', effect: 'warn' }],
    },
    {
      name: 'a disabled strategy turns the allow into policy_denied',
      policy: 'strategies: { static-token: { mode: disabled } }',
      input: allow(),
      effects: [{ rule: 'strategies.static-token.mode', effect: 'deny' }],
      deny: 'policy_denied',
    },
    {
      name: 'basic-auth over cleartext is denied when requireTls is enforced',
      policy: 'strategies: { basic-auth: { requireTls: true } }',
      input: allow({ strategy: 'basic-auth', request: { endpoint: 'authenticate', sourceIp: '10.0.0.1', tls: false } }),
      effects: [{ rule: 'strategies.basic-auth.requireTls', effect: 'deny' }],
      deny: 'policy_denied',
    },
    {
      name: 'basic-auth over cleartext in warn mode is allowed with two warnings',
      policy: 'strategies: { basic-auth: { mode: warn, requireTls: true } }',
      input: allow({ strategy: 'basic-auth', request: { endpoint: 'authenticate', tls: false } }),
      effects: [
        { rule: 'strategies.basic-auth.mode', effect: 'warn' },
        { rule: 'strategies.basic-auth.requireTls', effect: 'warn' },
      ],
    },
    {
      name: 'basic-auth over TLS satisfies requireTls',
      policy: 'strategies: { basic-auth: { requireTls: true } }',
      input: allow({ strategy: 'basic-auth' }),
      effects: [],
    },
    {
      name: 'requireTls does not apply to client certificates',
      policy: 'strategies: { x509: { requireTls: true } }',
      input: allow({ strategy: 'x509', request: { endpoint: 'authenticate', tls: false } }),
      effects: [],
    },
    {
      name: 'a bootstrap token without expiration is denied',
      policy: 'strategies: { bootstrap-token: { requireExpiration: true } }',
      input: allow({ strategy: 'bootstrap-token', credential: { type: 'bootstrap-token', publicId: 'abcdef' } }),
      effects: [{ rule: 'strategies.bootstrap-token.requireExpiration', effect: 'deny' }],
      deny: 'policy_denied',
    },
    {
      name: 'a bootstrap token with an expiration passes',
      policy: 'strategies: { bootstrap-token: { requireExpiration: true } }',
      input: allow({ strategy: 'bootstrap-token', credential: { type: 'bootstrap-token', expiresAt: new Date('2026-12-01T00:00:00Z') } }),
      effects: [],
    },
    {
      name: 'a certificate valid for exactly 90 days passes maxValidity 90d',
      policy: 'strategies: { x509: { maxValidity: 90d } }',
      input: allow({
        strategy: 'x509',
        credential: { type: 'x509', x509: { serial: '01', issuer: 'CN=ca', notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2026-04-01T00:00:00Z') } },
      }),
      effects: [],
    },
    {
      name: 'a certificate valid for 90 days and one second exceeds maxValidity 90d',
      policy: 'strategies: { x509: { maxValidity: 90d } }',
      input: allow({
        strategy: 'x509',
        credential: { type: 'x509', x509: { serial: '01', issuer: 'CN=ca', notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2026-04-01T00:00:01Z') } },
      }),
      effects: [{ rule: 'strategies.x509.maxValidity', effect: 'deny' }],
      deny: 'policy_denied',
    },
    {
      name: 'an OIDC token living exactly 1h passes maxTokenLifetime 1h',
      policy: 'strategies: { oidc: { maxTokenLifetime: 1h } }',
      input: allow({ strategy: 'oidc', credential: { type: 'oidc', issuedAt: new Date('2026-11-29T11:30:00Z'), expiresAt: new Date('2026-11-29T12:30:00Z') } }),
      effects: [],
    },
    {
      name: 'an OIDC token living 1h and 1s exceeds maxTokenLifetime 1h',
      policy: 'strategies: { oidc: { maxTokenLifetime: 1h } }',
      input: allow({ strategy: 'oidc', credential: { type: 'oidc', issuedAt: new Date('2026-11-29T11:30:00Z'), expiresAt: new Date('2026-11-29T12:30:01Z') } }),
      effects: [{ rule: 'strategies.oidc.maxTokenLifetime', effect: 'deny' }],
      deny: 'policy_denied',
    },
    {
      name: 'a token without iat is judged by its remaining lifetime',
      policy: 'strategies: { service-account: { maxTokenLifetime: 1h } }',
      input: allow({ strategy: 'service-account', credential: { type: 'service-account', expiresAt: new Date('2026-11-30T12:00:00Z') } }),
      effects: [{ rule: 'strategies.service-account.maxTokenLifetime', effect: 'deny' }],
      deny: 'policy_denied',
    },
    {
      name: 'a service-account token from the last address of the allowed range passes',
      policy: 'strategies: { service-account: { allowedSourceCidrs: ["10.244.0.0/16"] } }',
      input: allow({ strategy: 'service-account', request: { endpoint: 'forward-auth', sourceIp: '10.244.255.255', tls: true } }),
      effects: [],
    },
    {
      name: 'a service-account token replayed from just outside the range is denied',
      policy: 'strategies: { service-account: { allowedSourceCidrs: ["10.244.0.0/16"] } }',
      input: allow({ strategy: 'service-account', request: { endpoint: 'forward-auth', sourceIp: '10.245.0.0', tls: true } }),
      effects: [{ rule: 'strategies.service-account.allowedSourceCidrs', effect: 'deny' }],
      deny: 'policy_denied',
    },
    {
      name: 'an IPv4-mapped IPv6 source inside the range passes',
      policy: 'strategies: { service-account: { allowedSourceCidrs: ["10.244.0.0/16"] } }',
      input: allow({ strategy: 'service-account', request: { endpoint: 'authenticate', sourceIp: '::ffff:10.244.3.4' } }),
      effects: [],
    },
    {
      name: 'source ranges do not apply to TokenReview, which only sees the API server',
      policy: 'strategies: { service-account: { allowedSourceCidrs: ["10.244.0.0/16"] } }',
      input: allow({ strategy: 'service-account', request: { endpoint: 'tokenreview', sourceIp: '192.168.1.1' } }),
      effects: [],
    },
    {
      name: 'system:masters through a client certificate is denied',
      policy: 'strategies: { x509: { denyGroups: ["system:masters"] } }',
      input: allow({ strategy: 'x509', user: { username: 'root', groups: ['system:masters'], extra: {} }, credential: { type: 'x509' } }),
      effects: [{ rule: 'strategies.x509.denyGroups', effect: 'deny' }],
      deny: 'policy_denied',
    },
    {
      name: 'a denied username is refused for that strategy only',
      policy: 'strategies: { basic-auth: { denyUsernames: ["admin"] } }',
      input: allow({ user: { username: 'admin', groups: [], extra: {} } }),
      effects: [],
    },
    {
      name: 'a CEL user validation rule that fails denies with its message',
      policy:
        "userValidationRules: [{ expression: \"!user.username.startsWith('system:') || user.groups.exists(g, g == 'system:serviceaccounts')\", message: reserved prefix }]",
      input: allow({ user: { username: 'system:evil', groups: ['dev'], extra: {} } }),
      effects: [{ rule: 'userValidationRules[0]', effect: 'deny' }],
      deny: 'policy_denied',
    },
    {
      name: 'a CEL user validation rule that holds adds nothing',
      policy:
        "userValidationRules: [{ expression: \"!user.username.startsWith('system:') || user.groups.exists(g, g == 'system:serviceaccounts')\", message: reserved prefix }]",
      input: allow({ user: { username: 'system:serviceaccount:ns:sa', groups: ['system:serviceaccounts'], extra: {} } }),
      effects: [],
    },
    {
      name: 'a CEL rule that errors at evaluation denies rather than failing open',
      policy: 'userValidationRules: [{ expression: "user.nosuchfield == 1", message: broken rule }]',
      input: allow(),
      effects: [{ rule: 'userValidationRules[0]', effect: 'deny' }],
      deny: 'policy_denied',
    },
    {
      name: 'a plaintext password is always flagged with a warning',
      policy: '',
      input: allow({ strategy: 'basic-auth', credential: { type: 'basic-auth', passwordStorage: 'plaintext' } }),
      effects: [{ rule: 'basic-auth.plaintextPassword', effect: 'warn' }],
    },
    {
      name: 'a plaintext password is refused when the policy says so',
      policy: 'strategies: { basic-auth: { rejectPlaintextPasswords: true } }',
      input: allow({ strategy: 'basic-auth', credential: { type: 'basic-auth', passwordStorage: 'plaintext' } }),
      effects: [
        { rule: 'basic-auth.plaintextPassword', effect: 'warn' },
        { rule: 'strategies.basic-auth.rejectPlaintextPasswords', effect: 'deny' },
      ],
      deny: 'policy_denied',
    },
    {
      name: 'an argon2id password passes rejectPlaintextPasswords',
      policy: 'strategies: { basic-auth: { rejectPlaintextPasswords: true } }',
      input: allow({ strategy: 'basic-auth', credential: { type: 'basic-auth', passwordStorage: 'argon2id' } }),
      effects: [],
    },
    {
      name: 'a legacy service-account token (accepted by opt-in) is always flagged with a warning',
      policy: '',
      input: allow({ strategy: 'service-account', credential: { type: 'service-account', legacyToken: true } }),
      effects: [{ rule: 'service-account.legacyToken', effect: 'warn' }],
    },
    {
      name: 'a bound service-account token records no legacy warning',
      policy: '',
      input: allow({ strategy: 'service-account', credential: { type: 'service-account', expiresAt: new Date('2026-11-29T13:00:00Z') } }),
      effects: [],
    },
    {
      name: 'a refused decision is not judged by allow rules',
      policy: 'strategies: { static-token: { mode: disabled } }',
      input: allow({ decision: 'deny' }),
      effects: [],
    },
  ];

  it.each(cases)('$name', ({ policy: yaml, input, effects, deny }) => {
    const verdict = evaluatePolicy(input, context(policy(yaml)));
    expect(verdict.version).toBe(7);
    expect(verdict.effects.map(({ rule, effect }) => ({ rule, effect }))).toEqual(effects);
    expect(verdict.deny?.reason).toBe(deny);
    if (deny) expect(verdict.deny?.httpStatus).toBe(401);
  });

  describe('revocation', () => {
    const revoked = (data: Parameters<RevocationSet['revoke']>[0]) => {
      const set = new RevocationSet();
      set.revoke(data);
      return set;
    };

    it.each([
      { name: 'by fingerprint', revocation: { revocationId: 'r1', fingerprint: 'hmac-sha256:k1:aa' }, input: allow() },
      {
        name: 'by JWT id',
        revocation: { revocationId: 'r2', jti: 'jti-1' },
        input: allow({ strategy: 'oidc', credential: { type: 'oidc', publicId: 'jti-1' } }),
      },
      {
        name: 'by certificate serial and issuer, whatever the serial spelling',
        revocation: { revocationId: 'r3', certificate: { serial: '0A:1B', issuer: 'CN=ca' } },
        input: allow({
          strategy: 'x509',
          credential: { type: 'x509', x509: { serial: 'a1b', issuer: 'CN=ca', notBefore: now, notAfter: now } },
        }),
      },
    ])('a credential revoked $name is refused with credential_revoked', ({ revocation, input }) => {
      const verdict = evaluatePolicy(input, context(policy(''), revoked(revocation)));
      expect(verdict.deny).toEqual({ reason: 'credential_revoked', message: 'credential revoked', httpStatus: 401 });
    });

    it('a certificate with the revoked serial from another issuer is not refused', () => {
      const input = allow({ strategy: 'x509', credential: { type: 'x509', x509: { serial: '0a1b', issuer: 'CN=other', notBefore: now, notAfter: now } } });
      const set = revoked({ revocationId: 'r', certificate: { serial: '0a1b', issuer: 'CN=ca' } });
      expect(evaluatePolicy(input, context(policy(''), set)).deny).toBeUndefined();
    });

    it('a revocation that expired at this very moment no longer applies', () => {
      const set = revoked({ revocationId: 'r', fingerprint: 'hmac-sha256:k1:aa', expiresAt: now.toISOString() });
      expect(evaluatePolicy(allow(), context(policy(''), set)).deny).toBeUndefined();
    });

    it('a lifted revocation no longer applies', () => {
      const set = revoked({ revocationId: 'r', fingerprint: 'hmac-sha256:k1:aa' });
      set.lift('r');
      expect(evaluatePolicy(allow(), context(policy(''), set)).deny).toBeUndefined();
    });
  });

  describe('throttling', () => {
    const rules = policy('throttle: { perSourceIp: { failures: 3, window: 1m, block: 5m }, perCredential: { failures: 2, window: 1m, block: 1m } }');

    it('the third failure from one address within the window blocks it with 429 and Retry-After', () => {
      const throttle = new FailureThrottle(() => rules.throttle);
      const t0 = now.getTime() - 10_000;
      for (const offset of [0, 1000, 2000]) throttle.recordFailure({ sourceIp: '10.0.0.9' }, t0 + offset);
      const verdict = evaluatePolicy(allow({ request: { endpoint: 'authenticate', sourceIp: '10.0.0.9' } }), { ...context(rules), throttle });
      expect(verdict.deny).toEqual({ reason: 'throttled', message: expect.any(String), httpStatus: 429, retryAfterSeconds: 292 });
      expect(verdict.effects).toEqual([expect.objectContaining({ rule: 'throttle.perSourceIp', effect: 'deny' })]);
    });

    it('a TokenReview is not throttled by source address: it is the API server’s', () => {
      const throttle = new FailureThrottle(() => rules.throttle);
      for (const offset of [0, 1, 2]) throttle.recordFailure({ sourceIp: '10.0.0.9' }, now.getTime() - offset);
      const verdict = evaluatePolicy(allow({ request: { endpoint: 'tokenreview', sourceIp: '10.0.0.9' } }), { ...context(rules), throttle });
      expect(verdict.deny).toBeUndefined();
    });

    it('failures spread wider than the window do not block', () => {
      const throttle = new FailureThrottle(() => rules.throttle);
      for (const offset of [0, 30_000, 60_000]) throttle.recordFailure({ sourceIp: '10.0.0.9' }, now.getTime() - 120_000 + offset);
      expect(throttle.blockedUntil('sourceIp', '10.0.0.9', now.getTime())).toBeUndefined();
    });

    it('a block ends exactly when its duration has passed', () => {
      const throttle = new FailureThrottle(() => rules.throttle);
      const t0 = now.getTime();
      throttle.recordFailure({ fingerprint: 'fp' }, t0);
      throttle.recordFailure({ fingerprint: 'fp' }, t0);
      expect(throttle.blockedUntil('credential', 'fp', t0 + 59_999)).toBe(t0 + 60_000);
      expect(throttle.blockedUntil('credential', 'fp', t0 + 60_000)).toBeUndefined();
    });

    it('a blocked credential is refused even from a fresh address', () => {
      const throttle = new FailureThrottle(() => rules.throttle);
      throttle.recordFailure({ fingerprint: 'hmac-sha256:k1:aa' }, now.getTime());
      throttle.recordFailure({ fingerprint: 'hmac-sha256:k1:aa' }, now.getTime());
      expect(evaluatePolicy(allow(), { ...context(rules), throttle }).deny?.reason).toBe('throttled');
    });

    it('keeps at most maxKeys keys, forgetting the oldest', () => {
      const throttle = new FailureThrottle(() => ({ perSourceIp: { failures: 1, windowMs: 60_000, blockMs: 60_000 } }), 2);
      for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) throttle.recordFailure({ sourceIp: ip }, now.getTime());
      expect(throttle.blockedUntil('sourceIp', '10.0.0.1', now.getTime())).toBeUndefined();
      expect(throttle.blockedUntil('sourceIp', '10.0.0.3', now.getTime())).toBeDefined();
    });
  });
});

describe('userValidationRules verdicts per user object (#19: a cached authentication hands the same user back)', () => {
  const rules = "userValidationRules: [{ expression: \"!user.username.startsWith('system:')\", message: reserved prefix }]";
  /** The compiled policy with its rule wrapped to count evaluations. */
  const counted = (compiled: CompiledPolicy) => {
    const calls = { count: 0 };
    const [rule] = compiled.userValidationRules;
    if (!rule) throw new Error('no rule');
    const wrapped: CompiledPolicy = { ...compiled, userValidationRules: [{ ...rule, evaluate: (context) => ((calls.count += 1), rule.evaluate(context)) }] };
    return { wrapped, calls };
  };

  it('evaluates once per user object and policy, and gives the same verdict', () => {
    const { wrapped, calls } = counted(policy(rules));
    const root = allow({ user: { username: 'system:root', groups: [], extra: {} } });
    const first = evaluatePolicy(root, context(wrapped));
    const again = evaluatePolicy({ ...root }, context(wrapped));
    expect(first.deny?.reason).toBe('policy_denied');
    expect(again).toEqual(first);
    expect(calls.count).toBe(1);

    // An equal user in another object is evaluated on its own: the verdict is keyed by identity.
    expect(evaluatePolicy(allow({ user: { username: 'system:root', groups: [], extra: {} } }), context(wrapped)).deny?.reason).toBe('policy_denied');
    expect(calls.count).toBe(2);
    // Another user object, another verdict.
    expect(evaluatePolicy(allow(), context(wrapped)).deny).toBeUndefined();
    expect(calls.count).toBe(3);
  });

  it('a new policy version evaluates again for the same user object', () => {
    const user = { username: 'system:root', groups: [], extra: {} };
    const v1 = counted(policy(rules));
    const v2 = counted(policy(rules.replace("'system:'", "'sys'")));
    expect(evaluatePolicy(allow({ user }), context(v1.wrapped)).deny?.reason).toBe('policy_denied');
    expect(evaluatePolicy(allow({ user }), context(v2.wrapped)).deny?.reason).toBe('policy_denied');
    expect([v1.calls.count, v2.calls.count]).toEqual([1, 1]);
    const permissive = counted(policy(rules.replace("'system:'", "'nobody:'")));
    expect(evaluatePolicy(allow({ user }), context(permissive.wrapped)).deny).toBeUndefined();
  });
});
