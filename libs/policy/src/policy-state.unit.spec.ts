import type { PolicyControlEvent } from '@authtrail/events';
import { PolicyState } from './policy-state';

const envelope = { specversion: '1.0', source: '/authtrail/test', time: '2026-11-29T12:00:00.000Z', datacontenttype: 'application/json' } as const;

const applied = (version: number, document: string): PolicyControlEvent => ({
  ...envelope,
  id: `p${version}`,
  type: 'authtrail.control.policy.applied.v1',
  data: { version, document },
});

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
    expect(state.apply(applied(2, '{}'))).toEqual({ applied: false, error: expect.stringContaining('not newer') });
    expect(state.policy.version).toBe(2);
    expect(state.policy.strategies.get('static-token')?.mode).toBe('disabled');
  });

  it('keeps the last good policy when a document does not compile', () => {
    const state = new PolicyState();
    state.apply(applied(1, 'strategies: { x509: { denyGroups: [system:masters] } }'));
    expect(state.apply(applied(2, 'strategies: { nope: {} }')).applied).toBe(false);
    expect(state.policy.version).toBe(1);
  });

  it('folds revocations and their lifting', () => {
    const state = new PolicyState();
    state.apply({ ...envelope, id: 'r', type: 'authtrail.control.credential.revoked.v1', data: { revocationId: 'rev-1', jti: 'abc' } });
    state.apply({ ...envelope, id: 'r2', type: 'authtrail.control.credential.revoked.v1', data: { revocationId: 'rev-2', fingerprint: 'fp' } });
    state.apply({ ...envelope, id: 'l', type: 'authtrail.control.revocation.lifted.v1', data: { revocationId: 'rev-1' } });
    expect(state.revocations.list().map((r) => r.revocationId)).toEqual(['rev-2']);
  });
});
