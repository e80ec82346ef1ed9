/** The human form of `cuttle sources add --dry-run`: the whole mapping plan, then every problem. */
import type { SourcePlan } from '../../services/loader/sources/source-plan.ts';
import { renderTable } from '../context.ts';

export function planText(source: string, plan: SourcePlan): string {
  const tables = plan.tables.map((table) =>
    [
      `${table.source} → ${table.target}  key (${table.keyColumns.join(', ') || 'none'})`,
      renderTable(
        ['COLUMN', 'ORIGIN TYPE', 'KEY', 'FIELD', 'CUTTLE TYPE'],
        table.columns.map((c) => [
          c.column,
          c.type,
          c.key ? 'key' : '',
          c.status === 'mapped' ? (c.field ?? '') : `(${c.status})`,
          c.fieldType ?? '',
        ]),
      ),
    ].join('\n'),
  );
  const verdict =
    plan.refusals.length === 0
      ? `source ${source} can be registered (${plan.warnings.length} warning(s))`
      : `source ${source} cannot be registered: ${plan.refusals.length} refusal(s)`;
  return [
    ...tables,
    ...plan.warnings.map((w) => `warning: ${w}`),
    ...plan.refusals.map((r) => `refused (${r.code}): ${r.message}`),
    verdict,
  ].join('\n\n');
}
