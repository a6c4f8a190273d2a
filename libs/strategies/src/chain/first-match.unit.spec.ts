import type { AuthOutcome, Strategy } from '../strategy';
import { requestView } from '../shared/request-view.fixture';
import { abstainedOutcome, erroredOutcome, rejectedOutcome, scripted, userOutcome } from './chain.fixture';
import { firstMatch } from './first-match';

const anonymous = (): Strategy => scripted('anonymous', userOutcome('system:anonymous', ['system:unauthenticated']));

describe('firstMatch', () => {
  it.each<[string, AuthOutcome[], boolean, string, string | undefined, string[]]>([
    ['the first authenticated strategy wins and later ones are not asked', [abstainedOutcome, userOutcome('alice'), userOutcome('bob')], false, 'authenticated', 's1', ['s0:abstained', 's1:authenticated:ok']],
    ['a rejection does not stop the next strategy from authenticating', [rejectedOutcome(), userOutcome('alice')], false, 'authenticated', 's1', ['s0:rejected:unknown_token', 's1:authenticated:ok']],
    ['an error does not stop the next strategy from authenticating', [erroredOutcome, userOutcome('alice')], false, 'authenticated', 's1', ['s0:errored:upstream_unavailable', 's1:authenticated:ok']],
    ['a rejection with nobody authenticating rejects, never anonymous', [abstainedOutcome, rejectedOutcome('token_expired')], true, 'rejected', 's1', ['s0:abstained', 's1:rejected:token_expired']],
    ['the first rejection decides when several reject', [rejectedOutcome('token_expired'), rejectedOutcome('unknown_token')], true, 'rejected', 's0', ['s0:rejected:token_expired', 's1:rejected:unknown_token']],
    ['a specific rejection outranks an earlier unknown_token (the token\'s owner knows best)', [rejectedOutcome('unknown_token'), rejectedOutcome('token_expired')], true, 'rejected', 's1', ['s0:rejected:unknown_token', 's1:rejected:token_expired']],
    ['unknown_token decides when it is the only kind of rejection', [rejectedOutcome('unknown_token'), abstainedOutcome, rejectedOutcome('unknown_token')], true, 'rejected', 's0', ['s0:rejected:unknown_token', 's1:abstained', 's2:rejected:unknown_token']],
    ['a specific rejection outranks an earlier error', [erroredOutcome, rejectedOutcome('token_expired')], true, 'rejected', 's1', ['s0:errored:upstream_unavailable', 's1:rejected:token_expired']],
    ['an error outranks a "not mine" rejection (the token could not be checked)', [rejectedOutcome('unknown_token'), erroredOutcome, rejectedOutcome('issuer_mismatch')], true, 'errored', 's1', ['s0:rejected:unknown_token', 's1:errored:upstream_unavailable', 's2:rejected:issuer_mismatch']],
    ['errors alone make the chain errored, never anonymous', [erroredOutcome, abstainedOutcome], true, 'errored', 's0', ['s0:errored:upstream_unavailable', 's1:abstained']],
    ['anonymous answers when every strategy abstained', [abstainedOutcome, abstainedOutcome], true, 'authenticated', 'anonymous', ['s0:abstained', 's1:abstained', 'anonymous:authenticated:ok']],
    ['without anonymous, all abstaining is no_credentials', [abstainedOutcome], false, 'rejected', undefined, ['s0:abstained']],
    ['an empty chain without anonymous is no_credentials', [], false, 'rejected', undefined, []],
  ])('%s', async (_name, outcomes, withAnonymous, kind, decidedBy, trace) => {
    const chain = firstMatch(outcomes.map((o, i) => scripted(`s${i}`, o)), withAnonymous ? { anonymous: anonymous() } : {});
    const result = await chain.authenticateWithTrace(requestView());
    expect(result.outcome.kind).toBe(kind);
    expect(result.strategy).toBe(decidedBy);
    expect(result.attempts.map((a) => [a.strategy, a.outcome, a.reason].filter(Boolean).join(':'))).toEqual(trace);
    expect(await chain.authenticate(requestView())).toEqual(result.outcome);
  });

  it('yields no_credentials when anonymous abstains (path not allowed)', async () => {
    const chain = firstMatch([scripted('s0', abstainedOutcome)], { anonymous: scripted('anonymous', abstainedOutcome) });
    const result = await chain.authenticateWithTrace(requestView());
    expect(result.outcome).toEqual({ kind: 'rejected', reason: 'no_credentials', message: 'no credentials presented' });
    expect(result.attempts).toEqual([{ strategy: 's0', outcome: 'abstained' }, { strategy: 'anonymous', outcome: 'abstained' }]);
  });

  it('an error that decides over a "not mine" rejection keeps the credential that rejection described', async () => {
    const credential = { type: 'static-token', secretForFingerprint: 'presented-token' } as const;
    const notMine: AuthOutcome = { kind: 'rejected', reason: 'unknown_token', message: 'unknown token', credential };
    const result = await firstMatch([scripted('s0', notMine), scripted('s1', erroredOutcome)]).authenticateWithTrace(requestView());
    expect(result.outcome).toEqual({ ...erroredOutcome, credential });
    expect(result.strategy).toBe('s1');
  });

  it('turns a strategy that throws into errored internal_error without its error text', async () => {
    const throwing: Strategy = { id: 'broken', authenticate: async () => { throw new Error('token s3cret leaked'); } };
    const result = await firstMatch([throwing]).authenticateWithTrace(requestView());
    expect(result.outcome).toEqual({ kind: 'errored', reason: 'internal_error', message: 'strategy broken failed unexpectedly' });
    expect(JSON.stringify(result)).not.toContain('s3cret');
  });

  it('closes every member and anonymous', async () => {
    const closed: string[] = [];
    const closing = (id: string): Strategy => ({ id, authenticate: async () => abstainedOutcome, close: async () => void closed.push(id) });
    await firstMatch([closing('a'), closing('b')], { anonymous: closing('anon') }).close?.();
    expect(closed.sort()).toEqual(['a', 'anon', 'b']);
  });
});
