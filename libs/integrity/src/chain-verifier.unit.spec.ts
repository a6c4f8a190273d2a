import { ChainVerifier } from './chain-verifier';
import { recordHash } from './chain-writer';
import { CheckpointSigner } from './checkpoint-signer';
import { loadSigningKey, loadVerificationKeys, type SigningKey, type VerificationKeyRing } from './key-ring';
import { ed25519Pem, partitionByPartition, partitionLogs, produceChain, roundRobin, type DeliveredRecord, type ProducedRecord } from './testdata/produced-chain';
import type { FindingKind, VerificationReport } from './verification-report';
import { ChainWriter } from './chain-writer';

const current = ed25519Pem();
const previous = ed25519Pem();
const outsider = ed25519Pem();
const KEY = loadSigningKey({ id: 'k2026', key: current.privatePem });
const OLD_KEY = loadSigningKey({ id: 'k2025', key: previous.privatePem });
const KEYS = loadVerificationKeys([{ id: 'k2026', key: current.publicPem }]);
const BOTH_KEYS = loadVerificationKeys([
  { id: 'k2026', key: current.publicPem },
  { id: 'k2025', key: previous.publicPem },
]);

function verify(delivered: readonly DeliveredRecord[], keys: VerificationKeyRing = KEYS, allowPartialStart = false): VerificationReport {
  const verifier = new ChainVerifier({ keys, allowPartialStart });
  for (const record of delivered) verifier.add(record.value, record.location);
  return verifier.finish();
}

const kinds = (report: VerificationReport) => report.findings.map((finding) => finding.kind);
const chain60 = (key: SigningKey = KEY) => produceChain({ key, events: 60, checkpointEvery: 20 });

/** Replaces the record at chain sequence `sequence` in its log, keeping its offset. */
function withLog(records: readonly ProducedRecord[], edit: (logs: Map<string, DeliveredRecord[]>) => void): DeliveredRecord[] {
  const logs = partitionLogs(records);
  edit(logs);
  return roundRobin(logs);
}

function findLog(logs: Map<string, DeliveredRecord[]>, value: Buffer): { log: DeliveredRecord[]; index: number } {
  for (const log of logs.values()) {
    const index = log.findIndex((record) => record.value === value);
    if (index >= 0) return { log, index };
  }
  throw new Error('record not in any log');
}

