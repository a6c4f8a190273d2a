export { buildApp, classify, type AppDeps, type AppLimits, type AuthnApp } from './app';
export { startAuthn, type StartAuthnDeps, type RunningAuthn, type ListeningAddress } from './start-authn';
export { createLogger, REDACT_PATHS } from './observability/logger';
export { tuneGarbageCollection, HEAP_GROWING_PERCENT } from './observability/gc-tuning';
// The decision path now lives in libs/authentication (shared with graphql-api); kept here for callers of authn's surface.
export { composeChain, noopPolicyHook, toDecisionEvent, fingerprinterFor, GENERATED_KEY_FILE, integrityKeysFor, ledgerFileOf, readLedger } from '@authtrail/authentication';
export type { StrategyRegistry, ComposedChain, PolicyHook, PolicyInput, PolicyVerdict, PolicyDenial, DecisionResult, DecisionRequestFacts, DecisionEventContext, LedgerRecord, LedgerRead, DecisionProducer } from '@authtrail/authentication';
