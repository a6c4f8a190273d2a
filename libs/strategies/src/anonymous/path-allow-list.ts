// Path allow-list for anonymous access. Exact entries match exactly; `/prefix/*` matches by
// prefix. The query string is ignored. Paths with dot segments, doubled slashes or encoded dots
// and slashes never match: `/public/../admin` must not count as `/public/*` (a proxy in front
// might normalise it differently than we would).
export function createPathAllowList(entries: readonly string[] | undefined): (path: string) => boolean {
  if (entries === undefined) return () => true;
  const exact = new Set(entries.filter((e) => !e.endsWith('*')));
  const prefixes = entries.filter((e) => e.endsWith('*')).map((e) => e.slice(0, -1));
  return (rawPath) => {
    const path = rawPath.split(/[?#]/, 1)[0] ?? '';
    if (!path.startsWith('/') || /%2e|%2f|%5c/i.test(path) || path.includes('\\') || path.includes('//')) return false;
    if (path.split('/').some((segment) => segment === '.' || segment === '..')) return false;
    return exact.has(path) || prefixes.some((p) => path.startsWith(p));
  };
}