describe('ChainVerifier: an untouched chain', () => {
  it('events spread over three decision partitions and the control partition, read in interleaved order, verify without a finding', () => {
    const { records, writer } = chain60();
    const report = verify(roundRobin(partitionLogs(records)));
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    const chain = report.chains[0];
    expect(report.chains).toHaveLength(1);
    expect(chain.chainId).toBe(writer.chainId);
    // 60 events plus a checkpoint after every 20: 63 positions, the last one a checkpoint.
    expect(chain).toMatchObject({ firstSequence: 1, lastSequence: 63, events: 63, checkpoints: 3, anchor: { kind: 'genesis' }, unanchoredTail: null });
    expect(chain.verifiedThrough).toMatchObject({ checkpointSequence: 63, toSequence: 62, keyId: 'k2026' });
  });

  it('reading one partition after the other (the whole chain out of order) changes nothing', () => {
    const report = verify(partitionByPartition(partitionLogs(chain60().records)));
    expect(report.findings).toEqual([]);
    expect(report.chains[0].verifiedThrough?.checkpointSequence).toBe(63);
  });

  it('a byte-identical redelivery of records (a spool replay) is counted as redelivered, not a finding', () => {
    const { records } = chain60();
    // Records 2-4 of every partition were delivered but their acknowledgement was lost: sent again right after.
    const delivered = withLog(records, (logs) => {
      for (const [key, log] of logs) {
        const resent = [...log.slice(0, 5), ...log.slice(2, 5), ...log.slice(5)].map((record, offset) => ({ value: Buffer.from(record.value), location: { ...record.location, offset: String(offset) } }));
        logs.set(key, resent);
      }
    });
    const report = verify(delivered);
    expect(report.findings).toEqual([]);
    expect(report.redelivered).toBe(3 * partitionLogs(records).size);
  });

  it('a spool segment resent from an older checkpoint on (a crash during a spool replay) is redelivery, not a replayed checkpoint', () => {
    const { records } = chain60();
    const delivered = withLog(records, (logs) => {
      const log = logs.get('authtrail.control.v1#0') as DeliveredRecord[];
      const from = log.findIndex((record) => record.value.toString().includes('"chainseq":21,'));
      const resent = log.slice(from).map((record, i) => ({ value: Buffer.from(record.value), location: { ...record.location, offset: String(log.length + i) } }));
      log.push(...resent);
    });
    const report = verify(delivered);
    expect(report.findings).toEqual([]);
    // From checkpoint 21 on, the control partition holds checkpoints 21, 42, 63 and the status events of events 25, 35, 45, 55: 7 records resent.
    expect(report.redelivered).toBe(7);
  });

  it('events after the last checkpoint are reported as an unanchored tail, not as a finding', () => {
    const { records } = produceChain({ key: KEY, events: 45, checkpointEvery: 20, closingCheckpoint: false });
    const report = verify(roundRobin(partitionLogs(records)));
    expect(report.findings).toEqual([]);
    expect(report.chains[0].verifiedThrough?.checkpointSequence).toBe(42);
    expect(report.chains[0].unanchoredTail).toEqual({ fromSequence: 43, toSequence: 47 });
  });

  it('a new boot links its first event and its first checkpoint to the last checkpoint of the previous boot', () => {
    const first = produceChain({ key: KEY, events: 25, checkpointEvery: 10, boot: '019af2b0-0000-7000-8000-000000000001' });
    const lastCheckpoint = first.writer.lastCheckpoint;
    const second = produceChain({ key: KEY, events: 25, checkpointEvery: 10, boot: '019af2b1-0000-7000-8000-000000000002', lastCheckpoint, startOffset: 60_000 });
    const report = verify(roundRobin(partitionLogs([...first.records, ...second.records])));
    expect(report.findings).toEqual([]);
    const secondChain = report.chains.find((chain) => chain.boot === '019af2b1-0000-7000-8000-000000000002');
    expect(secondChain?.anchor).toEqual({ kind: 'checkpoint', chainId: first.writer.chainId, sequence: first.records[first.records.length - 1].sequence });
    expect(lastCheckpoint).toBe(recordHash(first.records[first.records.length - 1].value));
  });

  it('after a key rotation, checkpoints of the old key still verify when both public keys are given', () => {
    const before = produceChain({ key: OLD_KEY, events: 20, checkpointEvery: 10, boot: '019af2b0-0000-7000-8000-000000000001' });
    const after = produceChain({ key: KEY, events: 20, checkpointEvery: 10, boot: '019af2b1-0000-7000-8000-000000000002', lastCheckpoint: before.writer.lastCheckpoint, startOffset: 60_000 });
    const report = verify(roundRobin(partitionLogs([...before.records, ...after.records])), BOTH_KEYS);
    expect(report.findings).toEqual([]);
    expect(report.chains.map((chain) => chain.verifiedThrough?.keyId).sort()).toEqual(['k2025', 'k2026']);
  });

  it('records without chain attributes (written before chaining) are counted as unchained', () => {
    const { records } = chain60();
    const old = Buffer.from(JSON.stringify({ ...JSON.parse(records[0].value.toString()), chainid: undefined, chainseq: undefined, chainprev: undefined }));
    const verifier = new ChainVerifier({ keys: KEYS });
    verifier.add(old, { topic: 'authtrail.decisions.v1', partition: 0, offset: '0' });
    for (const record of roundRobin(partitionLogs(records))) verifier.add(record.value, { ...record.location, offset: `1${record.location.offset}` });
    const report = verifier.finish();
    expect(report.findings).toEqual([]);
    expect(report.unchained).toBe(1);
    expect(report.records).toBe(records.length + 1);
  });

  it('an input that starts mid-chain is no gap with allowPartialStart, and is one without', () => {
    const { records } = chain60();
    const late = records.filter((record) => record.sequence > 21);
    expect(verify(roundRobin(partitionLogs(late)), KEYS, true).findings).toEqual([]);
    const strict = verify(roundRobin(partitionLogs(late)), KEYS, false);
    expect(strict.findings).toEqual([expect.objectContaining({ kind: 'gap', sequence: 1, toSequence: 21 })]);
  });
});

