// Public surface of the authentication composition root, shared by authn and graphql-api.
export { startAuthentication, graphqlInstanceOf, type AuthenticationRoot, type AuthenticationRootDeps, type DecidingService } from './authentication-root';
export { composeChain, type StrategyRegistry, type ComposedChain } from './chain';
export { createDecisionService, noDecisionMetrics, type AuthChain, type Decision, type DecisionMetrics, type DecisionService, type DecisionServiceDeps } from './decision.service';
export { noopPolicyHook, type AdmissionInput, type PolicyHook, type PolicyInput, type PolicyVerdict, type PolicyDenial } from './policy-hook';
export { createPolicyControl, type PolicyControl, type PolicyControlDeps } from './policy/policy-control';
export { throttleKeyOf, type ThrottleKeyHashes } from './throttle-key';
export { toDecisionEvent, type DecisionResult, type DecisionRequestFacts, type DecisionEventContext } from './events/decision-event';
export { startProducerBoot, type DecisionProducer, type ProducerBoot, type ProducerBootOptions } from './events/producer-boot';
export { createChainedPublisher, plainEventPublisher, type ChainedPublisher, type EventPublisher } from './events/chained-publisher';
export { integrityKeysFor, GENERATED_SIGNING_KEY_FILE, type IntegrityKeys } from './events/integrity-keys';
export { createProducerStatusReporter, type ProducerStatusDeps, type ProducerStatusReporter } from './events/producer-status';
export { ledgerFileOf, readLedger, openSequenceLedger, type LedgerRecord, type LedgerRead, type SequenceLedger } from './events/sequence-ledger';
export { fingerprinterFor, GENERATED_KEY_FILE } from './fingerprint-key';
export { directView, forwardAuthView, selfView, stripQuery, tokenReviewView, FORWARD_AUTH_PREFIX, type AuthenticateBody, type BuiltView, type IncomingHop } from './request-view/request-view';
export { createTrustedProxies, normalizeAddress, resolveClientAddress, splitForwardedFor, type TrustedProxies } from './request-view/trusted-proxies';
