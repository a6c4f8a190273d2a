import type { DecisionData, ReasonCode } from '../decision.event';

/** OCSF severity ids (dictionary `severity_id`); ECS `event.severity` reuses the number. */
export interface Severity {
  readonly id: 1 | 2 | 3 | 4;
  readonly name: 'Informational' | 'Low' | 'Medium' | 'High';
}

// Denials that point at a stolen or abused credential rather than a typo: worth a look first.
const HIGH: ReadonlySet<ReasonCode> = new Set<ReasonCode>(['credential_revoked', 'cert_revoked', 'service_account_unknown', 'policy_denied']);
// Denials caused by authtrail or its dependencies, not by the caller.
const OPERATIONAL: ReadonlySet<ReasonCode> = new Set<ReasonCode>(['internal_error', 'upstream_unavailable']);

/**
 * allow → Informational (Low when a policy rule warned); deny → Medium, High for revoked or
 * unknown credentials and policy denials, Low for authtrail's own failures.
 */
export function severityOf(data: DecisionData): Severity {
  if (data.decision === 'allow') {
    const warned = (data.policy?.effects ?? []).some((e) => e.effect === 'warn');
    return warned ? { id: 2, name: 'Low' } : { id: 1, name: 'Informational' };
  }
  if (HIGH.has(data.reason)) return { id: 4, name: 'High' };
  if (OPERATIONAL.has(data.reason)) return { id: 2, name: 'Low' };
  return { id: 3, name: 'Medium' };
}

/** The strategy that decided, or for a denial without one the last strategy that rejected or errored. */
export function decidingStrategy(data: DecisionData): string | undefined {
  if (data.strategy !== undefined) return data.strategy;
  const failed = data.attempts.filter((a) => a.outcome === 'rejected' || a.outcome === 'errored');
  return failed.at(-1)?.strategy;
}
