import type { AuthtrailConfig } from '@authtrail/config';
import type { Publisher } from '@authtrail/event-bus';
import pino from 'pino';
import { apiStrategyEntries, startApiAuthentication } from './start-graphql-api';

function config(graphqlAuth: Record<string, unknown>, strategies: readonly { id: string }[]): AuthtrailConfig {
  return {
    authn: { strategies, cache: { successTTL: 0, failureTTL: 0, maxEntries: 10 } },
    graphql: { auth: graphqlAuth },
  } as unknown as AuthtrailConfig;
}

describe('which strategies authenticate API callers', () => {
  it.each([
    ['authn.strategies by default, without anonymous', { enabled: true }, [{ id: 'static-token' }, { id: 'anonymous' }], ['static-token']],
    ['graphql.auth.strategies when given', { enabled: true, strategies: [{ id: 'oidc' }] }, [{ id: 'static-token' }], ['oidc']],
    ['an empty graphql.auth.strategies falls back to authn.strategies', { enabled: true, strategies: [] }, [{ id: 'basic-auth' }], ['basic-auth']],
  ])('%s', (_name, auth, strategies, expected) => {
    expect(apiStrategyEntries(config(auth, strategies)).map((s) => s.id)).toEqual(expected);
  });

  it('graphql.auth.enabled: false builds no decision path (everyone is a viewer)', async () => {
    await expect(startApiAuthentication(config({ enabled: false }, [{ id: 'static-token' }]), { publisher: {} as Publisher, logger: pino({ level: 'silent' }) })).resolves.toBeNull();
  });
});
