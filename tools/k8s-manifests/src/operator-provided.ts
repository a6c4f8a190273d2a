// The Secrets and ConfigMaps an operator creates before applying infra/k8s, as
// docs/kubernetes-deployment.md lists them: the table under "## What you provide", one row per
// object, `| Secret | \`name\` | \`key\`, \`key\` | … |`.

export interface OperatorProvided {
  readonly kind: 'Secret' | 'ConfigMap';
  readonly name: string;
  readonly keys: readonly string[];
}

const SECTION = /^## What you provide\s*$/m;

export function parseOperatorProvided(markdown: string): OperatorProvided[] {
  const start = SECTION.exec(markdown);
  if (!start) throw new Error('no "## What you provide" section');
  const section = markdown.slice(start.index + start[0].length).split(/^## /m)[0] ?? '';
  const rows: OperatorProvided[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    // cells[0] is the text before the first pipe (empty).
    const kind = cells[1];
    if (kind !== 'Secret' && kind !== 'ConfigMap') continue;
    const name = /^`([^`]+)`$/.exec(cells[2] ?? '')?.[1];
    if (!name) throw new Error(`row without a \`name\`: ${line}`);
    const keys = [...(cells[3] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
    rows.push({ kind, name, keys });
  }
  return rows;
}