describe('ChainVerifier: attacks are detected and named', () => {
  const { records } = chain60();

  it('a rewritten decision (one field changed, chain attributes kept) breaks the link of the next event', () => {
    const target = records.find((record) => record.sequence === 30) as ProducedRecord;
    const delivered = withLog(records, (logs) => {
      const { log, index } = findLog(logs, target.value);
      log[index] = { ...log[index], value: Buffer.from(target.value.toString().replace('"decision":"allow"', '"decision":"deny"').replace('"decision":"deny","httpStatus":200', '"decision":"deny","httpStatus":401')) };
    });
    expect(delivered.some((record) => record.value.toString().includes('"chainseq":30') && record.value !== target.value)).toBe(true);
    const report = verify(delivered);
    expect(report.findings).toContainEqual(expect.objectContaining({ kind: 'broken_link', sequence: 31 }));
    expect(report.chains[0].verifiedThrough?.checkpointSequence).toBe(21);
  });

  it('a rewritten head event is caught by the link and by the checkpoint head', () => {
    const head = records.find((record) => record.sequence === 41) as ProducedRecord;
    const delivered = withLog(records, (logs) => {
      const { log, index } = findLog(logs, head.value);
      log[index] = { ...log[index], value: Buffer.from(head.value.toString().replace('"latencyMicros":', '"latencyMicros":1')) };
    });
    const report = verify(delivered);
    expect(report.findings).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'broken_link', sequence: 42 }), expect.objectContaining({ kind: 'checkpoint_mismatch', sequence: 42 })]),
    );
  });

  it('a deleted event is a gap at its sequence', () => {
    const target = records.find((record) => record.sequence === 17) as ProducedRecord;
    const delivered = withLog(records, (logs) => {
      const { log, index } = findLog(logs, target.value);
      log.splice(index, 1);
    });
    expect(kinds(verify(delivered))).toEqual(['gap']);
    expect(verify(delivered).findings[0]).toMatchObject({ sequence: 17, toSequence: 17 });
  });

  it('two records of one chain swapped within a partition are reordered', () => {
    const delivered = withLog(records, (logs) => {
      const log = logs.get('authtrail.decisions.v1#1') as DeliveredRecord[];
      const [a, b] = [log[3], log[4]];
      log[3] = { value: b.value, location: a.location };
      log[4] = { value: a.value, location: b.location };
    });
    const report = verify(delivered);
    expect(kinds(report)).toEqual(['reordered']);
    expect(report.findings[0].location?.partition).toBe(1);
  });

  it('a truncated tail whose events a checkpoint covers is a gap that names the checkpoint', () => {
    // Events 50-62 deleted from every partition; the closing checkpoint (63) survives on the control topic.
    const kept = records.filter((record) => record.sequence < 50 || record.sequence === 63);
    const report = verify(roundRobin(partitionLogs(kept)));
    expect(report.findings).toContainEqual(expect.objectContaining({ kind: 'gap', sequence: 50, toSequence: 62, evidence: expect.stringContaining('the checkpoint at sequence 63 covers them') }));
    expect(report.chains[0].verifiedThrough?.checkpointSequence).toBe(42);
  });

  it('a checkpoint forged with another key under the real key id is bad_signature; under its own id it is unknown_key', () => {
    for (const [id, expected] of [
      ['k2026', 'bad_signature'],
      ['mallory', 'unknown_key'],
    ] as const) {
      const forger = loadSigningKey({ id, key: outsider.privatePem });
      // The forger rebuilds the chain from the real events and signs the last range itself.
      const writer = new ChainWriter({ instance: 'authn-0', boot: '019af2b0-0000-7000-8000-000000000001' });
      const signer = new CheckpointSigner({ key: forger, everyEvents: 1000, everyMillis: 3_600_000, startedAt: 0 });
      const forged: ProducedRecord[] = [];
      for (const record of records.filter((r) => r.sequence <= 62)) {
        writer.next();
        if (record.checkpoint) writer.commitCheckpoint(record.value, JSON.parse(record.value.toString()).time);
        else writer.commit(record.value, JSON.parse(record.value.toString()).time);
        forged.push(record);
      }
      const written = signer.checkpoint(writer, { id: '019af2b0-ffff-7000-8000-000000000001', time: new Date('2026-12-06T11:00:00Z'), source: '/authtrail/authn/authn-0' });
      forged.push({ topic: written?.record.topic as string, partition: 0, sequence: 63, checkpoint: true, value: written?.record.value as Buffer });
      const report = verify(roundRobin(partitionLogs(forged)));
      expect(kinds(report)).toEqual([expected]);
      expect(report.chains[0].verifiedThrough?.checkpointSequence).toBe(42);
    }
  });

  it('an old checkpoint published again after a newer one is replayed_checkpoint', () => {
    const old = records.find((record) => record.sequence === 21) as ProducedRecord;
    const delivered = withLog(records, (logs) => {
      const log = logs.get('authtrail.control.v1#0') as DeliveredRecord[];
      log.push({ value: Buffer.from(old.value), location: { topic: 'authtrail.control.v1', partition: 0, offset: String(log.length) } });
    });
    const report = verify(delivered);
    expect(kinds(report)).toEqual(['replayed_checkpoint']);
    expect(report.findings[0].sequence).toBe(21);
  });

  it('an old checkpoint replayed after a newer one and followed by something else is still replayed_checkpoint', () => {
    const control = partitionLogs(records).get('authtrail.control.v1#0') as DeliveredRecord[];
    const old = records.find((record) => record.sequence === 21) as ProducedRecord;
    const delivered = withLog(records, (logs) => {
      const log = logs.get('authtrail.control.v1#0') as DeliveredRecord[];
      log.push({ value: Buffer.from(old.value), location: { topic: 'authtrail.control.v1', partition: 0, offset: String(log.length) } });
      log.push({ value: Buffer.from(control[control.length - 2].value), location: { topic: 'authtrail.control.v1', partition: 0, offset: String(log.length) } });
    });
    expect(kinds(verify(delivered))).toEqual(['replayed_checkpoint']);
  });

  it('tail truncation after the last checkpoint is NOT detectable from the events alone (the documented limit)', () => {
    // Events 43-62 and the closing checkpoint deleted: what is left is a consistent chain ending at checkpoint 42.
    const report = verify(roundRobin(partitionLogs(records.filter((record) => record.sequence <= 42))));
    expect(report.findings).toEqual([]);
    expect(report.chains[0]).toMatchObject({ lastSequence: 42, unanchoredTail: null, verifiedThrough: { checkpointSequence: 42 } });
  });

  it('a different record claiming a taken position is conflicting_record', () => {
    const target = records.find((record) => record.sequence === 33) as ProducedRecord;
    const impostor = Buffer.from(target.value.toString().replace('"latencyMicros":', '"latencyMicros":9'));
    const delivered = withLog(records, (logs) => {
      const { log } = findLog(logs, target.value);
      log.push({ value: impostor, location: { ...log[0].location, offset: String(log.length) } });
    });
    const report = verify(delivered);
    expect(kinds(report)).toEqual(['conflicting_record']);
    expect(report.findings[0]).toMatchObject({ sequence: 33, chainId: report.chains[0].chainId });
  });

  it('a checkpoint whose range disagrees with the events is checkpoint_mismatch, even when correctly signed', () => {
    // A producer bug or a lying key holder: the second checkpoint claims a count that is not its range.
    const writer = new ChainWriter({ instance: 'authn-0', boot: '019af2b0-0000-7000-8000-000000000001' });
    const signer = new CheckpointSigner({ key: KEY, everyEvents: 1000, everyMillis: 3_600_000, startedAt: 0 });
    const rebuilt: ProducedRecord[] = [];
    for (const record of records.filter((r) => r.sequence <= 41)) {
      writer.next();
      if (record.checkpoint) writer.commitCheckpoint(record.value, JSON.parse(record.value.toString()).time);
      else writer.commit(record.value, JSON.parse(record.value.toString()).time);
      rebuilt.push(record);
    }
    const range = writer.pendingRange();
    jest.spyOn(writer, 'pendingRange').mockReturnValue(range && { ...range, count: range.count + 5 });
    const written = signer.checkpoint(writer, { id: '019af2b0-ffff-7000-8000-000000000002', time: new Date('2026-12-06T11:00:00Z'), source: '/authtrail/authn/authn-0' });
    rebuilt.push({ topic: 'authtrail.control.v1', partition: 0, sequence: 42, checkpoint: true, value: written?.record.value as Buffer });
    const report = verify(roundRobin(partitionLogs(rebuilt)));
    expect(kinds(report)).toEqual(['checkpoint_mismatch']);
    expect(report.findings[0].evidence).toContain('count 25 does not match the range 22-41');
  });
});

