// Any Authorization header, through every header-reading strategy of part A: the answer is
// always a typed outcome with a known reason, never a throw, and never echoes the credential.
import fc from 'fast-check';
import { REASON_CODES } from '@authtrail/events';
import { bootstrapSecretsYaml, mintBootstrapToken } from '@authtrail/testing';
import { createBasicAuthStrategy } from '../basic-auth/basic-auth.strategy';
import { createBootstrapTokenStrategy } from '../bootstrap-token/bootstrap-token.strategy';
import { requestView } from '../shared/request-view.fixture';
import { publicView, tempFolder } from '../shared/temp-files.fixture';
import { createStaticTokenStrategy } from '../static-token/static-token.strategy';
import type { Strategy } from '../strategy';

describe('header-reading strategies under arbitrary Authorization headers (property)', () => {
  const files = tempFolder('fuzz');
  const known = mintBootstrapToken({ id: 'fuzz00' });
  let strategies: Strategy[];
  beforeAll(async () => {
    strategies = [
      await createStaticTokenStrategy({ id: 'static-token', tokenFile: files.file('static-fuzz-token-1,alice,1\n') }),
      await createBootstrapTokenStrategy({ id: 'bootstrap-token', secretsFile: files.file(bootstrapSecretsYaml([known.manifest])) }),
      // Plaintext keeps the property fast; the KDF paths are covered by the basic-auth table.
      await createBasicAuthStrategy({ id: 'basic-auth', passwordFile: files.file('fuzz-password,bob,2\n') }),
    ];
  });
  afterAll(async () => {
    await Promise.all(strategies.map((s) => s.close?.()));
    files.remove();
  });

  it('always answers with a typed outcome', async () => {
    const token = fc.oneof(
      fc.string(),
      fc.stringMatching(/^[a-z0-9]{6}\.[a-z0-9]{16}$/),
      fc.constant(known.token),
      fc.constant(`${known.id}.${'x'.repeat(16)}`),
    );
    const basicCredential = fc.tuple(fc.string(), fc.string()).map(([u, p]) => `${u}:${p}`);
    const header = fc.oneof(
      fc.string(),
      token.map((t) => `Bearer ${t}`),
      basicCredential.map((c) => `Basic ${Buffer.from(c).toString('base64')}`),
      fc.base64String().map((b) => `Basic ${b}`),
      fc.string().map((s) => `Basic ${s}`),
    );
    await fc.assert(
      fc.asyncProperty(header, async (authorization) => {
        for (const strategy of strategies) {
          const outcome = await strategy.authenticate(requestView({ authorization }));
          expect(['authenticated', 'abstained', 'rejected', 'errored']).toContain(outcome.kind);
          if (outcome.kind === 'rejected' || outcome.kind === 'errored') {
            expect(REASON_CODES).toContain(outcome.reason);
            const credential = authorization.replace(/^\s*\S+\s*/, '').trim();
            if (credential.length >= 12) expect(publicView(outcome)).not.toContain(credential);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
