/**
 * Sources (GET /sources) with their connector's state, and the lag the live loaders report for
 * them in their status records (GET /fleet). Pause and resume go through PUT /sources/:source/state.
 */
import type { Fleet } from '../../../../lib/status/fleet.ts';
import type { SourceListing } from '../../admin/sources-admin.ts';
import type { Act } from './actions.ts';
import { api, path } from './api.ts';
import type { PageData } from './data.ts';
import { ageText, button, h, orDash, table } from './dom.ts';

export interface SourceLag {
  readonly partitions: number;
  readonly lag: number | null;
  readonly oldestMs: number | null;
  readonly halted: string[];
}

/** Summed over the partitions the live loaders hold for the source. */
export function lagOf(fleet: Fleet, source: string): SourceLag {
  let partitions = 0;
  let lag: number | null = null;
  let oldestMs: number | null = null;
  const halted: string[] = [];
  for (const p of fleet.processes) {
    if (p.state !== 'live' || p.record.role !== 'loader') continue;
    for (const q of p.record.figures.partitions) {
      if (q.source !== source) continue;
      partitions++;
      if (q.lag !== null) lag = (lag ?? 0) + q.lag;
      if (q.oldestUnappliedAgeMs !== null) oldestMs = Math.max(oldestMs ?? 0, q.oldestUnappliedAgeMs);
      if (q.halted !== null) halted.push(`${q.topic}/${q.partition}: ${q.halted}`);
    }
  }
  return { partitions, lag, oldestMs, halted };
}

export function connectorText(s: SourceListing, connect: boolean): string {
  if (s.connectorError !== null) return `unknown: ${s.connectorError}`;
  if (s.connector === null)
    return connect ? 'not found in Kafka Connect' : 'not watched (no EXECUTIVE_CONNECT_URL)';
  const tasks = s.connector.tasks.map((t) => `task ${t.id} ${t.state}`).join(', ');
  return tasks === '' ? s.connector.connector.state : `${s.connector.connector.state} (${tasks})`;
}

export function sourcesPanel(data: PageData['sources'], fleet: Fleet | null, act: Act): Node[] {
  const rows = data.sources.map((s) => {
    const lag = fleet === null ? null : lagOf(fleet, s.name);
    const next = s.state === 'paused' ? 'active' : 'paused';
    const label = `${next === 'paused' ? 'Pause' : 'Resume'} ${s.name}`;
    const toggle = button(next === 'paused' ? 'Pause' : 'Resume', () => {
      void act(`source ${s.name} ${next}`, () =>
        api('PUT', path('/sources', s.name, 'state'), { state: next }),
      );
    });
    toggle.setAttribute('aria-label', label);
    return [
      s.name,
      s.state,
      orDash(s.connectorName),
      connectorText(s, data.connect),
      lag === null ? '–' : String(lag.partitions),
      lag === null ? '–' : orDash(lag.lag),
      lag === null ? '–' : ageText(lag.oldestMs),
      lag === null || lag.halted.length === 0 ? '–' : lag.halted.join('; '),
      toggle,
    ];
  });
  return [
    table(
      'Sources',
      [
        'Source',
        'State',
        'Connector',
        'Connector state',
        'Partitions',
        'Lag (events)',
        'Oldest unapplied',
        'Halted',
        'Action',
      ],
      rows,
    ),
    h('p', { class: 'note' }, 'Lag comes from the live loaders’ status records.'),
  ];
}
