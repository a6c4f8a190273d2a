// The in-memory twin of decisionConditions (libs/read-model): does one decision match a filter?
// Used by the live subscription feed, which filters rows it already has instead of querying per
// subscriber. Same semantics as the SQL: AND across fields, OR inside lists, CIDR by prefix.
import ipaddr from 'ipaddr.js';
import type { DecisionQueryFilter, DecisionView } from '@authtrail/read-model';

export function matchesDecision(filter: DecisionQueryFilter, row: DecisionView): boolean {
  const t = row.time.getTime();
  if (filter.from && t < filter.from.getTime()) return false;
  if (filter.to && t >= filter.to.getTime()) return false;
  if (filter.decision && row.decision !== filter.decision) return false;
  if (filter.reasons && !filter.reasons.includes(row.reason)) return false;
  if (filter.strategies && (row.strategy === null || !filter.strategies.includes(row.strategy))) return false;
  if (filter.username !== undefined && row.username !== filter.username) return false;
  if (filter.usernamePrefix !== undefined && !(row.username ?? '').startsWith(filter.usernamePrefix)) return false;
  if (filter.usernamePrefix !== undefined && row.username === null) return false;
  if (filter.claimedUsernameHashes && (row.claimedUsernameHash === null || !filter.claimedUsernameHashes.includes(row.claimedUsernameHash))) return false;
  if (filter.sourceIp && !matchesIp(filter.sourceIp, row.sourceIp)) return false;
  if (filter.credentialFingerprint !== undefined && row.credentialFingerprint !== filter.credentialFingerprint) return false;
  if (filter.credentialTypes && (row.credentialType === null || !filter.credentialTypes.includes(row.credentialType))) return false;
  if (filter.endpoint !== undefined && row.endpoint !== filter.endpoint) return false;
  // The caller_subject column is projected from exactly this field.
  if (filter.callerSubject !== undefined && row.caller?.certificate?.subject !== filter.callerSubject) return false;
  return true;
}

function matchesIp(match: NonNullable<DecisionQueryFilter['sourceIp']>, address: string | null): boolean {
  if (address === null || !ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  if (match.kind === 'exact') return parsed.toString() === ipaddr.process(match.address).toString();
  const [network, bits] = ipaddr.parseCIDR(match.network);
  return parsed.kind() === network.kind() && parsed.match(network, bits);
}
