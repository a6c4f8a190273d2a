export { CHAIN_ID_ATTRIBUTE, CHAIN_PREVIOUS_ATTRIBUTE, CHAIN_SEQUENCE_ATTRIBUTE, GENESIS_LINK, chainIdOf, splitChainId, readChainPosition, type ChainPosition, type ChainPositionRead } from './chain-position';
export { ChainWriter, ChainWriterError, recordHash, type ChainWriterOptions, type PendingRange } from './chain-writer';
export { CheckpointSigner, CHECKPOINT_DEFAULTS, type CheckpointSignerOptions, type ChainedCheckpointEvent, type WrittenCheckpoint } from './checkpoint-signer';
export { checkpointSigningInput } from './checkpoint-signature';
export { canonicalJson, CanonicalJsonError, type CanonicalJsonValue } from './jcs';
export {
  IntegrityKeyError,
  KEY_ID_PATTERN,
  keyInputsOfJwks,
  readJwksFile,
  loadSigningKey,
  loadVerificationKeys,
  verificationKeysOf,
  type IntegrityKeyErrorCode,
  type KeyInput,
  type PublicJwk,
  type SigningKey,
  type VerificationKeyRing,
} from './key-ring';
export { ChainVerifier, type ChainLink, type ChainVerifierOptions, type SuspectedReplay, type WaitingChain } from './chain-verifier';
export { formatExportLine, parseExportLine, type ExportLineRead, type ExportedRecord } from './export-line';
export * from './verification-report';
