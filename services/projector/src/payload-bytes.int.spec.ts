import { decisionEvent, encodeEvent, eventSource, type DecisionEvent } from '@authtrail/events';
import type { ConsumedRecord } from '@authtrail/event-bus';
import { openReadModel, runMigrations, type ReadModelDb } from '@authtrail/read-model';
import { createTestDatabase } from '@authtrail/testing';
import { ALLOWED_DECISION, DENIED_DECISION } from '../testdata/decision.fixtures';
import { queryRows } from '../testdata/projector.harness';
import { projectRecords } from './batch.handler';

const record = (value: Buffer, offset: number): ConsumedRecord => ({ topic: 't', partition: 0, offset: String(offset), key: null, value, headers: {}, timestamp: '0' });

const event = (n: number, request: Partial<DecisionEvent['data']['request']>, base = ALLOWED_DECISION): DecisionEvent =>
  decisionEvent({
    id: `019acea0-1f3b-7abc-8def-0000000000${String(n).padStart(2, '0')}`,
    time: new Date(Date.UTC(2026, 10, 29, 10, 15, n)),
    source: eventSource('authn', 'pod-7'),
    data: { ...base, request: { ...base.request, ...request }, sequence: n },
  });

describe('the decision payload is stored from the record bytes', () => {
  let url: string;
  let db: ReadModelDb;

  beforeAll(async () => {
    url = await createTestDatabase('payload_bytes');
    await runMigrations(url);
    db = await openReadModel(url);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  const stored = async (id: string): Promise<string> => (await queryRows<{ text: string }>(url, `SELECT payload::text AS text FROM decision WHERE id = $1`, [id]))[0].text;

  it('compact JSON with backslashes, quotes and multi-byte characters is stored byte for byte and reads back as the event', async () => {
    const events = [
      event(1, { userAgent: 'curl/8 "quoted" back\\slash \\n not a newline', path: '/caf\u00e9/\u{1F600}' }),
      event(2, { userAgent: 'kube-apiserver/v1.34' }, DENIED_DECISION),
    ];
    const records = events.map((e, i) => record(encodeEvent(e), i));
    const { outcome } = await projectRecords(db, records, undefined);
    expect(outcome).toEqual({ projected: 2, duplicates: 0, deadLettered: 0 });
    for (const [i, e] of events.entries()) {
      expect(await stored(e.id)).toBe(records[i].value?.toString('utf8'));
      expect(JSON.parse(await stored(e.id))).toEqual(e);
    }
  });

  it('a record with tabs and newlines between tokens (pretty-printed by some producer) is stored as its bytes and reads back as the event', async () => {
    const e = event(3, { userAgent: 'tab\\tin a string' });
    const pretty = Buffer.from(JSON.stringify(e, null, '\t').replace(/\n/g, '\r\n'));
    expect(pretty.includes('\t') && pretty.includes('\r\n')).toBe(true);
    await projectRecords(db, [record(pretty, 10)], undefined);
    expect(await stored(e.id)).toBe(pretty.toString('utf8'));
    expect(JSON.parse(await stored(e.id))).toEqual(e);
  });

  it('a record that is not valid UTF-8 is stored as the event decoded from it (U+FFFD), not as its bytes, and does not fail the batch', async () => {
    const e = event(4, { userAgent: 'agent-PLACEHOLDER' });
    const text = encodeEvent(e).toString('latin1');
    const broken = Buffer.from(text.replace('PLACEHOLDER', '\u00ff\u00fe'), 'latin1');
    const { outcome } = await projectRecords(db, [record(broken, 20), record(encodeEvent(event(5, {})), 21)], undefined);
    expect(outcome).toEqual({ projected: 2, duplicates: 0, deadLettered: 0 });
    const read = JSON.parse(await stored(e.id)) as DecisionEvent;
    expect(read).toEqual({ ...e, data: { ...e.data, request: { ...e.data.request, userAgent: 'agent-\uFFFD\uFFFD' } } });
  });
});
