import type { CompiledThrottleRule } from './policy-document';

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
 * Failure counting per source IP and per credential fingerprint. State is per authn instance
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
