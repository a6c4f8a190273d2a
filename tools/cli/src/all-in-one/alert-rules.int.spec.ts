import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { alertRules, dashboard, dashboardExprs, RULES_FILE, RULES_TEST_FILE, withoutGrafanaVariables } from './testdata/operations-files';

// The shipped Prometheus rules and Grafana dashboard, checked by Prometheus' own promtool
// (Debian package `prometheus`): a failure of promtool fails the spec, a missing promtool too.
function promtool(...args: string[]): { readonly code: number | null; readonly output: string } {
  const result = spawnSync('promtool', args, { encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw new Error(`promtool could not run (${result.error.message}): install Debian's prometheus package (apt-get install prometheus)`);
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'authtrail-promtool-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('Prometheus alert rules (infra/prometheus)', () => {
  it('pass promtool check rules, every rule counted', () => {
    const { code, output } = promtool('check', 'rules', RULES_FILE);
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining(`SUCCESS: ${alertRules().length} rules found`) });
  });

  it('pass their promtool unit tests', () => {
    const { code, output } = promtool('test', 'rules', RULES_TEST_FILE);
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('have a unit test for every alert', () => {
    const tested = new Set([...readFileSync(RULES_TEST_FILE, 'utf8').matchAll(/alertname: (\w+)/g)].map((m) => m[1]));
    expect(alertRules().map((r) => r.alert).filter((a) => !tested.has(a))).toEqual([]);
  });

  it('the unit tests fail when a threshold moves (internal errors above 50% instead of 1%)', () => {
    const rules = readFileSync(RULES_FILE, 'utf8');
    const moved = rules.replace('[5m])) > 0.01', '[5m])) > 0.5');
    expect(moved).not.toBe(rules);
    writeFileSync(path.join(scratch, 'authtrail.rules.yml'), moved);
    copyFileSync(RULES_TEST_FILE, path.join(scratch, 'authtrail.rules.test.yml'));
    const { code, output } = promtool('test', 'rules', path.join(scratch, 'authtrail.rules.test.yml'));
    expect(code).not.toBe(0);
    expect(output).toContain('AuthtrailAuthnInternalErrors');
  });

  it('promtool check rules fails on an expression that does not parse', () => {
    const broken = path.join(scratch, 'broken.rules.yml');
    writeFileSync(broken, 'groups:\n  - name: broken\n    rules:\n      - alert: Broken\n        expr: sum by (job (rate(authtrail_events_dropped_total[5m]))\n');
    const { code, output } = promtool('check', 'rules', broken);
    expect(code).not.toBe(0);
    expect(output).toContain('broken.rules.yml');
  });
});

describe('Grafana dashboard (infra/grafana)', () => {
  it('is a dashboard with a uid, unique panel ids and a query in every graph', () => {
    const board = dashboard();
    expect(board.uid).toBe('authtrail-overview');
    const ids = board.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const graphs = board.panels.filter((p) => p.type !== 'row');
    expect(graphs.length).toBeGreaterThan(0);
    expect(graphs.filter((p) => (p.targets ?? []).length === 0 || p.targets?.some((t) => t.expr.trim() === ''))).toEqual([]);
  });

  it("every panel's PromQL parses (promtool, as recording rules)", () => {
    const exprs = dashboardExprs();
    const file = path.join(scratch, 'dashboard.rules.yml');
    const rules = exprs.map((e, i) => `      - record: authtrail:dashboard_${i}\n        expr: ${JSON.stringify(withoutGrafanaVariables(e.expr))}\n`);
    writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules.join('')}`);
    const { code, output } = promtool('check', 'rules', file);
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining(`SUCCESS: ${exprs.length} rules found`) });
  });
});