describe('ChainVerifier: for a long-running consumer', () => {
  it('takeFindings() hands out each finding once, status() shows how far each chain is checked, forget() drops a chain', () => {
    const { records, writer } = chain60();
    const delivered = roundRobin(partitionLogs(records));
    const verifier = new ChainVerifier({ keys: KEYS });
    for (const record of delivered) verifier.add(record.value, record.location);
    expect(verifier.takeFindings()).toEqual([]);
    expect(verifier.status()).toEqual([expect.objectContaining({ chainId: writer.chainId, verifiedThrough: expect.objectContaining({ checkpointSequence: 63 }) })]);
    const fourth = records.find((record) => record.sequence === 4) as ProducedRecord;
    const impostor = Buffer.from(fourth.value.toString().replace('"latencyMicros":', '"latencyMicros":7'));
    verifier.add(impostor, { topic: 'authtrail.decisions.v1', partition: 0, offset: '999' });
    expect(verifier.takeFindings().map((finding) => finding.kind)).toEqual(['conflicting_record']);
    expect(verifier.takeFindings()).toEqual([]);
    verifier.forget(writer.chainId);
    expect(verifier.status()).toEqual([]);
  });
});

describe('ChainVerifier: links read before (the projector)', () => {
  /** Feeds like the projector: checkpoints with their bytes, every other record as the link it keeps. */
  function feedLinks(verifier: ChainVerifier, delivered: readonly DeliveredRecord[]): void {
    for (const { value, location } of delivered) {
      const event = JSON.parse(value.toString()) as { type: string; time: string; chainid: string; chainseq: number; chainprev: string };
      if (event.type === 'authtrail.control.integrity.checkpoint.v1') verifier.add(value, location);
      else verifier.addLink({ position: { chainid: event.chainid, chainseq: event.chainseq, chainprev: event.chainprev }, type: event.type, time: event.time, hash: recordHash(value) }, location);
    }
  }

  it('links and checkpoints fed apart verify exactly as the records do', () => {
    const { records } = chain60();
    const delivered = roundRobin(partitionLogs(records));
    const verifier = new ChainVerifier({ keys: KEYS });
    feedLinks(verifier, delivered);
    const report = verifier.finish();
    expect(report).toEqual(verify(delivered));
    expect(report.findings).toEqual([]);
    expect(report.chained).toBe(records.length);
  });

  it('a link whose hash is not that of the record the next one links to is a broken link', () => {
    const { records } = chain60();
    const delivered = roundRobin(partitionLogs(records));
    const target = records.find((record) => record.sequence === 5) as ProducedRecord;
    const verifier = new ChainVerifier({ keys: KEYS });
    feedLinks(verifier, delivered.map((record) => (record.value === target.value ? { ...record, value: Buffer.concat([target.value, Buffer.from(' ')]) } : record)));
    expect(kinds(verifier.finish())).toContain('broken_link');
  });

  it('a checkpoint fed as a link is refused: its signature needs its bytes', () => {
    const verifier = new ChainVerifier({ keys: KEYS });
    const link = { position: { chainid: 'a/0190f3a4-7b1c-7def-8abc-0123456789ab', chainseq: 1, chainprev: '0'.repeat(64) }, type: 'authtrail.control.integrity.checkpoint.v1', time: undefined, hash: '1'.repeat(64) };
    expect(() => verifier.addLink(link, {})).toThrow('a checkpoint is fed with add()');
  });

  it('waiting() shows a missing position while later ones wait; settle() names the gap, and a late arrival does not undo it', () => {
    const { records, writer } = chain60();
    const missing = records.find((record) => record.sequence === 30) as ProducedRecord;
    // A slow partition: the one holding sequence 30 is read only up to it, the others to the end.
    const logs = partitionLogs(records);
    const { log, index } = findLog(logs, missing.value);
    const late = log.splice(index);
    const verifier = new ChainVerifier({ keys: KEYS });
    feedLinks(verifier, roundRobin(logs));
    const [waiting] = verifier.waiting();
    expect(waiting).toMatchObject({ chainId: writer.chainId, missingFrom: 30 });
    expect(waiting?.waitingPositions).toBe(63 - 29 - late.length);
    expect(verifier.takeFindings()).toEqual([]);
    verifier.settle(writer.chainId);
    // Every position still in the slow partition is named, and nothing else.
    const gaps = verifier.takeFindings();
    expect(new Set(gaps.map((finding) => finding.kind))).toEqual(new Set(['gap']));
    const named = gaps.flatMap((gap) => Array.from({ length: (gap.toSequence ?? 0) - (gap.sequence ?? 0) + 1 }, (_, i) => (gap.sequence ?? 0) + i));
    const lateSequences = late.map((record) => (JSON.parse(record.value.toString()) as { chainseq: number }).chainseq);
    expect(named.sort((a, b) => a - b)).toEqual(lateSequences.sort((a, b) => a - b));
    expect(verifier.waiting()).toEqual([]);
    // The slow partition catches up, in its order: no further finding, nothing left waiting.
    feedLinks(verifier, late);
    expect(verifier.waiting()).toEqual([]);
    expect(verifier.takeFindings()).toEqual([]);
    expect(verifier.status()[0]?.verifiedThrough?.checkpointSequence).toBe(21);
  });
});

