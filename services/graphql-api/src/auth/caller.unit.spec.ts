import type { Decision } from '@authtrail/authentication';
import { resolveCaller } from './caller';

const access = { viewerGroups: ['viewers'], adminGroups: ['admins'] };
const allow = (groups: string[]): Decision => ({
  id: 'd',
  unrecorded: false,
  outcome: 'authenticated',
  result: { decision: 'allow', httpStatus: 200, reason: 'ok', attempts: [], user: { username: 'u', groups, extra: {} } },
});
const deny = (outcome: Decision['outcome'], reason: Decision['result']['reason'], extra: Partial<Decision> = {}): Decision => ({
  id: 'd',
  unrecorded: false,
  outcome,
  result: { decision: 'deny', httpStatus: reason === 'throttled' ? 429 : 401, reason, attempts: [] },
  ...extra,
});

describe('resolveCaller', () => {
  it.each<[string, Decision, string, string[]]>([
    ['a viewer-group member may read only', allow(['viewers']), 'caller', ['VIEWER']],
    ['an admin-group member may read and administer', allow(['admins']), 'caller', ['ADMIN', 'VIEWER']],
    ['a member of both is an admin', allow(['viewers', 'admins']), 'caller', ['ADMIN', 'VIEWER']],
    ['an authenticated caller in no API group gets 403', allow(['devs']), 'no-role', []],
    ['no credential gets 401', deny('abstained', 'no_credentials'), 'unauthenticated', []],
    ['a bad credential gets 401', deny('rejected', 'unknown_token'), 'unauthenticated', []],
    ['a revoked credential gets 401', deny('authenticated', 'credential_revoked'), 'unauthenticated', []],
    ['a throttled caller gets 429', deny('refused', 'throttled', { retryAfterSeconds: 30 }), 'throttled', []],
    ['a strategy that could not decide gets 503', deny('errored', 'upstream_unavailable'), 'unavailable', []],
    ['an allow that could not be recorded (strict mode) gets 503', { ...allow(['admins']), unrecorded: true }, 'unavailable', []],
  ])('%s', (_name, decision, kind, roles) => {
    const resolution = resolveCaller(decision, access);
    expect(resolution.kind).toBe(kind);
    expect(resolution.kind === 'caller' ? [...resolution.caller.roles].sort() : []).toEqual(roles);
  });
});
