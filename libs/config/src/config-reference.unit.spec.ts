import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configReferenceMarkdown } from './config-reference';
import { replaceGeneratedSection } from './config-reference-doc';

describe('docs/configuration.md', () => {
  it('the key reference table is the one generated from the schema (run libs/config/scripts/write-config-reference.ts)', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/configuration.md'), 'utf8');
    expect(replaceGeneratedSection(doc, configReferenceMarkdown())).toBe(doc);
  });

  it('every key of DESIGN §8 has a row', () => {
    const table = configReferenceMarkdown();
    for (const key of ['dataDir', 'authn.http.port', 'authn.https.certFile', 'authn.trustedProxies', 'authn.anonymous.enabled', 'authn.cache.successTTL', 'authn.strategies', 'authn.limits.bodyLimit', 'events.kafka.brokers', 'events.mode', 'database.url', 'graphql.adminGroups', 'graphql.introspection', 'graphql.playground', 'policy.file', 'fingerprint.keys', 'siem', 'log.level']) {
      expect(table).toContain(`| \`${key}\` |`);
    }
  });
});
