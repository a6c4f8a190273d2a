// Reads the shipped Prometheus rules and Grafana dashboard for the operations specs, and finds
// the metric names their PromQL uses.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export const workspaceRoot = path.resolve(__dirname, '../../../../..');
export const RULES_FILE = path.join(workspaceRoot, 'infra/prometheus/authtrail.rules.yml');
export const RULES_TEST_FILE = path.join(workspaceRoot, 'infra/prometheus/authtrail.rules.test.yml');
export const DASHBOARD_FILE = path.join(workspaceRoot, 'infra/grafana/authtrail-dashboard.json');

interface RuleFile {
  readonly groups: readonly { readonly name: string; readonly rules: readonly { readonly alert?: string; readonly expr: string }[] }[];
}

interface DashboardPanel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly targets?: readonly { readonly expr: string }[];
}

export function alertRules(): readonly { readonly alert: string; readonly expr: string }[] {
  const file = parseYaml(readFileSync(RULES_FILE, 'utf8')) as RuleFile;
  return file.groups.flatMap((g) => g.rules.map((r) => ({ alert: r.alert ?? '', expr: r.expr })));
}

export function dashboard(): { readonly uid: string; readonly panels: readonly DashboardPanel[] } {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as { uid: string; panels: DashboardPanel[] };
}

export function dashboardExprs(): readonly { readonly panel: string; readonly expr: string }[] {
  return dashboard().panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
}

/** A dashboard expression as plain PromQL: Grafana's variables replaced by what they stand for. */
export function withoutGrafanaVariables(expr: string): string {
  return expr.replaceAll('$__rate_interval', '5m').replaceAll('$__interval', '1m').replace(/\$\{?\w+\}?/g, '.*');
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression selects: identifiers that are neither functions (followed
 * by `(`), keywords, label names (inside `{}` or a `by (…)` clause) nor strings and durations.
 */
export function metricNamesIn(expr: string): readonly string[] {
  const plain = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...plain.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)]
    .filter((m) => !/^\s*\(/.test(plain.slice(m.index + m[0].length)) && !/[0-9.]$/.test(plain.slice(0, m.index)))
    .map((m) => m[0])
    .filter((n) => !KEYWORDS.has(n.toLowerCase()));
  return [...new Set(names)];
}
