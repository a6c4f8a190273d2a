import type { AuthOutcome } from '@authtrail/strategies';
import { resolveCaller } from './caller';

const access = { viewerGroups: ['viewers'], adminGroups: ['admins'] };
const user = (groups: string[]): AuthOutcome => ({ kind: 'authenticated', user: { username: 'u', groups, extra: {} }, credential: { type: 'static-token' } });

describe('resolveCaller', () => {
  it.each<[string, AuthOutcome, string, string[]]>([
    ['a viewer-group member may read only', user(['viewers']), 'caller', ['VIEWER']],
    ['an admin-group member may read and administer', user(['admins']), 'caller', ['ADMIN', 'VIEWER']],
    ['a member of both is an admin', user(['viewers', 'admins']), 'caller', ['ADMIN', 'VIEWER']],
    ['an authenticated caller in no API group gets 403', user(['devs']), 'no-role', []],
    ['no credential gets 401', { kind: 'abstained' }, 'unauthenticated', []],
    ['a bad credential gets 401', { kind: 'rejected', reason: 'unknown_token', message: 'unknown token' }, 'unauthenticated', []],
    ['a strategy that could not decide gets 503', { kind: 'errored', reason: 'upstream_unavailable', message: 'jwks down' }, 'unavailable', []],
  ])('%s', (_name, outcome, kind, roles) => {
    const resolution = resolveCaller(outcome, access);
    expect(resolution.kind).toBe(kind);
    expect(resolution.kind === 'caller' ? [...resolution.caller.roles].sort() : []).toEqual(roles);
  });
});
