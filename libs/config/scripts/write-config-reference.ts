// Regenerates the key table of docs/configuration.md from the config schema:
//   npx tsx libs/config/scripts/write-config-reference.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configReferenceMarkdown } from '../src/config-reference';
import { replaceGeneratedSection } from '../src/config-reference-doc';

const file = join(__dirname, '../../../docs/configuration.md');
writeFileSync(file, replaceGeneratedSection(readFileSync(file, 'utf8'), configReferenceMarkdown()));
console.log(`wrote ${file}`);
