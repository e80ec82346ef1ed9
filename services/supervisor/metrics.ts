/**
 * The supervisor's snapshot metrics, declared in one place. The age is computed at scrape time
 * from the newest published snapshot this supervisor knows of (its own or another's).
 */
import { Counter, Gauge, Histogram, type Registry } from '../../lib/metrics.ts';

export interface SupervisorMetrics {
  readonly age: Gauge;
  readonly seq: Gauge;
  readonly bytes: Gauge<'kind'>;
  readonly duration: Histogram<'phase'>;
  readonly attempts: Counter<'outcome'>;
  readonly failures: Counter<'code'>;
}

/** Snapshot durations: 10 ms to 10 minutes. */
const durationBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160, 320, 600];

export function createSupervisorMetrics(
  registry: Registry,
  newestCreatedAt: () => number | null,
): SupervisorMetrics {
  const registers = [registry];
  return {
    age: new Gauge({
      name: 'cuttle_supervisor_snapshot_age_seconds',
      help: 'Seconds since the newest published snapshot was made; -1 while none is known.',
      registers,
      collect() {
        const createdAt = newestCreatedAt();
        this.set(createdAt === null ? -1 : Math.max(0, (Date.now() - createdAt) / 1000));
      },
    }),
    seq: new Gauge({
      name: 'cuttle_supervisor_snapshot_seq',
      help: 'Seq of the newest published snapshot.',
      registers,
    }),
    bytes: new Gauge({
      name: 'cuttle_supervisor_snapshot_bytes',
      help: 'Size of the last snapshot this supervisor made: kind="ldb" uncompressed, kind="compressed" stored.',
      labelNames: ['kind'],
      registers,
    }),
    duration: new Histogram({
      name: 'cuttle_supervisor_snapshot_duration_seconds',
      help: 'Time per phase of a snapshot this supervisor made (copy, compress, upload, total).',
      labelNames: ['phase'],
      buckets: durationBuckets,
      registers,
    }),
    attempts: new Counter({
      name: 'cuttle_supervisor_snapshot_attempts_total',
      help: 'Snapshot triggers by outcome: published, unchanged, slot_taken, busy, not_caught_up, stale, aborted, failed.',
      labelNames: ['outcome'],
      registers,
    }),
    failures: new Counter({
      name: 'cuttle_supervisor_snapshot_failures_total',
      help: 'Snapshots that failed, by error code.',
      labelNames: ['code'],
      registers,
    }),
  };
}
