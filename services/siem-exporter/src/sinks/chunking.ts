/** Consecutive slices of at most `count` items and `maxBytes` bytes (a single larger item goes alone). */
export function chunks(lines: readonly (string | Buffer)[], count: number, maxBytes: number): { start: number; end: number }[] {
  const result: { start: number; end: number }[] = [];
  let start = 0;
  let bytes = 0;
  lines.forEach((line, index) => {
    const size = Buffer.byteLength(line) + 1;
    if (index > start && (index - start >= count || bytes + size > maxBytes)) {
      result.push({ start, end: index });
      start = index;
      bytes = 0;
    }
    bytes += size;
  });
  if (start < lines.length) result.push({ start, end: lines.length });
  return result;
}
