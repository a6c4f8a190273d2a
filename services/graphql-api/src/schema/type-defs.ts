// The reviewed contract: every `*.graphql` file beside this one, read when a server is built
// (never at import time).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SCHEMA_DIR = __dirname;

export function loadTypeDefs(dir: string = SCHEMA_DIR): string {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}
