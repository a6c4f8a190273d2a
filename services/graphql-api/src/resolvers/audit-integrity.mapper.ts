// The verifier's stored verdict (libs/read-model integrity tables) as GraphQL `auditIntegrity`
// answers it: enums upper-case, 64-bit sequences as decimal text like the rest of the schema.
import type { AuditIntegrityRows, StoredIntegrityChain, StoredIntegrityFinding } from '@authtrail/read-model';
import type { AuditIntegrity, ChainAnchorKind, IntegrityFinding, IntegrityFindingKind, ProducerIntegrity } from '../generated/resolvers.generated';

const text = (value: number | string | null | undefined): string | null => (value === null || value === undefined ? null : String(value));

function toFinding(finding: StoredIntegrityFinding): IntegrityFinding {
  return {
    kind: finding.kind.toUpperCase() as IntegrityFindingKind,
    chainId: finding.chainId,
    sequence: finding.sequence,
    toSequence: finding.toSequence,
    evidence: finding.evidence,
    topic: finding.topic,
    partition: finding.partition,
    offset: finding.offset,
    foundAt: finding.foundAt,
  };
}

function toProducer(chain: StoredIntegrityChain): ProducerIntegrity {
  const { anchor, verifiedThrough } = chain;
  return {
    chainId: chain.chainId,
    instance: chain.instance,
    boot: chain.boot,
    firstSequence: chain.firstSequence,
    lastSequence: chain.lastSequence,
    events: chain.events,
    checkpoints: chain.checkpoints,
    redelivered: chain.redelivered,
    firstTime: chain.firstTime,
    lastTime: chain.lastTime,
    anchor: { kind: anchor.kind.toUpperCase() as ChainAnchorKind, chainId: anchor.chainId ?? null, sequence: text(anchor.sequence), hash: anchor.hash ?? null },
    verifiedThrough: verifiedThrough
      ? { checkpointSequence: String(verifiedThrough.checkpointSequence), toSequence: String(verifiedThrough.toSequence), lastTime: verifiedThrough.lastTime, keyId: verifiedThrough.keyId }
      : null,
    unanchoredTail: chain.unanchoredFrom !== null && chain.unanchoredTo !== null ? { from: chain.unanchoredFrom, to: chain.unanchoredTo } : null,
    waitingFor: chain.waitingFrom,
    findings: chain.findings.map(toFinding),
    checkedAt: chain.updatedAt,
  };
}

export function toAuditIntegrity(rows: AuditIntegrityRows): AuditIntegrity {
  const producers = rows.chains.map(toProducer);
  const clean = producers.every((p) => p.findings.length === 0 && p.waitingFor === null) && rows.unattributed.length === 0;
  return { ok: clean, producers, unattributedFindings: rows.unattributed.map(toFinding) };
}
