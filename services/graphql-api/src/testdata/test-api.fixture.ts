// A real API for integration tests: migrated database, callers decided by the shared composition
// root (libs/authentication: static-token, optionally basic-auth, policy and revocations from the
// control topic of an in-process bus, decision events on its decision topic) with a viewer, an
// admin and a caller in no API group, listening on 127.0.0.1. Tokens are random per run; nothing
// secret is committed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { noDecisionMetrics, type AuthenticationRoot, type StrategyRegistry } from '@authtrail/authentication';
import { loadConfig } from '@authtrail/config';
import { createInProcessBus, type EventBus } from '@authtrail/event-bus';
import { decodeEvent, DECISION_EVENT_TYPE, TOPICS, type DecisionEvent } from '@authtrail/events';
import { openReadModel, runMigrations, type ReadModelDb } from '@authtrail/read-model';
import { validateStrategyConfig } from '@authtrail/strategies';
import pino from 'pino';
import { decisionAuthenticator } from '../auth/caller';
import { buildGraphqlServer, type GraphqlServer, type GraphqlServerDeps } from '../server/build-graphql-server';
import { startApiAuthentication } from '../start-graphql-api';

export interface TestApi {
  readonly url: string;
  readonly db: ReadModelDb;
  readonly server: GraphqlServer;
  readonly tokens: { readonly viewer: string; readonly admin: string; readonly outsider: string };
  /** The in-process bus: decision events of the callers, control events of the mutations. */
  readonly bus: EventBus;
  readonly authentication: AuthenticationRoot;
  /** Every caller decision recorded so far. */
  decisionEvents(): Promise<DecisionEvent[]>;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlResponse<T>>;
  close(): Promise<void>;
}

export interface GqlResponse<T> {
  readonly status: number;
  readonly body: { readonly data?: T | null; readonly errors?: readonly { message: string; extensions?: { code?: string } & Record<string, unknown> }[] };
  readonly headers: Headers;
}

export const VIEWER_GROUP = 'authtrail:viewers';
export const ADMIN_GROUP = 'authtrail:admins';

export interface TestApiOptions {
  readonly migrate?: boolean;
  /** Policy YAML applied as version 1 (e.g. throttle rules). */
  readonly policy?: string;
  /** basic-auth CSV lines (`password,user,uid,"groups"`); adds a basic-auth strategy after static-token. */
  readonly users?: readonly string[];
  /** Mutations publish to the in-process bus's control topic, which the callers' policy follows (default: NOT_CONFIGURED). */
  readonly mutations?: boolean;
  /** Wraps the strategies (e.g. to count how often one runs). */
  readonly registry?: StrategyRegistry;
}

export async function startTestApi(
  databaseUrl: string,
  overrides: Partial<Omit<GraphqlServerDeps, 'dataSource' | 'authenticator'>> = {},
  options: TestApiOptions = {},
): Promise<TestApi> {
  if (options.migrate ?? true) await runMigrations(databaseUrl);
  const db = await openReadModel(databaseUrl, { poolSize: 4, applicationName: 'graphql-api-test' });
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-graphql-'));
  const tokens = { viewer: randomBytes(16).toString('hex'), admin: randomBytes(16).toString('hex'), outsider: randomBytes(16).toString('hex') };
  writeFileSync(
    join(dir, 'tokens.csv'),
    [`${tokens.viewer},vera,uid-vera,"${VIEWER_GROUP}"`, `${tokens.admin},ada,uid-ada,"${ADMIN_GROUP},ops"`, `${tokens.outsider},otto,uid-otto,"devs"`].join('\n') + '\n',
  );
  if (options.users) writeFileSync(join(dir, 'users.csv'), `${options.users.join('\n')}\n`);
  if (options.policy !== undefined) writeFileSync(join(dir, 'policy.yaml'), options.policy);
  writeFileSync(
    join(dir, 'authtrail.yaml'),
    [
      `dataDir: ${JSON.stringify(join(dir, 'data'))}`,
      'authn:',
      '  instance: graphql-test',
      '  strategies:',
      '    - { id: static-token, tokenFile: ./tokens.csv, reloadIntervalMs: 60000 }',
      ...(options.users ? ['    - { id: basic-auth, passwordFile: ./users.csv, reloadIntervalMs: 60000 }'] : []),
      `graphql: { adminGroups: ["${ADMIN_GROUP}"], viewerGroups: ["${VIEWER_GROUP}"] }`,
      ...(options.policy !== undefined ? ['policy: { file: ./policy.yaml }'] : []),
      `fingerprint: { keys: [{ id: test, secret: ${randomBytes(32).toString('base64')} }] }`,
    ].join('\n'),
  );
  const config = loadConfig({ argv: ['--config', join(dir, 'authtrail.yaml')], env: {}, validateStrategy: validateStrategyConfig });
  const bus = createInProcessBus({ persistTopics: [] });
  const authentication = await startApiAuthentication(config, {
    publisher: bus.publisher,
    subscriber: bus.subscriber,
    logger: pino({ level: 'silent' }),
    ...(options.registry ? { registry: options.registry } : {}),
  });
  if (!authentication) throw new Error('graphql.auth.enabled is true in the test config');
  await authentication.announce();
  authentication.loadControl();
  while (!authentication.ready?.()) await new Promise((resolve) => setTimeout(resolve, 10));
  const server = await buildGraphqlServer({
    dataSource: db,
    authenticator: decisionAuthenticator(authentication.decisions(noDecisionMetrics), { viewerGroups: [VIEWER_GROUP], adminGroups: [ADMIN_GROUP] }),
    ...(authentication.ready ? { ready: authentication.ready } : {}),
    // `credentialFingerprint` with the callers' key (the one their decision events use).
    fingerprint: authentication.fingerprint,
    integrityKeys: authentication.events.keys,
    ...(options.mutations ? { control: { publisher: bus.publisher, source: '/authtrail/graphql-api/test', readModel: db } } : {}),
    feedIntervalMs: 100,
    ...overrides,
  });
  const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    db,
    server,
    tokens,
    bus,
    authentication,
    async decisionEvents() {
      const events: DecisionEvent[] = [];
      await bus.subscriber.readToEnd(TOPICS.decisions, (record) => {
        const decoded = decodeEvent(record.value);
        if (decoded.ok && decoded.event.type === DECISION_EVENT_TYPE) events.push(decoded.event as DecisionEvent);
      });
      return events;
    },
    async gql<T>(query: string, variables: Record<string, unknown> = {}, token: string | null = tokens.viewer) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as GqlResponse<T>['body'], headers: response.headers };
    },
    async close() {
      await server.close();
      await authentication.close(1_000);
      await bus.close();
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
