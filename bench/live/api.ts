// One graphql-api instance for bench/live, in a process of its own (so the 500 clients and the
// projector of the bench do not share its event loop). `--feed notify`: the LISTEN/NOTIFY feed
// the API starts with (`liveDecisionFeed`); `--feed poll`: the poller every subscription used
// before (one poll of the decision table every 500 ms). Prints `{"url":…}` once listening; SIGTERM
// closes it.
import { parseArgs } from 'node:util';
import { openReadModel } from '@authtrail/read-model';
import pino from 'pino';
import { createPollingDecisionFeed } from '../../services/graphql-api/src/feed/decision-feed';
import { liveDecisionFeed } from '../../services/graphql-api/src/feed/live-decision-feed';
import { buildGraphqlServer } from '../../services/graphql-api/src/server/build-graphql-server';

const { values } = parseArgs({ options: { 'database-url': { type: 'string' }, feed: { type: 'string' } } });
const url = values['database-url'];
const kind = values.feed;
if (!url) throw new Error('--database-url is required');
if (kind !== 'notify' && kind !== 'poll') throw new Error(`--feed must be notify or poll, got ${JSON.stringify(kind)}`);

async function main(databaseUrl: string): Promise<void> {
  const db = await openReadModel(databaseUrl, { poolSize: 4, applicationName: 'bench-live-api' });
  const feed = kind === 'notify' ? liveDecisionFeed(db, databaseUrl, pino({ level: 'warn' }, pino.destination(2))) : createPollingDecisionFeed({ db, intervalMs: 500 });
  if (!feed) throw new Error('no live feed for this data source');
  // Callers unauthenticated (everyone a viewer): the bench measures delivery, not connection set-up.
  const server = await buildGraphqlServer({ dataSource: db, authenticator: null, feed, playground: false });
  const address = await server.app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`${JSON.stringify({ url: address })}\n`);
  process.once('SIGTERM', () => {
    void (async () => {
      await server.close();
      await db.destroy();
      process.exit(0);
    })();
  });
}

void main(url);
