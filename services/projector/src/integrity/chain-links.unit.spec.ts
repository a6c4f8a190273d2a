import { createHash } from 'node:crypto';
import { DECISION_EVENT_TYPE, INTEGRITY_CHECKPOINT_EVENT_TYPE } from '@authtrail/events';
import type { ConsumedRecord } from '@authtrail/event-bus';
import fc from 'fast-check';
import { linkOfUndecodable } from './chain-links';

const record = (value: Buffer | null): ConsumedRecord => ({ topic: 'authtrail.decisions.v1', partition: 2, offset: '41', key: null, value, headers: {}, timestamp: '0' });
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const CHAIN_ID = 'authn-0/019af2b0-0000-7000-8000-000000000001';

describe('the link of a record the projector could not decode', () => {
  it('any bytes: never throws; a link names its problem or carries a chain position, and hashes the bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.jsonValue().map((json) => new TextEncoder().encode(JSON.stringify(json) ?? ''))), (bytes) => {
        const value = Buffer.from(bytes);
        const link = linkOfUndecodable(record(value));
        if (link === undefined) return;
        expect(link).toMatchObject({ topic: 'authtrail.decisions.v1', partition: 2, offset: '41' });
        expect(link.hash).toBe(sha256(value));
        expect(link.problem !== null || link.chainId !== null).toBe(true);
      }),
    );
  });

  it('a JSON object with the chain attributes keeps its position, type and time; only a checkpoint keeps its bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes).toString('hex')), fc.constantFrom(DECISION_EVENT_TYPE, INTEGRITY_CHECKPOINT_EVENT_TYPE), (sequence, previous, type) => {
        const chainprev = previous.toLowerCase();
        const value = Buffer.from(JSON.stringify({ type, time: '2026-12-06T10:00:00.000Z', chainid: CHAIN_ID, chainseq: sequence, chainprev, data: { not: 'valid' } }));
        expect(linkOfUndecodable(record(value))).toEqual({
          topic: 'authtrail.decisions.v1',
          partition: 2,
          offset: '41',
          chainId: CHAIN_ID,
          sequence,
          previous: chainprev,
          hash: sha256(value),
          eventType: type,
          eventTime: '2026-12-06T10:00:00.000Z',
          record: type === INTEGRITY_CHECKPOINT_EVENT_TYPE ? value : null,
          problem: null,
        });
      }),
    );
  });

  it.each([
    ['a tombstone', null, 'the record has no value (a tombstone)'],
    ['text that is not JSON', Buffer.from('{"chainid": '), 'is not JSON'],
    ['a JSON array', Buffer.from('[1,2]'), 'is not a JSON object'],
    ['a chain id without a boot', Buffer.from(JSON.stringify({ chainid: 'authn-0', chainseq: 1, chainprev: '0'.repeat(64) })), 'chainid must be'],
    ['a sequence of zero', Buffer.from(JSON.stringify({ chainid: CHAIN_ID, chainseq: 0, chainprev: '0'.repeat(64) })), 'chainseq must be'],
  ])('%s is a link with its problem named, no position', (_name, value, problem) => {
    const link = linkOfUndecodable(record(value));
    expect(link?.problem).toContain(problem);
    expect(link?.chainId).toBeNull();
  });

  it('a JSON object without chain attributes (an event from before chaining) leaves no link', () => {
    expect(linkOfUndecodable(record(Buffer.from(JSON.stringify({ type: DECISION_EVENT_TYPE, data: {} }))))).toBeUndefined();
  });
});
