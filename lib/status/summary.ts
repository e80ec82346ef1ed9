/**
 * The fleet's one-line verdict: healthy, degraded or failing, with the reasons. Pure, so the
 * rules are tested on their own (test/unit/lib/status-summary.test.ts).
 *
 * failing: nothing is live, or no executive is (nothing can be written).
 * degraded: a role with no live process, a process gone (its record lapsed), a process not ready,
 * a reflector staler than its bound, a limiter on its fallback, a halted loader partition, dead
 * letters waiting, or a snapshot older than two intervals.
 */
import { ROLES, type StatusRecord } from './record.ts';
import type { SeenProcess } from './store.ts';

export type FleetHealth = 'healthy' | 'degraded' | 'failing';

export interface FleetSummary {
  readonly status: FleetHealth;
  readonly reasons: readonly string[];
}

export interface SummaryOptions {
  /** Overrides each reflector's own bound (seconds). */
  readonly maxStalenessSeconds?: number;
  /** A snapshot older than this many supervisor intervals is too old. @defaultValue 2 */
  readonly snapshotIntervals?: number;
}

const name = (record: Pick<StatusRecord, 'role' | 'id'>): string => `${record.role} ${record.id}`;
const seconds = (ms: number): string => `${Math.round(ms / 1000)} s`;

/** Milliseconds between the record's publication and `now` (0 if the clocks disagree). */
function sincePublished(record: StatusRecord, now: number): number {
  return Math.max(0, now - Date.parse(record.publishedAt));
}

function roleReasons(processes: readonly SeenProcess[]): { failing: string[]; degraded: string[] } {
  const failing: string[] = [];
  const degraded: string[] = [];
  for (const role of ROLES) {
    const ofRole = processes.filter((p) => p.record.role === role);
    if (ofRole.length === 0 || ofRole.some((p) => p.state === 'live')) continue;
    (role === 'executive' ? failing : degraded).push(`no live ${role}`);
  }
  return { failing, degraded };
}

function recordReasons(record: StatusRecord, now: number, options: SummaryOptions): string[] {
  const reasons: string[] = [];
  if (!record.ready) reasons.push(`${name(record)} not ready: ${record.reason ?? 'no reason given'}`);
  if (record.role === 'executive' && record.figures.limiterMode === 'fallback')
    reasons.push(`${name(record)}: limiter on its in-process fallback`);
  if (record.role === 'reflector') {
    const bound = options.maxStalenessSeconds ?? record.figures.maxStalenessSeconds;
    const staleness = record.figures.stalenessSeconds;
    if (staleness !== null && staleness > bound)
      reasons.push(`${name(record)} stale: ${Math.round(staleness)} s (over ${bound} s)`);
  }
  if (record.role === 'loader') {
    for (const p of record.figures.partitions)
      if (p.halted !== null) reasons.push(`${name(record)}: ${p.topic}/${p.partition} halted (${p.halted})`);
  }
  if (record.role === 'supervisor') {
    const limitMs = (options.snapshotIntervals ?? 2) * record.figures.intervalMs;
    const { snapshotAgeMs } = record.figures;
    const ageMs =
      snapshotAgeMs === null
        ? now - Date.parse(record.startedAt)
        : snapshotAgeMs + sincePublished(record, now);
    if (ageMs > limitMs) {
      const what =
        snapshotAgeMs === null
          ? `no snapshot ${seconds(ageMs)} after start`
          : `newest snapshot ${seconds(ageMs)} old`;
      reasons.push(`${name(record)}: ${what} (over ${seconds(limitMs)})`);
    }
  }
  return reasons;
}

/** Loaders share one dead-letter queue: report the largest count any of them saw. */
function deadLetterReason(live: readonly SeenProcess[]): string[] {
  let most = 0;
  for (const p of live)
    if (p.record.role === 'loader') most = Math.max(most, p.record.figures.deadLetters ?? 0);
  return most > 0 ? [`${most} dead letter${most === 1 ? '' : 's'} waiting`] : [];
}

export function summarize(
  processes: readonly SeenProcess[],
  now: number,
  options: SummaryOptions = {},
): FleetSummary {
  const live = processes.filter((p) => p.state === 'live');
  if (live.length === 0) return { status: 'failing', reasons: ['no live process'] };
  const roles = roleReasons(processes);
  const gone = processes
    .filter((p) => p.state === 'gone')
    .map((p) => `${name(p.record)} gone (last seen ${seconds(sincePublished(p.record, now))} ago)`);
  const degraded = [
    ...roles.degraded,
    ...gone,
    ...live.flatMap((p) => recordReasons(p.record, now, options)),
    ...deadLetterReason(live),
  ];
  if (roles.failing.length > 0) return { status: 'failing', reasons: [...roles.failing, ...degraded] };
  return { status: degraded.length > 0 ? 'degraded' : 'healthy', reasons: degraded };
}
