import type { PolicyEffect } from '@authtrail/events';
import type { CompiledPolicy, CompiledStrategyRules } from './policy-document';
import type { PolicyDenial, PolicyInput, PolicyVerdict } from './policy-input';
import type { RevocationSet } from './revocation-set';
import { throttleDenialOf, type ThrottleView } from './throttle';

/** Strategies whose credential travels in a header and can be sniffed off a cleartext hop. */
const HEADER_CREDENTIALS = new Set(['static-token', 'bootstrap-token', 'basic-auth', 'service-account', 'oidc']);

/** Why each strategy's mode matters: the message recorded with a `warn` mode effect. */
const WARN_MODE_MESSAGES: Readonly<Record<string, string>> = {
  'static-token': 'static tokens never expire and cannot be rotated without a restart',
  'basic-auth': 'basic-auth sends a long-lived password with every request',
};

export interface PolicyContext {
  readonly policy: CompiledPolicy;
  readonly revocations: RevocationSet;
  readonly throttle: ThrottleView;
  readonly now: Date;
}

/**
 * The policy verdict for one decision: a pure function of the decision, the request, the policy,
 * the revocations and the throttle state. Effects are listed in rule order; the first deny wins.
 */
export function evaluatePolicy(input: PolicyInput, context: PolicyContext): PolicyVerdict {
  const { policy } = context;
  const throttled = throttleDenial(input, context);
  if (throttled) return { version: policy.version, effects: [throttled.effect], deny: throttled.denial };
  if (input.decision === 'deny') return { version: policy.version, effects: [] };

  const effects: PolicyEffect[] = [];
  const revocation = context.revocations.find(input.credential, context.now);
  if (revocation) {
    effects.push({ rule: `revocation:${revocation.revocationId}`, effect: 'deny', message: 'credential revoked' });
  }
  if (input.credential?.passwordStorage === 'plaintext') {
    // Always flagged: a leaked password file gives every such password away.
    effects.push({ rule: 'basic-auth.plaintextPassword', effect: 'warn', message: 'password is stored in plaintext' });
  }
  if (input.credential?.legacyToken) {
    // Always flagged, like kube-apiserver's `authentication.k8s.io/legacy-token` audit annotation:
    // the token never expires and is bound to no pod, so every use is worth seeing.
    effects.push({ rule: 'service-account.legacyToken', effect: 'warn', message: 'legacy service-account token (never expires, bound to no pod)' });
  }
  const rules = input.strategy ? policy.strategies.get(input.strategy) : undefined;
  if (rules && input.strategy) effects.push(...strategyEffects(input.strategy, rules, input, context.now));
  effects.push(...userValidationEffects(input, policy));

  const firstDeny = effects.find((e) => e.effect === 'deny');
  if (!firstDeny) return { version: policy.version, effects };
  const reason = firstDeny.rule.startsWith('revocation:') ? 'credential_revoked' : 'policy_denied';
  return { version: policy.version, effects, deny: { reason, message: firstDeny.message, httpStatus: 401 } };
}

function throttleDenial(input: PolicyInput, context: PolicyContext): { effect: PolicyEffect; denial: PolicyDenial } | undefined {
  return throttleDenialOf(context.throttle, { sourceIp: throttledSourceIp(input), credential: input.credential?.fingerprint }, context.now.getTime());
}

/**
 * The address source-IP throttling counts, if any. A TokenReview's address is the API server's:
 * blocking it would lock the whole cluster out, so only the credential is throttled there.
 */
export function throttledSourceIp(input: Pick<PolicyInput, 'request'>): string | undefined {
  return input.request.endpoint === 'tokenreview' ? undefined : input.request.sourceIp;
}

