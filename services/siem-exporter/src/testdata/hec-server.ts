// A local stand-in for Splunk's HTTP Event Collector: records every request and answers with
// whatever status the test's `answer` function picks.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HecRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly status: number;
}

export interface HecServer {
  readonly url: string;
  readonly requests: HecRequest[];
  /** Event ids of every accepted (2xx) request. */
  acceptedIds(): Set<string>;
  close(): Promise<void>;
}

export async function startHecServer(answer: (body: string, index: number) => number): Promise<HecServer> {
  const requests: HecRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const status = answer(body, requests.length);
      requests.push({ headers: req.headers, body, status });
      const text = status < 300 ? '{"text":"Success","code":0}' : status === 400 ? '{"text":"Invalid data format","code":6}' : '{"text":"Server is busy","code":9}';
      res.writeHead(status, { 'content-type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/collector/event`,
    requests,
    acceptedIds() {
      const ids = requests.filter((r) => r.status < 300).flatMap((r) => r.body.split('\n').map((line) => (JSON.parse(line) as { fields: { event_id: string } }).fields.event_id));
      return new Set(ids);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
