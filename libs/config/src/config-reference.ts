// Renders the key reference of docs/configuration.md from the schema, so the docs cannot drift
// from what the loader accepts (a unit test compares the two).
import { configSchema } from './config.schema';

interface Node {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly format?: string;
  readonly default?: unknown;
  readonly description?: string;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, Node>>;
  readonly items?: Node;
  readonly 'x-env'?: string;
  readonly 'x-path'?: boolean;
}

function typeOf(node: Node): string {
  if (node.enum) return node.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (node.format === 'duration') return 'duration';
  if (node['x-path']) return 'path';
  if (node.type === 'array') return `list of ${node.items ? typeOf(node.items) : 'any'}`;
  return node.type ?? 'any';
}

/** Markdown table: one row per key, in schema order. */
export function configReferenceMarkdown(): string {
  const rows: string[] = ['| key | type | default | env | description |', '|---|---|---|---|---|'];
  const walk = (node: Node, path: string, required: boolean) => {
    const def = node.default === undefined ? (required ? '(required)' : '') : `\`${JSON.stringify(node.default)}\``;
    const env = node['x-env'] ? `\`${node['x-env']}\`` : '';
    const description = (node.description ?? '').replace(/\|/g, '\\|');
    if (path) rows.push(`| \`${path}\` | ${typeOf(node)} | ${def} | ${env} | ${description} |`);
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      walk(child, path ? `${path}.${key}` : key, node.required?.includes(key) ?? false);
    }
    if (node.items?.properties) {
      for (const [key, child] of Object.entries(node.items.properties)) walk(child, `${path}[].${key}`, node.items.required?.includes(key) ?? false);
    }
  };
  walk(configSchema as unknown as Node, '', false);
  return rows.join('\n');
}
