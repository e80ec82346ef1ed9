/**
 * The shipped alert rules (ops/alerts) and Grafana dashboard (ops/grafana): promtool accepts the
 * rules and their unit tests pass, every alert has a runbook entry in docs/operations.md, and
 * every metric the rules and the dashboard read is exported by a running cuttle service.
 * promtool comes from Debian's `prometheus` package; without it these tests fail (never skip).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startFleet, type Fleet } from './fleet.ts';
import {
  annotationLabels,
  baseMetric,
  dashboardExprs,
  exportedNames,
  labelNamesIn,
  legendLabels,
  metricNamesIn,
} from './promql.ts';
import { promtool } from './promtool.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const alertsDir = join(root, 'ops', 'alerts');

interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly annotations: Record<string, string>;
}
interface RuleTest {
  readonly alert_rule_test: readonly { alertname: string; exp_alerts: readonly unknown[] }[];
}

const rules = (
  parse(readFileSync(join(alertsDir, 'cuttle.rules.yml'), 'utf8')) as { groups: { rules: AlertRule[] }[] }
).groups.flatMap((g) => g.rules);
const ruleTests = (
  parse(readFileSync(join(alertsDir, 'cuttle.rules.test.yml'), 'utf8')) as { tests: RuleTest[] }
).tests;
const dashboard: unknown = JSON.parse(
  readFileSync(join(root, 'ops', 'grafana', 'cuttle-dashboard.json'), 'utf8'),
);

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  for (const match of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    found.add(
      (match[1] as string)
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    );
  }
  return found;
}

/** Labels every scraped series has: the registry's default `service`, and Prometheus's target labels. */
const SCRAPE_LABELS = ['service', 'job', 'instance'];

/** The labels of `used` that none of the series an expression reads carries. */
function unknownLabels(
  series: Iterable<string>,
  used: Iterable<string>,
  labelsByMetric: ReadonlyMap<string, ReadonlySet<string>>,
): string[] {
  const available = new Set(SCRAPE_LABELS);
  for (const name of series) {
    for (const label of labelsByMetric.get(baseMetric(name, labelsByMetric)) ?? []) available.add(label);
    if (name.endsWith('_bucket')) available.add('le');
  }
  return [...new Set(used)].filter((label) => !available.has(label)).sort();
}

interface Target {
  readonly expr: string;
  readonly legendFormat?: string;
}

function dashboardTargets(): Target[] {
  const panels = (dashboard as { panels: { targets?: Target[] }[] }).panels;
  return panels.flatMap((p) => p.targets ?? []);
}

function missing(referenced: Iterable<string>, exported: ReadonlySet<string>): string[] {
  return [...new Set(referenced)].filter((name) => !exported.has(name)).sort();
}

describe('ops/alerts: the Prometheus rules', () => {
  it('ships the alerts issue 16 asks for', () => {
    expect(rules.map((r) => r.alert).sort()).toEqual([
      'CuttleDeadLetters',
      'CuttleExecutiveNotReady',
      'CuttleLedgerGap',
      'CuttleLimiterFallback',
      'CuttleLoaderLagHigh',
      'CuttleLoaderStalled',
      'CuttleReflectorStale',
      'CuttleSnapshotMissing',
      'CuttleTableOverSoftQuota',
    ]);
  });

  it('promtool check rules accepts them', () => {
    const run = promtool(['check', 'rules', 'cuttle.rules.yml'], alertsDir);
    expect(run.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(run.status).toBe(0);
  });

  it('promtool test rules passes, and every alert is tested both firing and quiet', () => {
    const run = promtool(['test', 'rules', 'cuttle.rules.test.yml'], alertsDir);
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
    const cases = ruleTests.flatMap((t) => t.alert_rule_test);
    for (const { alert } of rules) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(
        mine.some((c) => c.exp_alerts.length > 0),
        `${alert} fires in a test`,
      ).toBe(true);
      expect(
        mine.some((c) => c.exp_alerts.length === 0),
        `${alert} stays quiet in a test`,
      ).toBe(true);
    }
  });

  it('every alert links a runbook entry that exists in docs/operations.md', () => {
    const headings = anchors(readFileSync(join(root, 'docs', 'operations.md'), 'utf8'));
    for (const { alert, annotations } of rules) {
      const url = annotations.runbook_url ?? '';
      expect(url, alert).toBe(`docs/operations.md#${alert.toLowerCase()}`);
      expect(headings.has(alert.toLowerCase()), `a "## ${alert}" heading in docs/operations.md`).toBe(true);
    }
  });
});

