// The source map esbuild wrote beside a bundle (`main.cjs.map`), parsed when a profile is written.
// Not through `node --enable-source-maps`: that keeps the whole bundle's map parsed in authn's heap
// while it runs (78,729 arrays), marked again by every full collection — a heap the production
// image's authn does not carry (docs/authn.md, "Session 23").
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The map beside the script V8 names `url` (a path or a file: URL), or undefined when there is none. */
export function mapFileBeside(url: string): SourceMap | undefined {
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  if (!path.startsWith('/') || !existsSync(`${path}.map`)) return undefined;
  return new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
}
