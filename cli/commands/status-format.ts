/** The human form of `cuttle status`: a summary line, then one table per role (loaders also per partition). */
import type { Fleet, FleetProcess } from '../../lib/status/fleet.ts';
import type { Role, StatusRecord } from '../../lib/status/record.ts';
import { renderTable } from '../context.ts';
import { formatBytes } from './limits-format.ts';

type RecordOf<R extends Role> = Extract<StatusRecord, { role: R }>;

const dash = '-';
const num = (value: number | null | undefined): string =>
  value === null || value === undefined ? dash : String(value);

export function formatDuration(ms: number | null): string {
  if (ms === null) return dash;
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

/** The columns every role shares: who, state, readiness and why not, how long up, last seen. */
function common(p: FleetProcess, now: number): string[] {
  const r = p.record;
  const ready = p.state !== 'live' ? dash : r.ready ? 'yes' : `no: ${r.reason ?? '?'}`;
  const up = p.state === 'live' ? formatDuration(now - Date.parse(r.startedAt)) : dash;
  const seen = formatDuration(now - Date.parse(p.lastSeenAt));
  return [r.id, p.state, ready, `${r.host}/${r.pid}`, r.version, up, `${seen} ago`];
}
const COMMON = ['ID', 'STATE', 'READY', 'HOST/PID', 'VERSION', 'UP', 'SEEN'];

function ofRole<R extends Role>(fleet: Fleet, role: R): (FleetProcess & { record: RecordOf<R> })[] {
  return fleet.processes.filter((p): p is FleetProcess & { record: RecordOf<R> } => p.record.role === role);
}

function executives(fleet: Fleet, now: number): string {
  const rows = ofRole(fleet, 'executive').map((p) => [
    ...common(p, now),
    num(p.record.figures.requestsPerSecond),
    p.record.figures.limiterMode,
    p.record.figures.url ?? dash,
  ]);
  return renderTable([...COMMON, 'REQ/S', 'LIMITER', 'URL'], rows);
}

function reflectors(fleet: Fleet, now: number): string {
  const rows = ofRole(fleet, 'reflector').map((p) => {
    const f = p.record.figures;
    return [
      ...common(p, now),
      num(f.ldbSeq),
      num(f.ledgerHead),
      num(f.lagEntries),
      f.lagMs === null ? dash : `${f.lagMs}ms`,
      f.stalenessSeconds === null ? dash : `${f.stalenessSeconds.toFixed(1)}s`,
    ];
  });
  return renderTable([...COMMON, 'LDB SEQ', 'HEAD', 'LAG', 'LAG MS', 'STALENESS'], rows);
}

function loaders(fleet: Fleet, now: number): string {
  const all = ofRole(fleet, 'loader');
  const rows = all.map((p) => {
    const lags = p.record.figures.partitions.map((x) => x.lag ?? 0);
    return [
      ...common(p, now),
      String(p.record.figures.partitions.length),
      lags.length === 0 ? dash : String(Math.max(...lags)),
      num(p.record.figures.deadLetters),
    ];
  });
  const processes = renderTable([...COMMON, 'PARTITIONS', 'MAX LAG', 'DEAD LETTERS'], rows);
  const partitions = all
    .filter((p) => p.state === 'live')
    .flatMap((p) =>
      p.record.figures.partitions.map((x) => [
        p.record.id,
        x.source,
        `${x.topic}/${x.partition}`,
        num(x.lag),
        formatDuration(x.oldestUnappliedAgeMs),
        x.halted ?? dash,
      ]),
    );
  if (partitions.length === 0) return processes;
  const table = renderTable(['LOADER', 'SOURCE', 'PARTITION', 'LAG', 'OLDEST', 'HALTED'], partitions);
  return `${processes}\n\n${table}`;
}

function supervisors(fleet: Fleet, now: number): string {
  const rows = ofRole(fleet, 'supervisor').map((p) => {
    const f = p.record.figures;
    return [
      ...common(p, now),
      num(f.ldbSeq),
      num(f.snapshotSeq),
      formatDuration(f.snapshotAgeMs),
      formatBytes(f.snapshotBytes),
      f.lastOutcome,
    ];
  });
  return renderTable([...COMMON, 'LDB SEQ', 'SNAPSHOT', 'AGE', 'SIZE', 'LAST TICK'], rows);
}

export function summaryLine(fleet: Fleet): string {
  const { status, reasons } = fleet.summary;
  return reasons.length === 0 ? `fleet: ${status}` : `fleet: ${status}: ${reasons.join('; ')}`;
}

export function renderFleet(fleet: Fleet, now: number = Date.now()): string {
  const sections = [
    summaryLine(fleet),
    `executives\n${executives(fleet, now)}`,
    `loaders\n${loaders(fleet, now)}`,
    `reflectors\n${reflectors(fleet, now)}`,
    `supervisors\n${supervisors(fleet, now)}`,
  ];
  return sections.join('\n\n');
}
