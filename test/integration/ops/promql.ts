/**
 * Metric names in PromQL expressions and in Prometheus text exposition, for checking that the
 * shipped alert rules and dashboard only read metrics cuttle exports.
 */

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'inf',
  'nan',
]);

/**
 * The metric names an expression selects. Label matchers, grouping label lists, range and offset
 * durations, strings and Grafana variables are removed first; then every identifier that is not
 * a keyword and not a function or aggregation (followed by "(") is a metric name.
 */
export function metricNamesIn(expr: string): Set<string> {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+-?\w+/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][\w:]*(?![\w:])(?!\s*\()/g)) {
    const word = match[0];
    const before = stripped[match.index - 1];
    if (before !== undefined && /[\d.]/.test(before)) continue; // 1e3, 0.5
    if (!KEYWORDS.has(word.toLowerCase())) names.add(word);
  }
  return names;
}

/** Series names a /metrics page declares (# TYPE lines), with the series each histogram and summary exposes. */
export function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = match as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

/** Every `expr` of a Grafana dashboard: panels, rows' panels, and template variable queries. */
export function dashboardExprs(dashboard: unknown): string[] {
  const exprs: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'expr' && typeof value === 'string') exprs.push(value);
        else visit(value);
      }
    }
  };
  visit(dashboard);
  return exprs;
}

/** Label names an expression groups, matches or filters on: `by (…)`, `on (…)`, `{label="…"}`. */
export function labelNamesIn(expr: string): Set<string> {
  const labels = new Set<string>();
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  for (const m of withoutStrings.matchAll(
    /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g,
  ))
    for (const label of (m[1] as string).split(',')) if (label.trim() !== '') labels.add(label.trim());
  for (const m of withoutStrings.matchAll(/\{([^}]*)\}/g))
    for (const matcher of (m[1] as string).matchAll(/([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)/g))
      labels.add(matcher[1] as string);
  return labels;
}

/** Label names an alert annotation reads: `{{ $labels.x }}`. */
export function annotationLabels(template: string): Set<string> {
  return new Set([...template.matchAll(/\$labels\.(\w+)/g)].map((m) => m[1] as string));
}

/** Label names a Grafana legend shows: `{{x}}`. */
export function legendLabels(legend: string): Set<string> {
  return new Set([...legend.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] as string));
}

/** The metric a series name belongs to: a histogram's `_bucket`, `_sum` and `_count` are its own. */
export function baseMetric(series: string, known: ReadonlyMap<string, unknown>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (series.endsWith(suffix) && known.has(series.slice(0, -suffix.length)))
      return series.slice(0, -suffix.length);
  }
  return series;
}
