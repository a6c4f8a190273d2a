import { createHash, verify } from 'node:crypto';
import { DECISION_EVENT_TYPE, INTEGRITY_CHECKPOINT_EVENT_TYPE, decodeEvent, validateEvent } from '@authtrail/events';
import { GENESIS_LINK } from './chain-position';
import { ChainWriter, ChainWriterError } from './chain-writer';
import { CheckpointSigner } from './checkpoint-signer';
import { loadSigningKey, verificationKeysOf } from './key-ring';
import { ed25519Pem, produceChain } from './testdata/produced-chain';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const KEY = loadSigningKey({ id: 'k1', key: ed25519Pem().privatePem });
const BOOT = '019af2b0-0000-7000-8000-000000000001';
const origin = (ms: number) => ({ id: '019af2b0-0000-7000-8000-00000000aaaa', time: new Date(ms), source: '/authtrail/authn/authn-0' });

describe('ChainWriter', () => {
  it('numbers events from 1 and links each to the SHA-256 of the bytes committed before it, the first to genesis', () => {
    const writer = new ChainWriter({ instance: 'authn-0', boot: BOOT });
    const values = ['{"a":1}', '{"b":2}', '{"c":3}'].map((text) => Buffer.from(text));
    const positions = values.map((value, i) => {
      const position = writer.next();
      writer.commit(value, `2026-12-06T10:00:0${i}.000Z`);
      return position;
    });
    expect(positions).toEqual([
      { chainid: `authn-0/${BOOT}`, chainseq: 1, chainprev: '0'.repeat(64) },
      { chainid: `authn-0/${BOOT}`, chainseq: 2, chainprev: sha256(values[0]) },
      { chainid: `authn-0/${BOOT}`, chainseq: 3, chainprev: sha256(values[1]) },
    ]);
    expect(writer.lastSequence).toBe(3);
    expect(writer.pendingRange()).toEqual({ fromSequence: 1, toSequence: 3, count: 3, head: sha256(values[2]), firstTime: '2026-12-06T10:00:00.000Z', lastTime: '2026-12-06T10:00:02.000Z', previousCheckpoint: null });
  });

  it('a new boot starts from the last checkpoint of the previous one', () => {
    const last = sha256(Buffer.from('checkpoint'));
    const writer = new ChainWriter({ instance: 'authn-0', boot: BOOT, lastCheckpoint: last });
    expect(writer.next().chainprev).toBe(last);
    expect(writer.lastCheckpoint).toBe(last);
    expect(GENESIS_LINK).toBe('0'.repeat(64));
  });

  it('refuses a second next() before commit(), a commit() without next(), and a malformed lastCheckpoint', () => {
    const writer = new ChainWriter({ instance: 'authn-0', boot: BOOT });
    expect(() => writer.commit(Buffer.from('{}'), 't')).toThrow(ChainWriterError);
    writer.next();
    expect(() => writer.next()).toThrow('next() called twice');
    writer.release();
    expect(writer.next().chainseq).toBe(1);
    expect(() => new ChainWriter({ instance: 'a', boot: BOOT, lastCheckpoint: 'ABC' })).toThrow('lastCheckpoint must be 64 lower-case hex digits');
  });

  it('has nothing to checkpoint before the first event', () => {
    const writer = new ChainWriter({ instance: 'authn-0', boot: BOOT });
    expect(writer.pendingRange()).toBeUndefined();
    expect(new CheckpointSigner({ key: KEY, startedAt: 0 }).checkpoint(writer, origin(0))).toBeUndefined();
  });
});

