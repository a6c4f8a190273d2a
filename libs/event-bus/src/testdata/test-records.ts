// Records for the bus tests, shaped like decision events: the "request" they come from carries
// a raw bearer secret, and the record carries only its HMAC fingerprint, as libs/events writes
// it. The scans then look for the raw secret everywhere the bus wrote, and for the fingerprint
// as a positive control (a scan that reads nothing would otherwise pass).
import { createHmac, randomBytes } from 'node:crypto';
import type { BusRecord } from '../bus.port';

export interface TestSecret {
  readonly raw: string;
  readonly fingerprint: string;
}

export function testSecret(): TestSecret {
  const raw = `fake-bearer-${randomBytes(16).toString('hex')}`;
  return { raw, fingerprint: `hmac-sha256:test:${createHmac('sha256', 'test-key').update(raw).digest('hex')}` };
}

export interface TestPayload {
  readonly id: string;
  readonly seq: number;
  readonly key: string;
}

export function testRecord(topic: string, run: string, seq: number, key: string, secret: TestSecret): BusRecord {
  const request = { headers: { authorization: `Bearer ${secret.raw}` }, sourceIp: '127.0.0.1' };
  const id = `${run}-${seq}`;
  const value = {
    id,
    seq,
    key,
    credential: { type: 'bearer', fingerprint: secret.fingerprint },
    request: { sourceIp: request.sourceIp },
  };
  return { topic, key, value: Buffer.from(JSON.stringify(value)), headers: { 'content-type': 'application/cloudevents+json', ce_id: id } };
}

export function parseTestRecord(value: Buffer | null): TestPayload {
  if (value === null) throw new Error('record without a value');
  return JSON.parse(value.toString('utf8')) as TestPayload;
}
