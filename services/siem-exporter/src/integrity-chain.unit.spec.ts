// Issue #21 item 7: what reaches a SIEM lets it check the integrity chain and anchor it off-host.
// OCSF and ECS documents carry each event's chain position; a checkpoint carries its signed
// CloudEvent, which verifies with the producer's public key exactly as the original record does.
import { generateKeyPairSync } from 'node:crypto';
import { DEFAULT_SIEM_PRODUCT, decisionEvent, encodeEvent, TOPICS, toEcs, toOcsf, type AuthtrailEvent, type DecisionData } from '@authtrail/events';
import { ChainVerifier, ChainWriter, CheckpointSigner, loadSigningKey, verificationKeysOf } from '@authtrail/integrity';

const BOOT = '0194a1b2-c3d4-7e5f-8a9b-00000000000b';
const options = { product: DEFAULT_SIEM_PRODUCT, drop: [] };
const signing = loadSigningKey({ id: 'siem-test', key: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
const keys = verificationKeysOf([signing]);

/** Two decisions and the checkpoint over them, chained as a producer publishes them. */
function producedChain(): { event: AuthtrailEvent; value: Buffer }[] {
  const writer = new ChainWriter({ instance: 'authn-s', boot: BOOT });
  const signer = new CheckpointSigner({ key: signing, everyEvents: 2, everyMillis: 60_000, startedAt: Date.now() });
  const produced: { event: AuthtrailEvent; value: Buffer }[] = [];
  for (const n of [1, 2]) {
    const data: DecisionData = { decision: 'deny', httpStatus: 401, reason: 'unknown_token', attempts: [], request: { endpoint: 'tokenreview', sourceIp: '192.0.2.9' }, instance: 'authn-s', sequence: n };
    const event = { ...decisionEvent({ id: `0194a1b2-c3d4-7e5f-8a9b-00000000010${n}`, time: new Date(), source: '/authtrail/authn/authn-s', data }), ...writer.next() };
    const value = encodeEvent(event);
    writer.commit(value, event.time);
    produced.push({ event, value });
  }
  const checkpoint = signer.checkpoint(writer, { id: '0194a1b2-c3d4-7e5f-8a9b-000000000109', time: new Date(), source: '/authtrail/authn/authn-s' });
  if (!checkpoint) throw new Error('no checkpoint was due');
  produced.push({ event: checkpoint.event as AuthtrailEvent, value: checkpoint.record.value });
  return produced;
}

/** authtrail's own fields of a document: OCSF `unmapped.authtrail`, ECS `Authtrail`. */
const ocsfFields = (event: AuthtrailEvent) => (toOcsf(event, options) as unknown as { unmapped: { authtrail: Record<string, unknown> } }).unmapped.authtrail;
const ecsFields = (event: AuthtrailEvent) => (toEcs(event, options) as unknown as { Authtrail: Record<string, unknown> }).Authtrail;

it('OCSF and ECS documents carry each event\'s chain position', () => {
  for (const { event } of producedChain()) {
    const position = { id: `authn-s/${BOOT}`, sequence: event.chainseq, previous: event.chainprev };
    expect(ocsfFields(event)['chain']).toEqual(position);
    expect(ecsFields(event)['chain']).toEqual(position);
  }
});

it('the checkpoint a SIEM received verifies with the public key; one changed field in it does not', () => {
  const produced = producedChain();
  const [first, second, checkpoint] = produced as [(typeof produced)[0], (typeof produced)[0], (typeof produced)[0]];
  const verify = (checkpointBytes: Buffer) => {
    const verifier = new ChainVerifier({ keys });
    [first.value, second.value, checkpointBytes].forEach((value, offset) => verifier.add(value, { topic: TOPICS.control, partition: 0, offset: String(offset) }));
    return verifier.finish();
  };
  for (const fields of [ocsfFields(checkpoint.event), ecsFields(checkpoint.event)]) {
    const signed = fields['cloudEvent'] as { data: { toSequence: number; head: string } };
    expect(signed.data.toSequence).toBe(2);
    const report = verify(Buffer.from(JSON.stringify(signed), 'utf8'));
    expect(report.findings).toEqual([]);
    expect(report.chains[0]?.verifiedThrough?.checkpointSequence).toBe(3);
    const forged = { ...signed, data: { ...signed.data, toSequence: 1 } };
    expect(verify(Buffer.from(JSON.stringify(forged), 'utf8')).findings.length).toBeGreaterThan(0);
  }
});
