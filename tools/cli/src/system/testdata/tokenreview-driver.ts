// Concurrent TokenReview requests from the test process (node:http, keep-alive), each carrying
// its own User-Agent so that it can be found again in the trail (`Decision.userAgent`). Every
// request's send and answer time is kept (performance.now(), one monotonic clock for the test),
// so a crash test can say which answered requests a SIGKILL may have lost.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { TOKEN_REVIEW_PATH, tokenReviewBody } from './embedded-stack';

export interface SentRequest {
  readonly userAgent: string;
  readonly sentAt: number;
  /** When the whole answer arrived; undefined when none did (connection reset by the kill). */
  answeredAt?: number;
  status?: number;
  authenticated?: boolean;
  decisionId?: string;
  error?: string;
}

export interface Driver {
  /** Every request sent so far, in send order. */
  readonly sent: readonly SentRequest[];
  /** Requests answered 200 with `status.authenticated: true`, in answer order. */
  readonly answered: readonly SentRequest[];
  /** Sends no new request; resolves once every request in flight ended (answered or failed). */
  stop(): Promise<void>;
}

export interface DriverOptions {
  readonly authnUrl: string;
  readonly token: string;
  readonly concurrency: number;
  readonly userAgent: (index: number) => string;
}

function once(url: URL, agent: Agent, body: string, sent: SentRequest): Promise<void> {
  return new Promise((resolveRequest) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': sent.userAgent } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (error) => {
          sent.error = error.message;
          resolveRequest();
        });
        res.on('end', () => {
          sent.answeredAt = performance.now();
          sent.status = res.statusCode;
          const id = res.headers['x-authtrail-decision-id'];
          if (typeof id === 'string') sent.decisionId = id;
          try {
            sent.authenticated = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status?: { authenticated?: boolean } }).status?.authenticated === true;
          } catch {
            sent.authenticated = false;
          }
          resolveRequest();
        });
      },
    );
    req.on('error', (error) => {
      sent.error = error.message;
      resolveRequest();
    });
    req.end(body);
  });
}

/** Starts `concurrency` loops, each sending the next request as soon as its previous one ended. */
export function driveTokenReviews(options: DriverOptions): Driver {
  const url = new URL(TOKEN_REVIEW_PATH, options.authnUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const body = tokenReviewBody(options.token);
  const sent: SentRequest[] = [];
  const answered: SentRequest[] = [];
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      const one: SentRequest = { userAgent: options.userAgent(sent.length), sentAt: performance.now() };
      sent.push(one);
      await once(url, agent, body, one);
      if (one.status === 200 && one.authenticated) answered.push(one);
      // After a kill the server is gone: a failed request ends this loop.
      if (one.answeredAt === undefined) return;
    }
  };
  const loops = Array.from({ length: options.concurrency }, loop);
  return {
    sent,
    answered,
    async stop() {
      stopped = true;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}