describe('ChainVerifier: a checkpoint copy that ends its partition (long-running consumer)', () => {
  it('stays suspected until the next record of its partition decides, or settleReplay() names it', () => {
    const { records, writer } = chain60();
    const logs = partitionLogs(records);
    const control = [...logs.entries()].find(([key]) => key.startsWith('authtrail.control'))?.[1] as DeliveredRecord[];
    const first = control.find((record) => (JSON.parse(record.value.toString()) as { type: string }).type === 'authtrail.control.integrity.checkpoint.v1') as DeliveredRecord;
    control.push({ value: first.value, location: { ...first.location, offset: String(control.length) } });
    const verifier = new ChainVerifier({ keys: KEYS });
    for (const record of roundRobin(logs)) verifier.add(record.value, record.location);
    expect(verifier.takeFindings()).toEqual([]);
    const [suspect] = verifier.suspectedReplays();
    expect(suspect).toMatchObject({ chainId: writer.chainId, sequence: 21 });
    verifier.settleReplay(suspect?.partition ?? '');
    expect(verifier.takeFindings()).toEqual([expect.objectContaining({ kind: 'replayed_checkpoint', sequence: 21 })]);
    expect(verifier.suspectedReplays()).toEqual([]);
  });
});

describe('ChainVerifier: volume', () => {
  it('a chain whose first record is missing buffers the rest and names one gap at the end, without running out of stack', () => {
    const writer = new ChainWriter({ instance: 'authn-0', boot: '019af2b0-0000-7000-8000-000000000001' });
    const verifier = new ChainVerifier({ keys: KEYS });
    const count = 120_000;
    for (let n = 1; n <= count; n += 1) {
      const value = Buffer.from(JSON.stringify({ type: 'authtrail.authn.decision.v1', time: '2026-12-06T10:00:00.000Z', ...writer.next() }));
      writer.commit(value, '2026-12-06T10:00:00.000Z');
      if (n > 1) verifier.add(value, { topic: 'authtrail.decisions.v1', partition: 0, offset: String(n) });
    }
    const report = verifier.finish();
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'gap', sequence: 1, toSequence: 1 })]);
    expect(report.chains[0]).toMatchObject({ firstSequence: 2, lastSequence: count, events: count - 1 });
  });
});

