// Test fixture: strategies with a scripted outcome.
import type { AuthOutcome, Strategy } from '../strategy';

export const userOutcome = (username: string, groups: readonly string[] = [], expiresAt?: Date): AuthOutcome => ({
  kind: 'authenticated',
  user: { username, groups, extra: {} },
  credential: { type: 'static-token', ...(expiresAt ? { expiresAt } : {}) },
});
export const rejectedOutcome = (reason: 'unknown_token' | 'token_expired' | 'issuer_mismatch' = 'unknown_token'): AuthOutcome => ({ kind: 'rejected', reason, message: reason });
export const erroredOutcome: AuthOutcome = { kind: 'errored', reason: 'upstream_unavailable', message: 'jwks down' };
export const abstainedOutcome: AuthOutcome = { kind: 'abstained' };

export interface ScriptedStrategy extends Strategy {
  calls: number;
}

export function scripted(id: string, outcome: AuthOutcome | (() => Promise<AuthOutcome>)): ScriptedStrategy {
  const s: ScriptedStrategy = {
    id,
    calls: 0,
    authenticate: async () => {
      s.calls++;
      return typeof outcome === 'function' ? outcome() : outcome;
    },
  };
  return s;
}
