import type { BusRecord, Publisher } from '@authtrail/event-bus';
import { TOPICS } from '@authtrail/events';
import { plannedDeliveryPublisher } from './planned-delivery';
import { parseTrafficPlan } from './traffic-plan';

const request = { time: '2026-11-28T10:00:00Z', method: 'GET', url: '/v1/forward-auth', headers: { authorization: 'Bearer x' }, remoteAddress: '10.0.0.1' };

describe('parseTrafficPlan', () => {
  it('accepts a plan of boots, requests and control events', () => {
    const plan = { configFile: '/tmp/a.yaml', boots: [{ requests: [request, { ...request, delivery: 'lost' }] }], control: [{ time: '2026-11-28T11:00:00Z', type: 'credential-revoked', data: { revocationId: 'r', revokedBy: 'ada', jti: 'j' } }] };
    expect(parseTrafficPlan(plan)).toEqual(plan);
  });

  it.each([
    ['a missing config file', { boots: [] }, 'plan.configFile'],
    ['an unknown top-level key', { configFile: 'a', boots: [], extra: 1 }, 'plan.extra: unknown key'],
    ['a request without a method', { configFile: 'a', boots: [{ requests: [{ url: '/x' }] }] }, 'plan.boots[0].requests[0].method'],
    ['a relative url', { configFile: 'a', boots: [{ requests: [{ ...request, url: 'x' }] }] }, 'plan.boots[0].requests[0].url'],
    ['a time that is not a time', { configFile: 'a', boots: [{ requests: [{ ...request, time: 'noon' }] }] }, 'plan.boots[0].requests[0].time'],
    ['a misspelt request key', { configFile: 'a', boots: [{ requests: [{ ...request, header: {} }] }] }, 'plan.boots[0].requests[0].header: unknown key'],
    ['an unknown delivery', { configFile: 'a', boots: [{ requests: [{ ...request, delivery: 'maybe' }] }] }, 'plan.boots[0].requests[0].delivery'],
    ['a non-string header', { configFile: 'a', boots: [{ requests: [{ ...request, headers: { a: 1 } }] }] }, 'plan.boots[0].requests[0].headers'],
    ['an unknown control type', { configFile: 'a', boots: [], control: [{ time: '2026-11-28T11:00:00Z', type: 'nope', data: {} }] }, 'plan.control[0].type'],
  ])('refuses %s, naming the path', (_name, plan, path) => {
    expect(() => parseTrafficPlan(plan)).toThrow(path);
  });
});

describe('plannedDeliveryPublisher', () => {
  const record = (topic: string): BusRecord => ({ topic, key: 'k', value: Buffer.from('{}') });

  function inner(): Publisher & { records: BusRecord[] } {
    const records: BusRecord[] = [];
    return {
      records,
      publish: async (r) => (records.push(r), { dropped: false }),
      flush: async () => undefined,
      close: async () => undefined,
      stats: () => ({ published: records.length, acknowledged: records.length, buffered: 0, spooled: 0, spoolBytes: 0, dropped: 0 }),
    };
  }

  it('passes delivered events, swallows lost ones as accepted, refuses dropped ones as full (and counts them)', async () => {
    const bus = inner();
    const publisher = plannedDeliveryPublisher(bus);
    expect(await publisher.publish(record(TOPICS.decisions))).toEqual({ dropped: false });
    publisher.setDelivery('lost');
    expect(await publisher.publish(record(TOPICS.decisions))).toEqual({ dropped: false });
    publisher.setDelivery('dropped');
    expect(await publisher.publish(record(TOPICS.decisions))).toEqual({ dropped: true });
    expect(bus.records).toHaveLength(1);
    expect(publisher.stats().dropped).toBe(1);
  });

  it('never loses control events (producer status, policy): only decision events are planned', async () => {
    const bus = inner();
    const publisher = plannedDeliveryPublisher(bus);
    publisher.setDelivery('lost');
    await publisher.publish(record(TOPICS.control));
    publisher.setDelivery('dropped');
    expect(await publisher.publish(record(TOPICS.control))).toEqual({ dropped: false });
    expect(bus.records.map((r) => r.topic)).toEqual([TOPICS.control, TOPICS.control]);
  });
});
