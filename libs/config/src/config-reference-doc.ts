// The generated part of docs/configuration.md lives between these markers.
export const BEGIN_MARKER = '<!-- BEGIN GENERATED: config reference (libs/config/scripts/write-config-reference.ts) -->';
export const END_MARKER = '<!-- END GENERATED -->';

export function replaceGeneratedSection(doc: string, table: string): string {
  const begin = doc.indexOf(BEGIN_MARKER);
  const end = doc.indexOf(END_MARKER);
  if (begin < 0 || end < begin) return `${doc.trimEnd()}\n\n${BEGIN_MARKER}\n${table}\n${END_MARKER}\n`;
  return `${doc.slice(0, begin)}${BEGIN_MARKER}\n${table}\n${doc.slice(end)}`;
}
