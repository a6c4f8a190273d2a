import fc from 'fast-check';
import { stringify } from 'yaml';
import { bootstrapSecretsYaml, mintBootstrapToken } from '@authtrail/testing';
import { createSecretHasher } from '../shared/secret-compare';
import { parseBootstrapSecrets } from './bootstrap-secrets.parser';
import { bootstrapGroups } from './bootstrap-token.rules';

const hasher = createSecretHasher();

describe('parseBootstrapSecrets', () => {
  it('reads the Secrets of a multi-document file keyed by token id, storing only a digest of the secret', () => {
    const a = mintBootstrapToken({ id: 'aaaaaa' });
    const b = mintBootstrapToken({ id: 'bbbbbb', encoding: 'stringData' });
    const result = parseBootstrapSecrets(bootstrapSecretsYaml([a.manifest, b.manifest]), hasher);
    expect(result.ok && [...result.value.keys()]).toEqual(['aaaaaa', 'bbbbbb']);
    expect(result.ok && result.value.get('aaaaaa')?.secretDigest).toBe(hasher.digest(a.secret));
    expect(JSON.stringify(result.ok && [...result.value.values()])).not.toContain(a.secret);
  });

  it('lets stringData win over data for the same key, as the API server merges them', () => {
    const t = mintBootstrapToken({ id: 'cccccc' });
    const manifest = { ...t.manifest, stringData: { 'token-secret': 'zzzzzzzzzzzzzzzz' } };
    const result = parseBootstrapSecrets(stringify(manifest), hasher);
    expect(result.ok && result.value.get('cccccc')?.secretDigest).toBe(hasher.digest('zzzzzzzzzzzzzzzz'));
  });

  it.each([
    ['an empty file has no Secrets', '', []],
    ['a document that is not a mapping is skipped', '- a\n- b\n', ['document 1: not a mapping; skipped']],
    ['another kind is skipped', 'kind: ConfigMap\n', ['document 1: kind is not Secret; skipped']],
    ['data that is not a mapping is skipped', 'kind: Secret\ntype: bootstrap.kubernetes.io/token\nmetadata: {name: bootstrap-token-abcdef}\ndata: [1]\n', ['document 1: data is not a mapping; skipped']],
    ['a Secret being deleted is skipped', 'kind: Secret\ntype: bootstrap.kubernetes.io/token\nmetadata: {name: bootstrap-token-abcdef, deletionTimestamp: "2026-01-01T00:00:00Z"}\n', ['document 1: Secret is being deleted; skipped']],
  ])('%s', (_name, text, warnings) => {
    const result = parseBootstrapSecrets(text, hasher);
    expect(result.ok && result.warnings.filter((w) => w.endsWith('skipped'))).toEqual(warnings);
  });

  it('never throws on any input; every problem is a typed result (property)', () => {
    const t = mintBootstrapToken({ id: 'prop00' });
    const base = bootstrapSecretsYaml([t.manifest]);
    const mutation = fc.tuple(fc.nat(base.length), fc.nat(8), fc.string({ unit: fc.constantFrom(' ', ':', '-', '\n', '[', '{', '"', '*', '&', '!', 'a', '=') }));
    fc.assert(
      fc.property(fc.oneof(fc.string(), mutation.map(([at, cut, insert]) => base.slice(0, at) + insert + base.slice(at + cut))), (text) => {
        const result = parseBootstrapSecrets(text, hasher);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('bootstrapGroups', () => {
  it.each([
    ['no extra groups gives the default group only', undefined, ['system:bootstrappers']],
    ['an empty value gives the default group only', '', ['system:bootstrappers']],
    ['extras are sorted and deduplicated', 'system:bootstrappers:b,system:bootstrappers:a,system:bootstrappers:b', ['system:bootstrappers', 'system:bootstrappers:a', 'system:bootstrappers:b']],
    ['a group outside the bootstrappers prefix fails', 'system:masters', undefined],
    ['a group ending in a hyphen fails', 'system:bootstrappers:bad-', undefined],
    ['an empty entry fails', 'system:bootstrappers:a,', undefined],
    ['a group with upper-case letters fails', 'system:bootstrappers:Worker', undefined],
  ])('%s', (_name, extra, expected) => {
    const result = bootstrapGroups(extra);
    expect(result.ok ? result.groups : undefined).toEqual(expected);
  });

  it('never throws (property)', () => {
    fc.assert(fc.property(fc.string(), (s) => void bootstrapGroups(s)));
  });
});
