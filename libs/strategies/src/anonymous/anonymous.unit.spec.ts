import { requestView } from '../shared/request-view.fixture';
import { firstMatch } from '../chain/first-match';
import { createAnonymousStrategy } from './anonymous.strategy';

describe('anonymous strategy', () => {
  it('authenticates as system:anonymous in system:unauthenticated when no allow-list is set', async () => {
    expect(await createAnonymousStrategy().authenticate(requestView({ path: '/anything' }))).toEqual({
      kind: 'authenticated',
      user: { username: 'system:anonymous', groups: ['system:unauthenticated'], extra: {} },
      credential: { type: 'anonymous' },
    });
  });

  it.each([
    ['an exact entry matches its path', ['/healthz'], '/healthz', 'authenticated'],
    ['an exact entry ignores the query string', ['/healthz'], '/healthz?verbose=1', 'authenticated'],
    ['an exact entry does not match a longer path', ['/healthz'], '/healthz/extra', 'abstained'],
    ['a prefix entry matches below its prefix', ['/public/*'], '/public/docs/a.html', 'authenticated'],
    ['a path outside the list abstains', ['/public/*'], '/admin', 'abstained'],
    ['dot segments never match a prefix', ['/public/*'], '/public/../admin', 'abstained'],
    ['encoded dots never match a prefix', ['/public/*'], '/public/%2E%2E/admin', 'abstained'],
    ['encoded slashes never match a prefix', ['/public/*'], '/public%2F..%2Fadmin', 'abstained'],
    ['doubled slashes never match', ['/public/*'], '/public//x', 'abstained'],
    ['an empty allow-list allows nothing', [], '/', 'abstained'],
  ])('%s', async (_name, paths, path, kind) => {
    const outcome = await createAnonymousStrategy({ id: 'anonymous', paths }).authenticate(requestView({ path }));
    expect(outcome.kind).toBe(kind);
  });

  it('a path outside the allow-list makes the chain answer no_credentials', async () => {
    const chain = firstMatch([], { anonymous: createAnonymousStrategy({ id: 'anonymous', paths: ['/healthz'] }) });
    expect((await chain.authenticateWithTrace(requestView({ path: '/admin' }))).outcome).toMatchObject({ kind: 'rejected', reason: 'no_credentials' });
  });
});
