// A real API for integration tests: migrated database, static-token caller auth (real strategy
// from libs/strategies) with a viewer, an admin and a caller in no API group, listening on
// 127.0.0.1. Tokens are random per run; nothing secret is committed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openReadModel, runMigrations, type ReadModelDb } from '@authtrail/read-model';
import { createStaticTokenStrategy, firstMatch, withGroups } from '@authtrail/strategies';
import { buildGraphqlServer, type GraphqlServer, type GraphqlServerDeps } from '../server/build-graphql-server';

export interface TestApi {
  readonly url: string;
  readonly db: ReadModelDb;
  readonly server: GraphqlServer;
  readonly tokens: { readonly viewer: string; readonly admin: string; readonly outsider: string };
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

export async function startTestApi(
  databaseUrl: string,
  overrides: Partial<Omit<GraphqlServerDeps, 'dataSource' | 'authenticator' | 'access'>> = {},
  options: { readonly migrate?: boolean } = {},
): Promise<TestApi> {
  if (options.migrate ?? true) await runMigrations(databaseUrl);
  const db = await openReadModel(databaseUrl, { poolSize: 4, applicationName: 'graphql-api-test' });
  const dir = mkdtempSync(join(tmpdir(), 'authtrail-graphql-'));
  const tokens = { viewer: randomBytes(16).toString('hex'), admin: randomBytes(16).toString('hex'), outsider: randomBytes(16).toString('hex') };
  const tokenFile = join(dir, 'tokens.csv');
  writeFileSync(
    tokenFile,
    [`${tokens.viewer},vera,uid-vera,"${VIEWER_GROUP}"`, `${tokens.admin},ada,uid-ada,"${ADMIN_GROUP},ops"`, `${tokens.outsider},otto,uid-otto,"devs"`].join('\n') + '\n',
  );
  const strategy = await createStaticTokenStrategy({ id: 'static-token', tokenFile, reloadIntervalMs: 60_000 }, {});
  const authenticator = withGroups(firstMatch([strategy]));
  const server = await buildGraphqlServer({
    dataSource: db,
    authenticator,
    access: { viewerGroups: [VIEWER_GROUP], adminGroups: [ADMIN_GROUP] },
    feedIntervalMs: 100,
    ...overrides,
  });
  const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    db,
    server,
    tokens,
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
      await authenticator.close?.();
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
