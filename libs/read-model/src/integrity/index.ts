export { committedHorizon, insertIntegrityLinks, readIntegrityLinks, type IntegrityLinkRow, type StoredIntegrityLink } from './integrity-link.queries';
export { insertIntegrityFindings, upsertIntegrityChains, type IntegrityChainRow, type IntegrityFindingRow } from './integrity-status.queries';
export { findAuditIntegrity, type AuditIntegrityRows, type StoredIntegrityChain, type StoredIntegrityFinding } from './audit-integrity.queries';
