import type { PolicyControlEvent } from '@authtrail/events';
import { PolicyState } from './policy-state';

const envelope = { specversion: '1.0', source: '/authtrail/test', time: '2026-11-29T12:00:00.000Z', datacontenttype: 'application/json' } as const;

const applied = (version: number, document: string, id = `p${version}`): PolicyControlEvent => ({
  ...envelope,
  id,
  type: 'authtrail.control.policy.applied.v1',
  data: { version, document },
});
const revoked = (revocationId: string, jti: string, id = `r-${revocationId}-${jti}`): PolicyControlEvent => ({
  ...envelope,
  id,
  type: 'authtrail.control.credential.revoked.v1',
  data: { revocationId, jti },
});
const lifted = (revocationId: string, id = `l-${revocationId}`): PolicyControlEvent => ({
  ...envelope,
  id,
  type: 'authtrail.control.revocation.lifted.v1',
  data: { revocationId },
});
const jwt = (publicId: string) => ({ type: 'oidc', publicId });
const NOW = new Date('2026-11-29T12:00:00Z');

describe('PolicyState', () => {
  it('starts at version 0 with no rules and no revocations', () => {
    const state = new PolicyState();
    expect(state.policy.version).toBe(0);
    expect(state.revocations.size).toBe(0);
  });

  it('applies newer policy versions and ignores stale ones', () => {
    const state = new PolicyState();
    expect(state.apply(applied(1, 'strategies: { static-token: { mode: warn } }'))).toEqual({ applied: true });
    expect(state.apply(applied(2, 'strategies: { static-token: { mode: disabled } }'))).toEqual({ applied: true });
    expect(state.apply(applied(2, '{}'))).toEqual({ applied: false, error: expect.stringContaining('does not follow') });
    expect(state.policy.version).toBe(2);
    expect(state.policy.strategies.get('static-token')?.mode).toBe('disabled');
  });

  it('keeps the last good policy when a document does not compile, and leaves its version to the next claim', () => {
    const state = new PolicyState();
    state.apply(applied(1, 'strategies: { x509: { denyGroups: [system:masters] } }'));
    expect(state.apply(applied(2, 'strategies: { nope: {} }')).applied).toBe(false);
    expect(state.policy.version).toBe(1);
    expect(state.apply(applied(2, 'strategies: { static-token: { mode: warn } }', 'p2-next')).applied).toBe(true);
    expect(state.policy.version).toBe(2);
  });

  it('compare-and-set: of two events claiming the next version, the first in topic order wins', () => {
    const state = new PolicyState();
    state.apply(applied(1, '{}'));
    expect(state.apply(applied(2, 'strategies: { static-token: { mode: warn } }', 'replica-a'))).toEqual({ applied: true });
    expect(state.apply(applied(2, 'strategies: { static-token: { mode: disabled } }', 'replica-b'))).toEqual({ applied: false, error: expect.stringContaining('does not follow version 2') });
    expect(state.policy.strategies.get('static-token')?.mode).toBe('warn');
  });

  it('compare-and-set: a version that skips ahead is not applied, not even after the gap is filled', () => {
    const state = new PolicyState();
    expect(state.apply(applied(2, '{}', 'early')).applied).toBe(false);
    expect(state.policy.version).toBe(0);
    expect(state.apply(applied(1, '{}')).applied).toBe(true);
    expect(state.policy.version).toBe(1);
    // The early event was judged when it was read: it never comes back.
    expect(state.apply(applied(3, '{}')).applied).toBe(false);
    expect(state.policy.version).toBe(1);
  });

  it('a revocation id is revoked once: a second revoked event for it changes nothing', () => {
    const state = new PolicyState();
    expect(state.apply(revoked('rev-1', 'first'))).toEqual({ applied: true });
    expect(state.apply(revoked('rev-1', 'second'))).toEqual({ applied: false, error: expect.stringContaining('exists already') });
    expect(state.revocations.find(jwt('first'), NOW)?.revocationId).toBe('rev-1');
    expect(state.revocations.find(jwt('second'), NOW)).toBeUndefined();
  });

  it('of two lifts of one revocation the first applies, the second is refused as already lifted', () => {
    const state = new PolicyState();
    state.apply(revoked('rev-1', 'abc'));
    expect(state.apply(lifted('rev-1', 'lift-a'))).toEqual({ applied: true });
    expect(state.apply(lifted('rev-1', 'lift-b'))).toEqual({ applied: false, error: expect.stringContaining('already lifted') });
    expect(state.revocations.find(jwt('abc'), NOW)).toBeUndefined();
  });

  it('a lift of an unknown revocation is refused, and the revocation published after it is in force', () => {
    const state = new PolicyState();
    expect(state.apply(lifted('rev-9'))).toEqual({ applied: false, error: expect.stringContaining('no revocation rev-9') });
    expect(state.apply(revoked('rev-9', 'late'))).toEqual({ applied: true });
    expect(state.revocations.find(jwt('late'), NOW)?.revocationId).toBe('rev-9');
  });

  it('a lifted revocation stays lifted: revoking the same id again changes nothing', () => {
    const state = new PolicyState();
    state.apply(revoked('rev-1', 'abc'));
    state.apply(lifted('rev-1'));
    expect(state.apply(revoked('rev-1', 'abc', 'again')).applied).toBe(false);
    expect(state.revocations.find(jwt('abc'), NOW)).toBeUndefined();
  });

  it('folds revocations and their lifting', () => {
    const state = new PolicyState();
    state.apply({ ...envelope, id: 'r', type: 'authtrail.control.credential.revoked.v1', data: { revocationId: 'rev-1', jti: 'abc' } });
    state.apply({ ...envelope, id: 'r2', type: 'authtrail.control.credential.revoked.v1', data: { revocationId: 'rev-2', fingerprint: 'fp' } });
    state.apply({ ...envelope, id: 'l', type: 'authtrail.control.revocation.lifted.v1', data: { revocationId: 'rev-1' } });
    expect(state.revocations.list().map((r) => r.revocationId)).toEqual(['rev-2']);
  });
});
