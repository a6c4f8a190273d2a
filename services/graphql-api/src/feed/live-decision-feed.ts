// Which live feed an API instance runs: LISTEN/NOTIFY on a connection of its own to the read
// model's database (docs/graphql.md, "Live subscriptions"); the poller only when the database's
// address is not known (a data source built without a URL).
import type { FastifyBaseLogger } from 'fastify';
import type { DataSource } from 'typeorm';
import type { DecisionFeed } from './decision-feed';
import { pgListenConnector } from './listen-connection';
import { createListeningDecisionFeed } from './listening-decision-feed';

export function liveDecisionFeed(dataSource: DataSource, fallbackUrl: string | undefined, logger: Pick<FastifyBaseLogger, 'warn'>): DecisionFeed | undefined {
  const url = (dataSource.options as { readonly url?: string }).url ?? fallbackUrl;
  if (!url) return undefined;
  return createListeningDecisionFeed({
    db: dataSource,
    connect: pgListenConnector({ connectionString: url, applicationName: 'authtrail-graphql-api-listen' }),
    // The error only: a pg error never carries the connection string, and the URL is not logged.
    onError: (error) => logger.warn({ err: error }, 'live decision feed: listen connection or read failed'),
  });
}
