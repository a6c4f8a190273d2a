import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DEFAULT_SIEM_PRODUCT, toEcs, toOcsf, type SiemMapOptions } from '@authtrail/events';
import type { SplunkHecSinkConfig } from '../siem.config';
import { chunks } from './chunking';
import { splitOnRefusal } from './refusal-split';
import { ACKNOWLEDGED, type DeliveryOutcome, type Sink, type SinkItem } from './sink.port';

export interface HecDeps {
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * `splunk-hec`: batches in the HEC event format (event objects back to back) POSTed with
 * `Authorization: Splunk <token>`. 2xx acknowledges; 400/413 refuse the batch for good (split
 * to find the bad events, which are dead-lettered); 401/403, 429, 5xx and network errors are
 * "unavailable" and retried — a wrong token must not dead-letter everything.
 * The token is read once and never appears in an outcome, a log line or an error.
 */
export function createSplunkHecSink(config: SplunkHecSinkConfig, productVersion: string, deps: HecDeps = {}): Sink {
  const token = resolveToken(config, deps.env ?? process.env);
  const options: SiemMapOptions = { product: { ...DEFAULT_SIEM_PRODUCT, version: productVersion }, drop: config.drop };
  const map = config.format === 'ocsf' ? toOcsf : toEcs;
  const sourcetype = config.sourcetype ?? (config.format === 'ocsf' ? 'ocsf:authentication' : 'ecs:authtrail');
  const url = new URL(config.url);
  const ca = config.tls?.caFile ? readFileSync(config.tls.caFile) : undefined;
  const cert = config.tls?.certFile ? readFileSync(config.tls.certFile) : undefined;
  const key = config.tls?.keyFile ? readFileSync(config.tls.keyFile) : undefined;

  const hecEvent = (item: SinkItem): string =>
    JSON.stringify({
      time: Date.parse(item.event.time) / 1000,
      source: config.source,
      sourcetype,
      ...(config.index !== undefined ? { index: config.index } : {}),
      // Indexed field: Splunk searches can deduplicate on the event id (`| dedup event_id`).
      fields: { event_id: item.event.id },
      event: map(item.event, options),
    });

  const post = (body: string): Promise<DeliveryOutcome> =>
    new Promise((resolve) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        url,
        {
          method: 'POST',
          headers: { authorization: `Splunk ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          timeout: config.timeoutMs,
          ...(url.protocol === 'https:' ? { ca, cert, key, rejectUnauthorized: config.tls?.rejectUnauthorized ?? true, servername: config.tls?.serverName } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            // Keep only the start of the answer: enough for Splunk's {"text":..,"code":..}.
            if (size < 2048) chunks.push(chunk);
            size += chunk.length;
          });
          res.on('end', () => resolve(classify(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8').slice(0, 512))));
          res.on('error', (error) => resolve({ kind: 'unavailable', detail: `HEC response failed: ${error.message}` }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${config.timeoutMs} ms`)));
      req.on('error', (error) => resolve({ kind: 'unavailable', detail: `HEC request to ${url.host} failed: ${error.message}` }));
      req.end(body);
    });

  const sendBatch = async (lines: readonly string[]): Promise<DeliveryOutcome> => {
    const outcome = await post(lines.join('\n'));
    if (outcome.kind !== 'refused') return outcome;
    const detail = outcome.refused[0]?.detail ?? 'refused';
    if (lines.length === 1) return { kind: 'refused', refused: [{ index: 0, detail }] };
    return splitOnRefusal(lines, (line) => sendBatch([line]));
  };

  return {
    name: config.name,
    async deliver(items) {
      const lines = items.map(hecEvent);
      const refused: { index: number; detail: string }[] = [];
      for (const chunk of chunks(lines, config.batchSize, config.maxBatchBytes)) {
        const outcome = await sendBatch(lines.slice(chunk.start, chunk.end));
        if (outcome.kind === 'unavailable') return outcome;
        if (outcome.kind === 'refused') refused.push(...outcome.refused.map((r) => ({ index: chunk.start + r.index, detail: r.detail })));
      }
      return refused.length > 0 ? { kind: 'refused', refused } : ACKNOWLEDGED;
    },
    async close() {
      // Requests are not kept alive; nothing to release.
    },
  };
}

function classify(status: number, body: string): DeliveryOutcome {
  if (status >= 200 && status < 300) return ACKNOWLEDGED;
  const detail = `HEC answered ${status}${body ? `: ${body}` : ''}`;
  if (status === 400 || status === 413) return { kind: 'refused', refused: [{ index: 0, detail }] };
  return { kind: 'unavailable', detail };
}

function resolveToken(config: SplunkHecSinkConfig, env: Readonly<Record<string, string | undefined>>): string {
  const token = config.token ?? (config.tokenFile ? readFileSync(config.tokenFile, 'utf8').trim() : config.tokenEnv ? env[config.tokenEnv] : undefined);
  // The message names where the token should come from, never a value.
  if (!token) throw new Error(`sink ${config.name}: the HEC token is empty (${config.tokenEnv ? `environment variable ${config.tokenEnv}` : config.tokenFile ? 'tokenFile' : 'token'})`);
  return token;
}