describe('CheckpointSigner', () => {
  function writerWith(events: number): { writer: ChainWriter; values: Buffer[] } {
    const writer = new ChainWriter({ instance: 'authn-0', boot: BOOT });
    const values: Buffer[] = [];
    for (let i = 0; i < events; i += 1) {
      writer.next();
      const value = Buffer.from(`{"n":${i}}`);
      writer.commit(value, `2026-12-06T10:00:${String(i).padStart(2, '0')}.000Z`);
      values.push(value);
    }
    return { writer, values };
  }

  it('is due after everyEvents events, or everyMillis after the last checkpoint when something happened', () => {
    const signer = new CheckpointSigner({ key: KEY, everyEvents: 3, everyMillis: 1000, startedAt: 5000 });
    expect(signer.due(writerWith(0).writer, 99_999)).toBe(false);
    expect(signer.due(writerWith(2).writer, 5999)).toBe(false);
    expect(signer.due(writerWith(2).writer, 6000)).toBe(true);
    expect(signer.due(writerWith(3).writer, 5000)).toBe(true);
    const { writer } = writerWith(1);
    signer.checkpoint(writer, origin(7000));
    expect(signer.due(writer, 7999)).toBe(false);
  });

  it('writes a checkpoint of the range, signed over the RFC 8785 form of the event without the signature, that joins the chain', () => {
    const { writer, values } = writerWith(4);
    const written = new CheckpointSigner({ key: KEY, startedAt: 0 }).checkpoint(writer, origin(Date.parse('2026-12-06T10:01:00.000Z')));
    if (!written) throw new Error('no checkpoint');
    const { event, record } = written;
    expect(event.data).toMatchObject({ chainId: `authn-0/${BOOT}`, instance: 'authn-0', boot: BOOT, fromSequence: 1, toSequence: 4, count: 4, head: sha256(values[3]), firstTime: '2026-12-06T10:00:00.000Z', lastTime: '2026-12-06T10:00:03.000Z', previousCheckpoint: null, keyId: 'k1' });
    expect(event).toMatchObject({ type: INTEGRITY_CHECKPOINT_EVENT_TYPE, subject: 'producer:authn-0', chainid: `authn-0/${BOOT}`, chainseq: 5, chainprev: sha256(values[3]) });
    expect(record).toMatchObject({ topic: 'authtrail.control.v1', key: 'producer:authn-0', headers: { 'content-type': 'application/cloudevents+json' } });
    expect(record.value.toString()).toBe(JSON.stringify(event));
    expect(validateEvent(event)).toEqual({ ok: true });
    expect(decodeEvent(record.value)).toMatchObject({ ok: true });

    // The signed bytes, written independently: every member sorted, no whitespace (JCS for strings, integers and null).
    const parsed = JSON.parse(record.value.toString());
    delete parsed.data.signature;
    const sorted = JSON.stringify(parsed, (_key, value) => (value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))) : value));
    const publicKey = verificationKeysOf([KEY]).get('k1');
    expect(verify(null, Buffer.from(sorted), publicKey as never, Buffer.from(event.data.signature, 'base64url'))).toBe(true);

    // The next range starts after the checkpoint and names it.
    expect(writer.lastCheckpoint).toBe(sha256(record.value));
    writer.next();
    writer.commit(Buffer.from('{"n":9}'), '2026-12-06T10:02:00.000Z');
    expect(writer.pendingRange()).toMatchObject({ fromSequence: 6, toSequence: 6, count: 1, previousCheckpoint: sha256(record.value) });
  });

  it('chained decision events still decode as decision events (the envelope takes the extension attributes)', () => {
    const { records } = produceChain({ key: KEY, events: 3, checkpointEvery: 10 });
    const decoded = decodeEvent(records[0].value);
    expect(decoded).toMatchObject({ ok: true, event: { type: DECISION_EVENT_TYPE, chainseq: 1, chainprev: GENESIS_LINK } });
  });

  it('refuses nonsense intervals', () => {
    expect(() => new CheckpointSigner({ key: KEY, everyEvents: 0, startedAt: 0 })).toThrow('everyEvents');
    expect(() => new CheckpointSigner({ key: KEY, everyMillis: 0, startedAt: 0 })).toThrow('everyMillis');
  });
});
