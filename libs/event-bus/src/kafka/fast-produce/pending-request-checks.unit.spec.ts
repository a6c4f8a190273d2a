// kafkajs' own RequestQueue class (a fresh copy per test), stock and with the check armed only
// while a request is pending: the stock one runs its check every millisecond when idle; the
// changed one never does, and still sends every request a throttle or the in-flight limit held.
import { checkOnlyWhilePending, PENDING_RECHECK_MS, type RequestQueueInternals } from './pending-request-checks';

interface RequestQueue extends RequestQueueInternals {
  push(request: { entry: { correlationId: number; resolve(): void; reject(): void }; expectResponse: boolean; sendRequest(): void }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer | null; size: number }): void;
  maybeThrottle(milliseconds: number): void;
  destroy(): void;
}
type RequestQueueClass = (new (options: object) => RequestQueue) & { prototype: RequestQueueInternals };

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function freshRequestQueueClass(changed: boolean): RequestQueueClass {
  let RequestQueue: RequestQueueClass | undefined;
  jest.isolateModules(() => {
    RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as RequestQueueClass;
  });
  if (!RequestQueue) throw new Error('kafkajs RequestQueue not loaded');
  if (changed) checkOnlyWhilePending(RequestQueue);
  return RequestQueue;
}

/** A queue of `RequestQueue` whose requests record when they were sent, and how often it checked its pending requests. */
function queueOf(RequestQueue: RequestQueueClass, maxInFlightRequests: number | null = null) {
  const queue = new RequestQueue({ maxInFlightRequests, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: 'broker:9092', logger: quiet });
  const sent: number[] = [];
  let checks = 0;
  const check = queue.checkPendingRequests.bind(queue);
  queue.checkPendingRequests = () => {
    checks += 1;
    check();
  };
  let nextId = 0;
  const push = () => {
    const correlationId = nextId++;
    queue.push({ entry: { correlationId, resolve: () => undefined, reject: () => undefined }, expectResponse: true, sendRequest: () => sent.push(correlationId) });
    return correlationId;
  };
  const answer = (correlationId: number) => queue.fulfillRequest({ correlationId, payload: Buffer.alloc(0), size: 0 });
  return { queue, sent, push, answer, checks: () => checks };
}

describe('the pending-request check of kafkajs 2.2.4', () => {
  it('stock: once a request was answered, an idle queue keeps checking its pending requests, each check arming the next', async () => {
    const { queue, push, answer, checks } = queueOf(freshRequestQueueClass(false));
    answer(push());
    const before = checks();
    // A count, not a rate (a 1 ms timer fires less often on a loaded machine): 20 checks with
    // nothing pending, and the next one armed.
    const deadline = Date.now() + 10_000;
    while (checks() - before < 20 && Date.now() < deadline) await sleep(10);
    const armed = queue.throttleCheckTimeoutId !== null;
    queue.destroy();
    // What the change removes: without it this test's counterpart below would fail too.
    expect(checks() - before).toBeGreaterThanOrEqual(20);
    expect(armed).toBe(true);
  });

  it('changed: an idle queue arms no check and runs none', async () => {
    const { queue, sent, push, answer, checks } = queueOf(freshRequestQueueClass(true));
    answer(push());
    const before = checks();
    await sleep(100);
    expect(checks() - before).toBe(0);
    expect(queue.throttleCheckTimeoutId).toBeNull();
    expect(sent).toEqual([0]);
  });

  it('changed: requests held by a client-side throttle are sent when it ends, not before', async () => {
    const { queue, sent, push, answer } = queueOf(freshRequestQueueClass(true));
    answer(push());
    queue.maybeThrottle(60);
    const throttledAt = Date.now();
    push();
    push();
    expect(sent).toEqual([0]);
    while (sent.length < 3 && Date.now() - throttledAt < 2_000) await sleep(5);
    expect(sent).toEqual([0, 1, 2]);
    expect(Date.now() - throttledAt).toBeGreaterThanOrEqual(55);
    queue.destroy();
  });

  it('changed: requests held by the in-flight limit are sent as the requests in flight are answered', async () => {
    const { queue, sent, push, answer } = queueOf(freshRequestQueueClass(true), 1);
    const first = push();
    push();
    push();
    expect(sent).toEqual([first]);
    answer(first);
    expect(sent).toEqual([0, 1]);
    answer(1);
    expect(sent).toEqual([0, 1, 2]);
    answer(2);
    await sleep(3 * PENDING_RECHECK_MS);
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });

  it('changed: a request still pending when no throttle delay is left is checked again after the re-check interval (kafkajs #1532)', async () => {
    const { queue, sent, push } = queueOf(freshRequestQueueClass(true));
    queue.throttledUntil = Date.now() + 10_000;
    push();
    expect(sent).toEqual([]);
    // The throttle ended between queueing and scheduling: nothing to wait for, yet a request waits.
    clearTimeout(queue.throttleCheckTimeoutId ?? undefined);
    queue.throttleCheckTimeoutId = null;
    queue.throttledUntil = Date.now() - 1;
    queue.scheduleCheckPendingRequests();
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
    await sleep(PENDING_RECHECK_MS * 5);
    expect(sent).toEqual([0]);
    queue.destroy();
  });
});
