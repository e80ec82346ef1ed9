/**
 * The reflector's metrics, declared in one place. Gauges that depend on the clock (staleness)
 * are computed when Prometheus scrapes.
 */
import { Counter, Gauge, Histogram, latencyBuckets, type Registry } from '../metrics.ts';

export interface ReflectorMetrics {
  readonly seq: Gauge;
  readonly headSeq: Gauge;
  readonly staleness: Gauge;
  readonly caughtUp: Gauge;
  readonly entriesApplied: Counter;
  readonly batchesApplied: Counter;
  readonly batchApplySeconds: Histogram;
  readonly gaps: Counter;
  readonly errors: Counter<'code'>;
  readonly wakeups: Counter<'reason'>;
  readonly walBytes: Gauge;
  readonly checkpoints: Counter<'mode' | 'result'>;
  readonly changelogLines: Counter;
}

export interface MetricProbes {
  /** Seconds since the newest commit the LDB has applied (Infinity before the first). */
  stalenessSeconds(): number;
  caughtUp(): boolean;
}

export function createReflectorMetrics(registry: Registry, probes: MetricProbes): ReflectorMetrics {
  const registers = [registry];
  return {
    seq: new Gauge({ name: 'cuttle_reflector_seq', help: 'Last ledger seq applied to the LDB.', registers }),
    headSeq: new Gauge({
      name: 'cuttle_reflector_ledger_head_seq',
      help: 'Ledger head seq seen at the last poll (a lower bound while a backlog is read).',
      registers,
    }),
    staleness: new Gauge({
      name: 'cuttle_reflector_staleness_seconds',
      help: 'Seconds since the commit of the newest ledger entry (heartbeats included) applied to the LDB; -1 before the first.',
      registers,
      collect() {
        const s = probes.stalenessSeconds();
        this.set(Number.isFinite(s) ? s : -1);
      },
    }),
    caughtUp: new Gauge({
      name: 'cuttle_reflector_caught_up',
      help: '1 when the LDB is at the ledger head of the last poll and staleness is under the bound.',
      registers,
      collect() {
        this.set(probes.caughtUp() ? 1 : 0);
      },
    }),
    entriesApplied: new Counter({
      name: 'cuttle_reflector_entries_applied_total',
      help: 'Ledger entries applied to the LDB.',
      registers,
    }),
    batchesApplied: new Counter({
      name: 'cuttle_reflector_batches_applied_total',
      help: 'Ledger batches applied, each in one SQLite transaction.',
      registers,
    }),
    batchApplySeconds: new Histogram({
      name: 'cuttle_reflector_batch_apply_seconds',
      help: 'Time to apply one batch and commit it.',
      buckets: latencyBuckets,
      registers,
    }),
    gaps: new Counter({
      name: 'cuttle_reflector_ledger_gaps_total',
      help: 'Gaps found in the ledger seq (each stops the reflector).',
      registers,
    }),
    errors: new Counter({
      name: 'cuttle_reflector_errors_total',
      help: 'Errors of the follow loop, by error code.',
      labelNames: ['code'],
      registers,
    }),
    wakeups: new Counter({
      name: 'cuttle_reflector_wakeups_total',
      help: 'Ends of an idle wait: notified (ledger advanced) or timeout (poll).',
      labelNames: ['reason'],
      registers,
    }),
    walBytes: new Gauge({ name: 'cuttle_reflector_wal_bytes', help: 'Size of the LDB WAL file.', registers }),
    checkpoints: new Counter({
      name: 'cuttle_reflector_checkpoints_total',
      help: 'WAL checkpoints by mode and result (complete, or busy when a reader held frames back).',
      labelNames: ['mode', 'result'],
      registers,
    }),
    changelogLines: new Counter({
      name: 'cuttle_reflector_changelog_lines_total',
      help: 'Lines appended to the changelog.',
      registers,
    }),
  };
}
