import { createHmac } from 'node:crypto';
import type { RequestView } from '../strategy';
import { requestFingerprints, type FingerprintFunctions } from './request-fingerprints';

const viewOf = (token: string): RequestView => ({ headers: { authorization: `Bearer ${token}` }, peerCertificates: [], sourceIp: '10.0.0.1', method: 'POST', path: '/', audiences: [], tls: false });

/** Fingerprint functions that count their HMACs. */
function countingFunctions(key = 'k'): FingerprintFunctions & { calls: () => number } {
  let calls = 0;
  const fingerprint = (secret: string) => ((calls += 1), `hmac-sha256:${key}:${createHmac('sha256', key).update(secret).digest('hex')}`);
  return { fingerprint, candidates: (secret) => [fingerprint(secret)], calls: () => calls };
}

describe('requestFingerprints', () => {
  it('hashes a secret once per view, however often it is asked', () => {
    const functions = countingFunctions();
    const view = viewOf('t-1');
    const first = requestFingerprints(view, functions).fingerprint('t-1');
    expect(requestFingerprints(view, functions).fingerprint('t-1')).toBe(first);
    expect(requestFingerprints(view, functions).candidates?.('t-1')).toEqual([first]);
    expect(first).toBe(`hmac-sha256:k:${createHmac('sha256', 'k').update('t-1').digest('hex')}`);
    expect(functions.calls()).toBe(1);
  });

  it('hashes again for another secret or another view', () => {
    const functions = countingFunctions();
    const view = viewOf('t-1');
    const one = requestFingerprints(view, functions).fingerprint('t-1');
    const two = requestFingerprints(view, functions).fingerprint('t-2');
    expect(two).not.toBe(one);
    expect(requestFingerprints(viewOf('t-1'), functions).fingerprint('t-1')).toBe(one);
    expect(functions.calls()).toBe(3);
  });

  it('keeps a memo per set of functions: another key gives its own fingerprint', () => {
    const a = countingFunctions('a');
    const b = countingFunctions('b');
    const view = viewOf('t-1');
    expect(requestFingerprints(view, a).fingerprint('t-1')).toMatch(/^hmac-sha256:a:/);
    expect(requestFingerprints(view, b).fingerprint('t-1')).toMatch(/^hmac-sha256:b:/);
    expect([a.calls(), b.calls()]).toEqual([1, 1]);
  });

  it('leaves no trace on the view that spreads, JSON or equality checks see', () => {
    const view = viewOf('t-1');
    const before = JSON.stringify(view);
    requestFingerprints(view, countingFunctions()).fingerprint('t-1');
    expect(JSON.stringify(view)).toBe(before);
    expect(Object.getOwnPropertySymbols({ ...view })).toEqual([]);
    expect(view).toEqual(viewOf('t-1'));
  });

  it('gives a copy of the view its own memo, with the same fingerprints', () => {
    const functions = countingFunctions();
    const view = viewOf('t-1');
    const fingerprint = requestFingerprints(view, functions).fingerprint('t-1');
    expect(requestFingerprints({ ...view, path: '/other' }, functions).fingerprint('t-1')).toBe(fingerprint);
    expect(functions.calls()).toBe(2);
  });

  it('memoises for a frozen view too', () => {
    const functions = countingFunctions();
    const view = Object.freeze(viewOf('t-1'));
    const first = requestFingerprints(view, functions).fingerprint('t-1');
    expect(requestFingerprints(view, functions).fingerprint('t-1')).toBe(first);
    expect(functions.calls()).toBe(1);
  });
});
