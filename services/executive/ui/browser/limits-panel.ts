/**
 * Limits in force with their live usage (GET /limits/usage), and a form that sets a writer's or
 * a table's limit through the existing routes (PUT /limits/writers/:writer,
 * PUT /limits/tables/:family/:table), as `cuttle limits set` does.
 */
import type { LimitsUsage, RateUsage } from '../../limits/usage.ts';
import type { Act } from './actions.ts';
import { api, path } from './api.ts';
import { bytesText, field, h, orDash, table } from './dom.ts';

export const rateText = (u: RateUsage): string =>
  u.rate === null ? 'no limit' : `${u.rate.perSecond}/s, burst ${u.rate.burst}`;
const usedText = (u: RateUsage): string => `${Math.round(u.burstUsed * 100)}%`;

function numberInput(min: number, required: boolean): HTMLInputElement {
  const input = h('input', { type: 'number', min: String(min), step: '1', inputmode: 'numeric' });
  input.required = required;
  return input;
}

function limitForm(usage: LimitsUsage, act: Act): HTMLFormElement {
  const target = h('select', {});
  for (const w of usage.writers) target.append(new Option(`writer ${w.writer}`, `writer:${w.writer}`));
  for (const t of usage.tables)
    target.append(new Option(`table ${t.family}.${t.table}`, `table:${t.family}.${t.table}`));
  const amount = numberInput(1, true);
  const period = numberInput(1, true);
  period.value = '1000';
  const warn = numberInput(1, false);
  const max = numberInput(1, false);
  const form = h(
    'form',
    { id: 'limit-form', 'aria-label': 'Change a limit' },
    field('limit-target', 'Writer or table', target),
    field('limit-amount', 'Mutations per period', amount),
    field('limit-period', 'Period (ms)', period),
    field('limit-warn', 'Warn at bytes (tables, optional)', warn),
    field('limit-max', 'Refuse at bytes (tables, optional)', max),
    h('button', { type: 'submit' }, 'Set limit'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const [kind, name] = target.value.split(/:(.*)/s) as [string, string];
    const body: Record<string, number> = {
      rateAmount: Number(amount.value),
      ratePeriodMs: Number(period.value),
    };
    if (kind === 'writer') {
      void act(`limit of writer ${name} set`, () => api('PUT', path('/limits/writers', name), body));
      return;
    }
    if (warn.value !== '') body.warnBytes = Number(warn.value);
    if (max.value !== '') body.maxBytes = Number(max.value);
    const [family = '', tableName = ''] = name.split('.');
    void act(`limit of table ${name} set`, () => api('PUT', path('/limits/tables', family, tableName), body));
  });
  return form;
}

export function limitsPanel(usage: LimitsUsage, act: Act): Node[] {
  return [
    h('p', {}, `Limiter mode: ${usage.mode}`),
    table(
      'Writer limits',
      ['Writer', 'Rate', 'Burst used', 'Own setting'],
      usage.writers.map((w) => [w.writer, rateText(w), usedText(w), w.overridden ? 'yes' : 'default']),
    ),
    table(
      'Table limits',
      ['Table', 'Rate', 'Burst used', 'Warn at', 'Refuse at', 'Size', 'Over'],
      usage.tables.map((t) => [
        `${t.family}.${t.table}`,
        rateText(t),
        usedText(t),
        bytesText(t.warnBytes),
        bytesText(t.maxBytes),
        bytesText(t.size?.dataBytes),
        t.overHard ? 'hard quota' : t.overSoft ? 'soft quota' : orDash(null),
      ]),
    ),
    limitForm(usage, act),
  ];
}
