// One PostgreSQL connection that LISTENs on a channel: the graphql-api instance's single source
// of live decisions. It reports notifications and its own loss; reconnecting is the feed's job.
import { Client } from 'pg';

export interface ListenConnection {
  /** LISTEN on `channel`; notifications of transactions that commit from now on arrive. */
  listen(channel: string): Promise<void>;
  /** Resolves when the server answered a trivial query in time; rejects otherwise (a silent loss). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface ListenHandlers {
  readonly onNotification: (channel: string, payload: string) => void;
  /** The connection ended or failed; it is of no further use. Called at most once. */
  readonly onLost: (error: unknown) => void;
}

/** Opens a new connection (the feed calls it again after a loss). */
export type ListenConnector = (handlers: ListenHandlers) => Promise<ListenConnection>;

export interface PgListenOptions {
  readonly connectionString: string;
  readonly applicationName?: string;
  /** A ping or LISTEN that takes longer fails, and the connection is dropped. */
  readonly queryTimeoutMs?: number;
}

export function pgListenConnector(options: PgListenOptions): ListenConnector {
  return async (handlers) => {
    const client = new Client({
      connectionString: options.connectionString,
      application_name: options.applicationName ?? 'authtrail-graphql-api-listen',
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
      query_timeout: options.queryTimeoutMs ?? 5_000,
    });
    let lost = false;
    const lose = (error: unknown): void => {
      if (lost) return;
      lost = true;
      handlers.onLost(error);
    };
    client.on('notification', (message) => handlers.onNotification(message.channel, message.payload ?? ''));
    client.on('error', lose);
    client.on('end', () => lose(new Error('listen connection ended')));
    await client.connect();
    return {
      async listen(channel) {
        // An identifier, not a parameter: LISTEN takes no $1. The channel is our constant.
        await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
      },
      async ping() {
        try {
          await client.query('SELECT 1');
        } catch (error) {
          lose(error);
          throw error;
        }
      },
      async close() {
        lost = true;
        // end() waits for the server's goodbye, which a dead connection never sends.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([client.end().catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, 1_000)))]);
        clearTimeout(timer);
      },
    };
  };
}