describe('ops/grafana: the dashboard', () => {
  it('is a dashboard whose every query is PromQL promtool accepts', async () => {
    const exprs = dashboardExprs(dashboard);
    expect(exprs.length).toBeGreaterThan(30);
    // promtool has no expression checker: each query becomes a recording rule (Grafana's
    // $__rate_interval as a fixed range) and the file is checked.
    const records = exprs.map((expr, i) => ({
      record: `cuttle:dashboard_query_${i}`,
      expr: expr.replaceAll('$__rate_interval', '5m'),
    }));
    const dir = await mkdtemp(join(tmpdir(), 'cuttle-dashboard-'));
    try {
      await writeFile(
        join(dir, 'queries.yml'),
        JSON.stringify({ groups: [{ name: 'dashboard', rules: records }] }),
      );
      const run = promtool(['check', 'rules', 'queries.yml'], dir);
      expect(run.output).toContain(`SUCCESS: ${exprs.length} rules found`);
      expect(run.status).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('PromQL metric names', () => {
  it('finds the selected metrics and nothing else', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.99, sum by (le, source) (rate(cuttle_a_bucket{status=~"5..", x="y"}[$__rate_interval]))) > 1e3',
      ),
    ).toEqual(new Set(['cuttle_a_bucket']));
    expect(
      metricNamesIn(
        '(max by (p) (x_lag) > 0) unless on (p) (sum by (p) (increase(y_total[5m] offset 1h)) > 0) or z == -1',
      ),
    ).toEqual(new Set(['x_lag', 'y_total', 'z']));
    expect(metricNamesIn('2 * a and (time() - b) > 2 * c')).toEqual(new Set(['a', 'b', 'c']));
  });
});

describe('every metric the rules and the dashboard read is exported by a running cuttle service', () => {
  let fleet: Fleet;
  const exported = new Set<string>();

  beforeAll(async () => {
    fleet = await startFleet();
    for (const [role, url] of Object.entries(fleet.metricsUrls)) {
      const response = await fetch(url, { headers: { authorization: `Bearer ${fleet.adminToken}` } });
      expect(response.status, `${role} ${url}`).toBe(200);
      const names = exportedNames(await response.text());
      expect(names.size, `${role} exports metrics`).toBeGreaterThan(10);
      for (const name of names) exported.add(name);
    }
  });

  afterAll(async () => {
    await fleet?.close();
  });

  it('the alert rules', () => {
    for (const { alert, expr } of rules) {
      const names = metricNamesIn(expr);
      expect(names.size, `${alert} reads a metric`).toBeGreaterThan(0);
      expect(missing(names, exported), `${alert}: ${expr}`).toEqual([]);
    }
  });

  it('the dashboard', () => {
    const names = dashboardExprs(dashboard).flatMap((expr) => [...metricNamesIn(expr)]);
    expect(missing(names, exported)).toEqual([]);
  });

  it('the labels each alert groups and matches on, and its annotations read, are labels of the metrics it reads', () => {
    for (const { alert, expr, annotations } of rules) {
      const used = [
        ...labelNamesIn(expr),
        ...Object.values(annotations).flatMap((a) => [...annotationLabels(a)]),
      ];
      expect(unknownLabels(metricNamesIn(expr), used, fleet.labelsByMetric), alert).toEqual([]);
    }
  });

  it('the labels each dashboard query groups on and its legend shows are labels of the metrics it reads', () => {
    for (const { expr, legendFormat } of dashboardTargets()) {
      const legend = legendLabels(legendFormat ?? '');
      const used = [...labelNamesIn(expr), ...legend];
      expect(unknownLabels(metricNamesIn(expr), used, fleet.labelsByMetric), expr).toEqual([]);
      // An aggregation keeps only its `by` labels: a legend showing another one would be empty.
      const kept = [...expr.matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap((m) =>
        (m[1] as string).split(',').map((l) => l.trim()),
      );
      if (kept.length > 0)
        expect(
          [...legend].filter((l) => !kept.includes(l)),
          `${expr} / ${legendFormat}`,
        ).toEqual([]);
    }
  });

  it('a label no such metric has is reported', () => {
    const expr = 'sum by (tenant, source) (cuttle_loader_consumer_lag{partition="0"})';
    expect(unknownLabels(metricNamesIn(expr), labelNamesIn(expr), fleet.labelsByMetric)).toEqual(['tenant']);
  });

  it('a name no service exports is reported', () => {
    expect(
      missing(metricNamesIn('rate(cuttle_loader_events_total[5m]) + cuttle_not_a_metric'), exported),
    ).toEqual(['cuttle_not_a_metric']);
  });
});
