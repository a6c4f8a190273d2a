// SelfSubjectReview through the real app: kubectl's protobuf request (bodies built byte by byte
// in kube-protobuf.fixture.ts from the wire format, not by the service's parser), JSON, every
// version kubectl tries, and garbage refused with a 400 that is still one decision.
import fc from 'fast-check';
import { ALICE_TOKEN, testApp } from '../app.fixture';
import { MAGIC, kubeProtobufBody, lengthDelimited, whoamiBody } from '../http/kube-protobuf.fixture';

const VERSIONS = ['v1', 'v1beta1', 'v1alpha1'] as const;
const PROTOBUF = 'application/vnd.kubernetes.protobuf';
// What client-go sends for a generated client that prefers protobuf (rest.Request.UseProtobufAsDefault).
const KUBECTL_ACCEPT = 'application/vnd.kubernetes.protobuf,application/json';
const path = (version: string) => `/apis/authentication.k8s.io/${version}/selfsubjectreviews`;
const ALICE = { username: 'alice', uid: 'u-1', groups: ['dev', 'system:authenticated'], extra: { 'example.com/team': ['a/b'] } };

describe('SelfSubjectReview versions and encodings', () => {
  it.each(VERSIONS)("%s: kubectl's protobuf request gets 201 and a JSON SelfSubjectReview of that version", async (version) => {
    const { app, publisher } = testApp();
    const res = await app.inject({ method: 'POST', url: path(version), headers: { authorization: `Bearer ${ALICE_TOKEN}`, 'content-type': PROTOBUF, accept: KUBECTL_ACCEPT }, payload: whoamiBody(version) });
    expect(res.statusCode).toBe(201);
    // client-go chooses its decoder by this header; JSON is in the Accept list it sent.
    expect(res.headers['content-type']).toMatch(/^application\/json(;|$)/);
    const review = res.json();
    expect(review).toEqual({ apiVersion: `authentication.k8s.io/${version}`, kind: 'SelfSubjectReview', metadata: { creationTimestamp: expect.any(String) }, status: { userInfo: ALICE } });
    // RFC 3339 in whole seconds, as metav1.Time is written.
    expect(review.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(res.headers['x-authtrail-decision-id']).toBe(publisher.events()[0]?.id);
    expect(publisher.events()[0]?.data).toMatchObject({ decision: 'allow', user: { username: 'alice' }, request: { endpoint: 'selfsubjectreview', path: path(version) } });
  });

  it.each(VERSIONS)('%s: a JSON request (with or without a body) gets the same review', async (version) => {
    const { app } = testApp();
    for (const payload of [{ apiVersion: `authentication.k8s.io/${version}`, kind: 'SelfSubjectReview' }, {}, undefined]) {
      const res = await app.inject({ method: 'POST', url: path(version), headers: { authorization: `Bearer ${ALICE_TOKEN}` }, ...(payload ? { payload } : {}) });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ apiVersion: `authentication.k8s.io/${version}`, kind: 'SelfSubjectReview', status: { userInfo: ALICE } });
    }
  });

  it('a protobuf envelope without type meta takes the version of the path', async () => {
    const { app } = testApp();
    const res = await app.inject({ method: 'POST', url: path('v1beta1'), headers: { authorization: `Bearer ${ALICE_TOKEN}`, 'content-type': PROTOBUF }, payload: kubeProtobufBody() });
    expect(res.statusCode).toBe(201);
    expect(res.json().apiVersion).toBe('authentication.k8s.io/v1beta1');
  });

  it('a protobuf caller without credentials gets a kube Status 401 in JSON', async () => {
    const { app, publisher } = testApp();
    const res = await app.inject({ method: 'POST', url: path('v1'), headers: { 'content-type': PROTOBUF, accept: KUBECTL_ACCEPT }, payload: whoamiBody('v1') });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401 });
    expect(publisher.events()[0]?.data).toMatchObject({ reason: 'no_credentials', request: { endpoint: 'selfsubjectreview' } });
  });

  const refused: ReadonlyArray<[string, string, Buffer, RegExp]> = [
    ['an envelope naming another version', 'v1', kubeProtobufBody({ typeMeta: { apiVersion: 'authentication.k8s.io/v1beta1', kind: 'SelfSubjectReview' } }), /apiVersion/],
    ['an envelope naming another kind', 'v1beta1', kubeProtobufBody({ typeMeta: { apiVersion: 'authentication.k8s.io/v1beta1', kind: 'TokenReview' } }), /kind/],
    ['a JSON body sent as protobuf', 'v1', Buffer.from('{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}'), /malformed application\/vnd\.kubernetes\.protobuf body: not a Kubernetes protobuf message/],
    ['the magic alone', 'v1alpha1', Buffer.from(MAGIC), /malformed application\/vnd\.kubernetes\.protobuf body: empty body/],
    ['a truncated envelope', 'v1', whoamiBody('v1').subarray(0, 20), /malformed application\/vnd\.kubernetes\.protobuf body: .* longer than its message/],
    ['a raw object that is not protobuf', 'v1beta1', kubeProtobufBody({ raw: [0xff, 0xff] }), /malformed application\/vnd\.kubernetes\.protobuf body: the object in raw/],
    ['a type meta field of the wrong wire type', 'v1', Buffer.from([...MAGIC, 0x08, 0x01]), /malformed .*field 1 at byte 4 has wire type 0/],
  ];
  it.each(refused)('%s is a 400 bad_request with a clear message, a decision id and one event', async (_name, version, payload, message) => {
    const { app, publisher } = testApp();
    const res = await app.inject({ method: 'POST', url: path(version), headers: { authorization: `Bearer ${ALICE_TOKEN}`, 'content-type': PROTOBUF }, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'Bad Request', reason: 'bad_request', message: expect.stringMatching(message), decisionId: res.headers['x-authtrail-decision-id'] });
    expect(publisher.events()).toHaveLength(1);
    expect(publisher.events()[0]?.data).toMatchObject({ decision: 'deny', httpStatus: 400, reason: 'bad_request', attempts: [], request: { endpoint: 'selfsubjectreview', path: path(version) } });
  });

  it('an oversized protobuf body is a 413', async () => {
    const { app } = testApp();
    const payload = kubeProtobufBody({ raw: lengthDelimited(9, Array(70_000).fill(0)) });
    const res = await app.inject({ method: 'POST', url: path('v1'), headers: { authorization: `Bearer ${ALICE_TOKEN}`, 'content-type': PROTOBUF }, payload });
    expect(res.statusCode).toBe(413);
  });

  it('protobuf is accepted by SelfSubjectReview only: a TokenReview in protobuf is a 415', async () => {
    const { app } = testApp();
    const res = await app.inject({ method: 'POST', url: '/apis/authentication.k8s.io/v1/tokenreviews', headers: { 'content-type': PROTOBUF }, payload: whoamiBody('v1') });
    expect(res.statusCode).toBe(415);
  });

  it('property: any bytes sent as protobuf get 201 or a 4xx, never a 5xx, and each is one decision', async () => {
    const { app, publisher } = testApp();
    const mutate = (base: Buffer) =>
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }).map((edits) => {
        const copy = Buffer.from(base);
        for (const [at, byte] of edits) copy[at % copy.length] = byte;
        return copy;
      });
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from([...MAGIC, ...bytes])),
      mutate(whoamiBody('v1')),
    );
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(bodies, fc.boolean(), async (payload, authenticated) => {
        const res = await app.inject({ method: 'POST', url: path('v1'), headers: { 'content-type': PROTOBUF, ...(authenticated ? { authorization: `Bearer ${ALICE_TOKEN}` } : {}) }, payload });
        sent++;
        expect([201, 400, 401]).toContain(res.statusCode);
        if (!MAGIC.every((byte, i) => payload[i] === byte)) expect(res.statusCode).toBe(400);
        expect(res.headers['x-authtrail-decision-id']).toEqual(expect.any(String));
      }),
      { numRuns: 300 },
    );
    expect(publisher.records).toHaveLength(sent);
  });
});
