// tsx runs TypeScript transpiled by esbuild: V8's profile names positions in the generated code (types
// gone, imports rewritten, so lines shift). This rewrites each call frame to the TypeScript source and
// line through the source map tsx registered for the file (node:module findSourceMap in the profiled
// process), so a table's file:line is the line a reader opens.
import type { CpuProfile, ProfileNode } from './cpu-profile';

/** The part of node:module's SourceMap used here. */
export interface SourceMapLookup {
  findEntry(lineOffset: number, columnOffset: number): { readonly originalSource?: string; readonly originalLine?: number; readonly originalColumn?: number } | object;
}

/** A copy of the profile whose call frames point at original sources where a map knows them. */
export function sourceMapped(profile: CpuProfile, findSourceMap: (url: string) => SourceMapLookup | undefined): CpuProfile {
  const maps = new Map<string, SourceMapLookup | undefined>();
  const mapFor = (url: string) => {
    if (!maps.has(url)) maps.set(url, url ? findSourceMap(url) : undefined);
    return maps.get(url);
  };
  const nodes = profile.nodes.map((node): ProfileNode => {
    const { callFrame } = node;
    const map = callFrame.lineNumber >= 0 ? mapFor(callFrame.url) : undefined;
    if (!map) return node;
    const entry = map.findEntry(callFrame.lineNumber, Math.max(0, callFrame.columnNumber));
    if (!('originalSource' in entry) || typeof entry.originalSource !== 'string' || typeof entry.originalLine !== 'number') return node;
    // positionTicks count lines of the generated code: dropped rather than left pointing at the wrong source lines.
    const { positionTicks: _generatedLines, ...rest } = node as ProfileNode & { positionTicks?: unknown };
    return { ...rest, callFrame: { ...callFrame, url: entry.originalSource, lineNumber: entry.originalLine, columnNumber: entry.originalColumn ?? 0 } };
  });
  return { ...profile, nodes };
}
