// Any single byte changed anywhere in a checkpointed chain is found: every record is either
// linked to by its successor or is a signed checkpoint whose every byte the signature covers.
import fc from 'fast-check';
import { ChainVerifier } from './chain-verifier';
import { loadSigningKey, loadVerificationKeys } from './key-ring';
import { ed25519Pem, partitionLogs, produceChain, roundRobin } from './testdata/produced-chain';

const pem = ed25519Pem();
const KEY = loadSigningKey({ id: 'k1', key: pem.privatePem });
const KEYS = loadVerificationKeys([{ id: 'k1', key: pem.publicPem }]);
const { records } = produceChain({ key: KEY, events: 24, checkpointEvery: 10 });
const delivered = roundRobin(partitionLogs(records));

describe('ChainVerifier: single-byte mutations (property)', () => {
  it('the untouched chain has no finding (the property below starts from a clean chain)', () => {
    const verifier = new ChainVerifier({ keys: KEYS });
    for (const record of delivered) verifier.add(record.value, record.location);
    expect(verifier.finish().findings).toEqual([]);
  });

  it('changing any one byte of any record yields at least one finding', () => {
    fc.assert(
      fc.property(fc.nat({ max: delivered.length - 1 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: 1, max: 255 }), (which, where, delta) => {
        const target = delivered[which].value;
        const offset = Math.floor(where * target.length);
        const mutated = Buffer.from(target);
        mutated[offset] = (mutated[offset] + delta) % 256;
        const verifier = new ChainVerifier({ keys: KEYS });
        for (const [index, record] of delivered.entries()) verifier.add(index === which ? mutated : record.value, record.location);
        expect(verifier.finish().findings.length).toBeGreaterThan(0);
      }),
      { numRuns: 400 },
    );
  });

  it('changing a byte of the closing checkpoint, which nothing links to, is found at every offset', () => {
    const last = delivered.findIndex((record) => record.value === records[records.length - 1].value);
    const target = delivered[last].value;
    for (let offset = 0; offset < target.length; offset += 1) {
      const mutated = Buffer.from(target);
      mutated[offset] = mutated[offset] ^ 0x01;
      const verifier = new ChainVerifier({ keys: KEYS });
      for (const [index, record] of delivered.entries()) verifier.add(index === last ? mutated : record.value, record.location);
      const findings = verifier.finish().findings;
      if (findings.length === 0) throw new Error(`flipping the low bit at offset ${offset} of the closing checkpoint went unnoticed`);
    }
  });

  it('arbitrary bytes and arbitrary chain attributes never make it throw (property)', () => {
    const attribute = fc.oneof(fc.constant(undefined), fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant('authn-0/019af2b0-0000-7000-8000-000000000001'), fc.constant('0'.repeat(64)));
    const chainedObject = fc.record({ type: fc.oneof(fc.string(), fc.constant('authtrail.control.integrity.checkpoint.v1'), fc.constant('authtrail.authn.decision.v1')), chainid: attribute, chainseq: fc.oneof(attribute, fc.nat({ max: 5 })), chainprev: attribute, data: fc.jsonValue() });
    const input = fc.oneof(fc.uint8Array({ maxLength: 120 }).map((bytes) => Buffer.from(bytes)), chainedObject.map((object) => Buffer.from(JSON.stringify(object))), fc.constant(null));
    fc.assert(
      fc.property(fc.array(fc.tuple(input, fc.option(fc.nat({ max: 3 }), { nil: undefined })), { maxLength: 12 }), (records) => {
        const verifier = new ChainVerifier({ keys: KEYS });
        records.forEach(([value, partition], offset) => verifier.add(value, { topic: 't', partition, offset: String(offset) }));
        const report = verifier.finish();
        expect(report.records).toBe(records.length);
      }),
    );
  });
});
