// Issue #21 item 2: graphql-api serves the public keys its integrity checkpoints verify with,
// through GraphQL (`integrityKeys`) and `GET /v1/integrity/keys`; the keys it answers verify what
// its producer boot actually published (its callers' decisions, its status, a checkpoint).
import { createTestDatabase } from '@authtrail/testing';
import { TOPICS } from '@authtrail/events';
import { ChainVerifier, keyInputsOfJwks, loadVerificationKeys } from '@authtrail/integrity';
import { startTestApi, type TestApi } from './testdata/test-api.fixture';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi(await createTestDatabase('graphql_integrity_keys'));
});

afterAll(async () => {
  await api?.close();
});

it('integrityKeys and /v1/integrity/keys answer the key that verifies the chain this instance published', async () => {
  const { body } = await api.gql<{ integrityKeys: { kid: string; kty: string; crv: string; x: string; alg: string; use: string }[] }>('{ integrityKeys { kid kty crv x alg use } }');
  expect(body.errors).toBeUndefined();
  const keys = body.data?.integrityKeys ?? [];
  expect(keys).toEqual([expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' })]);
  const rest = (await (await fetch(`${api.url}/v1/integrity/keys`)).json()) as { keys: unknown[] };
  expect(rest).toEqual({ keys });

  // The query above was itself a decision of this instance: sign what it published so far.
  await api.authentication.events.checkpoint();
  const verifier = new ChainVerifier({ keys: loadVerificationKeys(keyInputsOfJwks({ keys })) });
  for (const topic of [TOPICS.decisions, TOPICS.control]) {
    await api.bus.subscriber.readToEnd(topic, (record) => verifier.add(record.value, { topic, partition: record.partition, offset: record.offset }));
  }
  const report = verifier.finish();
  expect(report.findings).toEqual([]);
  const chain = report.chains.find((c) => c.instance.startsWith('graphql-api@'));
  expect(chain?.verifiedThrough?.keyId).toBe(keys[0]?.kid);
  expect(chain?.verifiedThrough?.checkpointSequence).toBe(chain?.lastSequence);
});
