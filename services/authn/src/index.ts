export { buildApp, classify, type AppDeps, type AppLimits, type AuthnApp } from './app';
export { startAuthn, type StartAuthnDeps, type RunningAuthn, type ListeningAddress } from './start-authn';
export { composeChain, type StrategyRegistry, type ComposedChain } from './chain';
export { noopPolicyHook, type PolicyHook, type PolicyInput, type PolicyVerdict, type PolicyDenial } from './policy-hook';
export { toDecisionEvent, type DecisionResult, type DecisionRequestFacts, type DecisionEventContext } from './events/decision-event';
export { createLogger, REDACT_PATHS } from './observability/logger';
export { fingerprinterFor, GENERATED_KEY_FILE } from './fingerprint-key';
export { ledgerFileOf, readLedger, type LedgerRecord, type LedgerRead } from './events/sequence-ledger';
export type { DecisionProducer } from './events/producer-boot';
