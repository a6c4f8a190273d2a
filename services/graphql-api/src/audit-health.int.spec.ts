// auditHealth through the production path: two boots of the same authn instance (a restart),
// the second losing one decision event in transit and having one refused by a full bus. Each
// boot is counted on its own: the restart hides nothing, and the producer's own drop is told
// apart from a loss it could not know about.
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type FillResult, type PlannedRequest } from '@authtrail/testing';
import { startTestApi, type TestApi } from './testdata/test-api.fixture';
import { createTrafficEnvironment, fillReadModel, type TrafficEnvironment } from './testdata/traffic.fixture';

const T0 = new Date('2026-11-28T10:00:00.000Z');
const BOB = randomBytes(24).toString('base64url');

let api: TestApi;
let traffic: TrafficEnvironment;
let filled: FillResult;

const bob = (minute: number, delivery: PlannedRequest['delivery'] = 'delivered'): PlannedRequest => ({
  time: new Date(T0.getTime() + minute * 60_000).toISOString(),
  method: 'GET',
  url: '/v1/forward-auth',
  remoteAddress: '10.1.2.3',
  headers: { authorization: `Bearer ${BOB}` },
  delivery,
});

/** Boot 1: three decisions, all delivered. Boot 2: #1 delivered, #2 refused (bus full), #3 delivered, #4 lost after the bus took it. */
const BOOTS = [{ requests: [bob(0), bob(1), bob(2)] }, { requests: [bob(10), bob(11, 'dropped'), bob(12), bob(13, 'lost')] }];

beforeAll(async () => {
  const url = await createTestDatabase('graphql_audit_health');
  traffic = createTrafficEnvironment('authn-restarted');
  const configFile = traffic.writeConfig([`{ id: static-token, tokenFile: ${JSON.stringify(traffic.file('tokens.csv', `${BOB},bob,uid-bob,"ops"\n`))} }`]);
  filled = await fillReadModel(url, { configFile, boots: BOOTS }, traffic);
  api = await startTestApi(url);
}, 120_000);

afterAll(async () => {
  await api?.close();
  traffic?.close();
});

interface Producer {
  instance: string;
  boot: string | null;
  minSequence: string;
  maxSequence: string;
  lastSequence: string;
  received: number;
  missing: number;
  dropped: number;
  state: string | null;
  firstSeen: string;
}

it('every request was answered: a lost or refused event never fails the request (buffered mode)', () => {
  expect(filled.boots.map((b) => b.map((r) => r.status))).toEqual([
    [200, 200, 200],
    [200, 200, 200, 200],
  ]);
});

it('reports each boot with its own sequence, what is missing, what the producer dropped itself, and that it stopped', async () => {
  const response = await api.gql<{ auditHealth: { sequenceGaps: number; droppedEvents: number; deadLettered: number; projectorLag: number; producers: Producer[] } }>(
    `{ auditHealth { sequenceGaps droppedEvents deadLettered projectorLag
        producers { instance boot minSequence maxSequence lastSequence received missing dropped state firstSeen } } }`,
  );
  expect(response.body.errors).toBeUndefined();
  const health = response.body.data!.auditHealth;
  const producers = [...health.producers].sort((a, b) => a.firstSeen.localeCompare(b.firstSeen));
  expect(producers.map(({ boot: _boot, ...rest }) => rest)).toEqual([
    { instance: 'authn-restarted', minSequence: '1', maxSequence: '3', lastSequence: '3', received: 3, missing: 0, dropped: 0, state: 'STOPPED', firstSeen: T0.toISOString() },
    // #4 never arrived: only the boot's own `stopped` report (lastSequence 4) shows it is missing.
    {
      instance: 'authn-restarted',
      minSequence: '1',
      maxSequence: '3',
      lastSequence: '4',
      received: 2,
      missing: 2,
      dropped: 1,
      state: 'STOPPED',
      firstSeen: new Date(T0.getTime() + 10 * 60_000).toISOString(),
    },
  ]);
  expect(new Set(producers.map((p) => p.boot)).size).toBe(2);
  // Totals: missing over both boots; the producer's own drops (one of the missing); no dead letters.
  expect(health).toMatchObject({ sequenceGaps: 2, droppedEvents: 1, deadLettered: 0, projectorLag: 0 });
});

it('each decision names its boot and its sequence in that boot', async () => {
  const response = await api.gql<{ decisions: { edges: { node: { boot: string | null; sequence: string; time: string } }[] } }>(
    '{ decisions(first: 10) { edges { node { boot sequence time } } } }',
  );
  const nodes = [...response.body.data!.decisions.edges.map((e) => e.node)].reverse();
  expect(nodes.map((n) => n.sequence)).toEqual(['1', '2', '3', '1', '3']);
  expect(nodes[0]!.boot).toBe(nodes[2]!.boot);
  expect(nodes[3]!.boot).toBe(nodes[4]!.boot);
  expect(nodes[0]!.boot).not.toBe(nodes[3]!.boot);
});