/** Violations of a strategy's rules: deny when enforced, recorded as warnings in warn mode. */
function strategyEffects(strategy: string, rules: CompiledStrategyRules, input: PolicyInput, now: Date): PolicyEffect[] {
  const rule = (name: string) => `strategies.${strategy}.${name}`;
  if (rules.mode === 'disabled') return [{ rule: rule('mode'), effect: 'deny', message: `${strategy} is disabled by policy` }];

  const violations: { rule: string; message: string }[] = [];
  const credential = input.credential;
  if (rules.requireTls && HEADER_CREDENTIALS.has(strategy) && !input.request.tls) {
    violations.push({ rule: rule('requireTls'), message: `${strategy} credentials must be sent over TLS` });
  }
  if (rules.requireExpiration && strategy === 'bootstrap-token' && !credential?.expiresAt) {
    violations.push({ rule: rule('requireExpiration'), message: 'bootstrap token has no expiration' });
  }
  const x509 = credential?.x509;
  if (rules.maxValidityMs !== undefined && x509 && x509.notAfter.getTime() - x509.notBefore.getTime() > rules.maxValidityMs) {
    violations.push({ rule: rule('maxValidity'), message: 'client certificate validity exceeds the policy maximum' });
  }
  if (rules.maxTokenLifetimeMs !== undefined && credential?.expiresAt) {
    // A JWT without iat is judged from now: its remaining lifetime is the least it claims.
    const issued = credential.issuedAt ?? now;
    if (credential.expiresAt.getTime() - issued.getTime() > rules.maxTokenLifetimeMs) {
      violations.push({ rule: rule('maxTokenLifetime'), message: 'token lifetime exceeds the policy maximum' });
    }
  }
  // TokenReview only knows the API server's address, so source rules do not apply there (DESIGN §7).
  const sourceIp = input.request.sourceIp;
  if (rules.allowedSourceCidrs && sourceIp && input.request.endpoint !== 'tokenreview') {
    if (!rules.allowedSourceCidrs.some((cidr) => cidr.contains(sourceIp))) {
      violations.push({ rule: rule('allowedSourceCidrs'), message: `${strategy} credentials are not accepted from this source address` });
    }
  }
  if (rules.rejectPlaintextPasswords && credential?.passwordStorage === 'plaintext') {
    violations.push({ rule: rule('rejectPlaintextPasswords'), message: 'passwords stored in plaintext are refused' });
  }
  const user = input.user;
  if (user && rules.denyUsernames.has(user.username)) {
    violations.push({ rule: rule('denyUsernames'), message: `user ${user.username} may not authenticate with ${strategy}` });
  }
  const deniedGroup = user?.groups.find((g) => rules.denyGroups.has(g));
  if (deniedGroup) {
    violations.push({ rule: rule('denyGroups'), message: `group ${deniedGroup} may not authenticate with ${strategy}` });
  }

  const effect = rules.mode === 'warn' ? 'warn' : 'deny';
  const effects: PolicyEffect[] = violations.map((v) => ({ ...v, effect }));
  if (rules.mode === 'warn') {
    effects.unshift({ rule: rule('mode'), effect: 'warn', message: WARN_MODE_MESSAGES[strategy] ?? `${strategy} is in warn mode` });
  }
  return effects;
}

/** Kubernetes userValidationRules: every rule must hold; an error evaluating one denies. */
/**
 * The rules see the user alone, so their verdict is kept per user object and policy: a cached
 * authentication hands the same user object back on every hit, and a new policy version is a new
 * compiled policy. Weak maps: nothing outlives the cache entry or the policy.
 */
const userVerdicts = new WeakMap<CompiledPolicy, WeakMap<object, readonly PolicyEffect[]>>();

function userValidationEffects(input: PolicyInput, policy: CompiledPolicy): readonly PolicyEffect[] {
  if (!input.user || policy.userValidationRules.length === 0) return [];
  let verdicts = userVerdicts.get(policy);
  if (!verdicts) {
    verdicts = new WeakMap();
    userVerdicts.set(policy, verdicts);
  }
  const known = verdicts.get(input.user);
  if (known) return known;
  const user = { username: input.user.username, uid: input.user.uid ?? '', groups: [...input.user.groups], extra: input.user.extra };
  const effects = policy.userValidationRules.flatMap((rule, index) => {
    let holds: unknown;
    try {
      holds = rule.evaluate({ user });
    } catch {
      holds = false;
    }
    return holds === true ? [] : [{ rule: `userValidationRules[${index}]`, effect: 'deny' as const, message: rule.message }];
  });
  verdicts.set(input.user, effects);
  return effects;
}
