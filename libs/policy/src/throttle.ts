import type { PolicyEffect } from '@authtrail/events';
import type { CompiledThrottleRule } from './policy-document';
import type { PolicyDenial } from './policy-input';

export type ThrottleKind = 'sourceIp' | 'credential';

/** Read side of the throttle, as evaluation sees it. */
export interface ThrottleView {
  /** Epoch ms until which `key` is blocked, or undefined. */
  blockedUntil(kind: ThrottleKind, key: string, now: number): number | undefined;
}

interface Window {
  failures: number[];
  blockedUntil?: number;
}

/**
 * The refusal of a blocked source address or credential key, if either is blocked. The authn
 * decision path asks this before any strategy runs (a blocked guesser costs no password hash);
 * policy evaluation asks it again after the chain.
 */
export function throttleDenialOf(view: ThrottleView, keys: { readonly sourceIp?: string | undefined; readonly credential?: string | undefined }, now: number): { effect: PolicyEffect; denial: PolicyDenial } | undefined {
  // Asked twice on every decision (admission, then the verdict): nothing is allocated unless blocked.
  const bySourceIp = keys.sourceIp ? view.blockedUntil('sourceIp', keys.sourceIp, now) : undefined;
  if (bySourceIp !== undefined) return throttled('throttle.perSourceIp', bySourceIp, now);
  const byCredential = keys.credential ? view.blockedUntil('credential', keys.credential, now) : undefined;
  return byCredential === undefined ? undefined : throttled('throttle.perCredential', byCredential, now);
}

function throttled(rule: string, until: number, now: number): { effect: PolicyEffect; denial: PolicyDenial } {
  const message = 'too many failed attempts; try again later';
  return {
    effect: { rule, effect: 'deny', message },
    denial: { reason: 'throttled', message, httpStatus: 429, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) },
  };
}

/**
 * Failure counting per source IP and per credential key (the fingerprint of a presented token,
 * or the keyed hash of a basic-auth user name: see docs/policy.md). State is per authn instance
 * and bounded: past `maxKeys` the oldest key is forgotten (an attacker rotating keys only
 * resets its own counters). Limits are therefore per instance; see docs/policy.md.
 */
export class FailureThrottle implements ThrottleView {
  private readonly windows: Record<ThrottleKind, Map<string, Window>> = { sourceIp: new Map(), credential: new Map() };

  constructor(
    private readonly rules: () => { readonly perSourceIp?: CompiledThrottleRule; readonly perCredential?: CompiledThrottleRule },
    private readonly maxKeys = 100_000,
  ) {}

  blockedUntil(kind: ThrottleKind, key: string, now: number): number | undefined {
    const until = this.windows[kind].get(key)?.blockedUntil;
    return until !== undefined && until > now ? until : undefined;
  }

  recordFailure(keys: { sourceIp?: string; fingerprint?: string }, now: number): void {
    const rules = this.rules();
    if (rules.perSourceIp && keys.sourceIp) this.count('sourceIp', keys.sourceIp, rules.perSourceIp, now);
    if (rules.perCredential && keys.fingerprint) this.count('credential', keys.fingerprint, rules.perCredential, now);
  }

  private count(kind: ThrottleKind, key: string, rule: CompiledThrottleRule, now: number): void {
    const windows = this.windows[kind];
    const window = windows.get(key) ?? { failures: [] };
    windows.delete(key); // re-insert: Map order is our recency order
    window.failures = window.failures.filter((t) => t > now - rule.windowMs);
    window.failures.push(now);
    if (window.failures.length >= rule.failures) {
      window.blockedUntil = now + rule.blockMs;
      window.failures = [];
    }
    windows.set(key, window);
    if (windows.size > this.maxKeys) windows.delete(windows.keys().next().value as string);
  }
}
