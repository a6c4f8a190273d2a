import type { AuthOutcome } from '../strategy';
import { requestView } from '../shared/request-view.fixture';
import { rejectedOutcome, scripted, userOutcome } from './chain.fixture';
import { firstMatch } from './first-match';
import { withGroups } from './with-groups';

const groupsOf = (o: AuthOutcome) => (o.kind === 'authenticated' ? o.user.groups : undefined);

describe('withGroups', () => {
  it.each<[string, AuthOutcome, readonly string[] | undefined]>([
    ['an authenticated user gains system:authenticated after its own groups', userOutcome('alice', ['dev']), ['dev', 'system:authenticated']],
    ['a user already in the group is not given a duplicate', userOutcome('alice', ['system:authenticated', 'dev']), ['system:authenticated', 'dev']],
    ['the anonymous user is left alone as in Kubernetes', userOutcome('system:anonymous', ['system:unauthenticated']), ['system:unauthenticated']],
    ['a rejection passes through unchanged', rejectedOutcome(), undefined],
  ])('%s', async (_name, outcome, groups) => {
    const result = await withGroups(scripted('s', outcome)).authenticate(requestView());
    expect(groupsOf(result)).toEqual(groups);
    if (outcome.kind !== 'authenticated') expect(result).toEqual(outcome);
  });

  it('adds several groups once each, even when listed twice', async () => {
    const result = await withGroups(scripted('s', userOutcome('alice', ['b'])), ['a', 'b', 'a']).authenticate(requestView());
    expect(groupsOf(result)).toEqual(['b', 'a']);
  });

  it('keeps the attempt trace of a wrapped chain', async () => {
    const chain = withGroups(firstMatch([scripted('one', rejectedOutcome()), scripted('two', userOutcome('bob'))]));
    const result = await chain.authenticateWithTrace(requestView());
    expect(result.attempts.map((a) => a.strategy)).toEqual(['one', 'two']);
    expect(result.strategy).toBe('two');
    expect(groupsOf(result.outcome)).toEqual(['system:authenticated']);
  });
});
