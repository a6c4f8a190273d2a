// Public surface of the GraphQL API service (the all-in-one `npm start` runs it in-process).
export { decisionAuthenticator, type CallerAuthenticator } from './auth/caller';
export { buildGraphqlServer, GRAPHQL_PATH, type GraphqlServer, type GraphqlServerDeps } from './server/build-graphql-server';
export { startGraphqlApi, startApiAuthentication, apiStrategyEntries, type RunningGraphqlApi, type StartGraphqlApiDeps } from './start-graphql-api';
export { DEFAULT_LIMITS, type GraphqlLimits, type ControlPublisher } from './services';
export { createPollingDecisionFeed, type DecisionFeed } from './feed/decision-feed';
export { loadTypeDefs } from './schema/type-defs';
