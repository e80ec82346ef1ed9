/** Fleet status: the summary line, then a table per role (issue 16, `cuttle status`'s view). */
import type { Fleet, FleetProcess } from '../../../../lib/status/fleet.ts';
import { ageText, bytesText, h, orDash, table } from './dom.ts';

const ROLES = ['executive', 'loader', 'reflector', 'supervisor'] as const;

/** The few figures of each role that say whether it keeps up. */
export function figuresText(p: FleetProcess): string {
  const r = p.record;
  switch (r.role) {
    case 'executive':
      return `${r.figures.requestsPerSecond.toFixed(1)} req/s, limiter ${r.figures.limiterMode}`;
    case 'reflector':
      return `seq ${r.figures.ldbSeq}, lag ${orDash(r.figures.lagEntries)} entries, staleness ${orDash(r.figures.stalenessSeconds)} s`;
    case 'loader': {
      const lag = r.figures.partitions.reduce((sum, q) => sum + (q.lag ?? 0), 0);
      return `${r.figures.partitions.length} partitions, lag ${lag}, dead letters ${orDash(r.figures.deadLetters)}`;
    }
    case 'supervisor':
      return `snapshot seq ${orDash(r.figures.snapshotSeq)}, ${bytesText(r.figures.snapshotBytes)}, age ${ageText(r.figures.snapshotAgeMs)}`;
  }
}

export function fleetPanel(fleet: Fleet): Node[] {
  const status = fleet.summary.status;
  const summary = h(
    'p',
    { class: `summary ${status}`, id: 'fleet-summary' },
    h('strong', {}, `Fleet: ${status}`),
    ` (${fleet.processes.length} processes, as of ${fleet.generatedAt})`,
  );
  const reasons = h(
    'ul',
    { class: 'reasons' },
    ...fleet.summary.reasons.map((reason) => h('li', {}, reason)),
  );
  const tables = ROLES.map((role) =>
    table(
      `${role}s`,
      ['Id', 'Host', 'State', 'Ready', 'Reason', 'Version', 'Last seen', 'Figures'],
      fleet.processes
        .filter((p) => p.record.role === role)
        .map((p) => [
          p.record.id,
          p.record.host,
          p.state,
          p.record.ready ? 'yes' : 'no',
          orDash(p.record.reason),
          p.record.version,
          p.lastSeenAt,
          figuresText(p),
        ]),
    ),
  );
  return [summary, reasons, ...tables];
}