describe('ChainVerifier: malformed input is a finding, never a crash', () => {
  const { records } = chain60();
  const at = { topic: 'authtrail.decisions.v1', partition: 0, offset: '99' };
  const cases: ReadonlyArray<readonly [string, Buffer | null, FindingKind, string]> = [
    ['a tombstone', null, 'malformed_record', 'no value'],
    ['a value that is not JSON', Buffer.from('{"specversion":'), 'malformed_record', 'not JSON'],
    ['a JSON array', Buffer.from('[1,2]'), 'malformed_record', 'not a JSON object'],
    ['a chainseq that is a string', Buffer.from('{"chainid":"a/019af2b0-0000-7000-8000-000000000001","chainseq":"1","chainprev":"' + '0'.repeat(64) + '"}'), 'malformed_record', 'chainseq'],
    ['a chainid without a boot', Buffer.from('{"chainid":"authn-0","chainseq":1,"chainprev":"' + '0'.repeat(64) + '"}'), 'malformed_record', 'chainid'],
    ['a chainprev in upper case', Buffer.from('{"chainid":"a/019af2b0-0000-7000-8000-000000000001","chainseq":1,"chainprev":"' + 'A'.repeat(64) + '"}'), 'malformed_record', 'chainprev'],
    ['only one chain attribute', Buffer.from('{"chainseq":4}'), 'malformed_record', 'chainid'],
  ];
  it.each(cases)('%s', (_name, value, kind, evidence) => {
    const verifier = new ChainVerifier({ keys: KEYS });
    verifier.add(value, at);
    const report = verifier.finish();
    expect(report.findings).toEqual([expect.objectContaining({ kind, evidence: expect.stringContaining(evidence) })]);
  });

  it('a checkpoint whose signature is not base64url is malformed (its schema refuses it)', () => {
    const checkpoint = records.find((record) => record.sequence === 21) as ProducedRecord;
    const event = JSON.parse(checkpoint.value.toString());
    event.data.signature = `${'!'.repeat(86)}`;
    const delivered = withLog(records, (logs) => {
      const { log, index } = findLog(logs, checkpoint.value);
      log[index] = { ...log[index], value: Buffer.from(JSON.stringify(event)) };
    });
    const report = verify(delivered);
    // The schema refuses the signature text: the checkpoint is malformed, and its changed bytes break the next link.
    expect(kinds(report)).toEqual(expect.arrayContaining(['malformed_record', 'broken_link']));
  });

  it('a checkpoint whose signature is base64url of the wrong bytes is bad_signature', () => {
    const checkpoint = records.find((record) => record.sequence === 63) as ProducedRecord;
    const event = JSON.parse(checkpoint.value.toString());
    event.data.signature = Buffer.alloc(64, 7).toString('base64url');
    const delivered = withLog(records, (logs) => {
      const { log, index } = findLog(logs, checkpoint.value);
      log[index] = { ...log[index], value: Buffer.from(JSON.stringify(event)) };
    });
    expect(kinds(verify(delivered))).toEqual(['bad_signature']);
  });

  it('add() after finish() is a programming error', () => {
    const verifier = new ChainVerifier({ keys: KEYS });
    verifier.finish();
    expect(() => verifier.add(Buffer.from('{}'), at)).toThrow('add() after finish()');
  });
});
