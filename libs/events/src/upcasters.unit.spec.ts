// v1 is the only version, so the real table is empty; a fake v0 of the decision event drives
// the hook: `{ outcome: 'success' | 'failure', status, why, producer, seq }` became v1's data.
import { createEventDecoder, encodeEvent } from './cloudevent.codec';
import { DECISION_EVENT_TYPE, type DecisionData } from './decision.event';
import { dataSchemaUriOf } from './event-catalogue';
import { decisionEvent } from './event.builders';
import { FIXED_ID, FIXED_TIME, SOURCE } from './testdata/event.fixtures';
import { UPCASTERS, upcast, type UntypedEvent, type Upcaster } from './upcasters';

const V0 = 'authtrail.authn.decision.v0';

interface DecisionDataV0 {
  readonly outcome: 'success' | 'failure';
  readonly status: number;
  readonly why: string;
  readonly producer: string;
  readonly seq: number;
}

const decisionV0toV1: Upcaster = (event) => {
  const old = event.data as DecisionDataV0;
  const data: DecisionData = {
    decision: old.outcome === 'success' ? 'allow' : 'deny',
    httpStatus: old.status,
    reason: old.why as DecisionData['reason'],
    attempts: [],
    request: { endpoint: 'tokenreview' },
    instance: old.producer,
    sequence: old.seq,
  };
  return { ...event, type: DECISION_EVENT_TYPE, dataschema: dataSchemaUriOf(DECISION_EVENT_TYPE), data };
};

const v0Event = (data: unknown): UntypedEvent => ({
  specversion: '1.0',
  id: FIXED_ID,
  source: SOURCE,
  type: V0,
  time: FIXED_TIME.toISOString(),
  datacontenttype: 'application/json',
  subject: '10.0.0.1',
  data,
});

const decodeWithV0 = createEventDecoder({ upcasters: { [V0]: decisionV0toV1 } });

describe('upcasting through the version hook', () => {
  it('the real table is empty while v1 is the only version', () => {
    expect(UPCASTERS).toEqual({});
  });

  it('a stored v0 decision decodes as the v1 event', () => {
    const result = decodeWithV0(JSON.stringify(v0Event({ outcome: 'failure', status: 401, why: 'unknown_token', producer: 'old-1', seq: 9 })));
    expect(result).toEqual({
      ok: true,
      event: {
        ...v0Event(undefined),
        type: DECISION_EVENT_TYPE,
        dataschema: 'urn:authtrail:schema:authtrail.authn.decision.v1',
        data: { decision: 'deny', httpStatus: 401, reason: 'unknown_token', attempts: [], request: { endpoint: 'tokenreview' }, instance: 'old-1', sequence: 9 },
      },
    });
  });

  it('a current event passes the hook unchanged', () => {
    const event = decisionEvent({
      id: FIXED_ID,
      time: FIXED_TIME,
      source: SOURCE,
      data: { decision: 'deny', httpStatus: 401, reason: 'no_credentials', attempts: [], request: { endpoint: 'authenticate' }, instance: 'i', sequence: 1 },
    });
    expect(decodeWithV0(encodeEvent(event))).toEqual({ ok: true, event });
  });

  it('a v0 event whose upcast data breaks the v1 schema is invalid_data', () => {
    const result = decodeWithV0(JSON.stringify(v0Event({ outcome: 'failure', status: 401, why: 'fine', producer: 'old-1', seq: 1 })));
    expect(result).toEqual({ ok: false, reason: 'invalid_data', detail: '/data/reason must be equal to one of the allowed values' });
  });

  it('an upcaster that throws on old data gives invalid_data and does not repeat its message', () => {
    const decode = createEventDecoder({
      upcasters: {
        [V0]: () => {
          throw new Error('cannot read field secret-value');
        },
      },
    });
    expect(decode(JSON.stringify(v0Event({})))).toEqual({ ok: false, reason: 'invalid_data', detail: 'upcasting "authtrail.authn.decision.v0" failed' });
  });

  it('an upcaster that returns a broken envelope gives invalid_envelope', () => {
    const decode = createEventDecoder({ upcasters: { [V0]: (event) => ({ ...event, type: DECISION_EVENT_TYPE, time: 'yesterday' }) } });
    expect(decode(JSON.stringify(v0Event({})))).toEqual({ ok: false, reason: 'invalid_envelope', detail: 'after upcasting: /time must match format "date-time"' });
  });

  it('upcasters that loop (v0 → v00 → v0) end as unsupported_version instead of spinning', () => {
    const table = {
      [V0]: (event: UntypedEvent) => ({ ...event, type: 'authtrail.authn.decision.v00' }),
      'authtrail.authn.decision.v00': (event: UntypedEvent) => ({ ...event, type: V0 }),
    };
    expect(upcast(v0Event({}), table)).toEqual({
      ok: false,
      reason: 'unsupported_version',
      detail: 'upcasters from "authtrail.authn.decision.v0" do not reach a current version',
    });
  });

  it('a chain of upcasters (v00 → v0 → v1) is followed to the current version', () => {
    const table = { 'authtrail.authn.decision.v00': (event: UntypedEvent) => ({ ...event, type: V0 }), [V0]: decisionV0toV1 };
    const result = upcast({ ...v0Event({ outcome: 'success', status: 200, why: 'ok', producer: 'p', seq: 1 }), type: 'authtrail.authn.decision.v00' }, table);
    expect(result.ok && result.event.type).toBe(DECISION_EVENT_TYPE);
  });
});
