/**
 * The limiter's metrics, declared in one place. `subject` is a writer name or `family.table`; both
 * sets are bounded (registered writers, created tables), so the label cardinality is too.
 *
 * Usage against a limit: `rate(cuttle_limits_admitted_mutations_total[1m])` against
 * `cuttle_limits_rate_per_second`, and `cuttle_limits_burst_used_ratio` (1 = requests wait).
 * Alert on `cuttle_limits_fallback_active == 1` (Redis unreachable, each executive enforces its
 * share) and on `cuttle_limits_table_over_soft == 1`.
 */
import { Counter, Gauge, Histogram, latencyBuckets, type Registry } from '../../../lib/metrics.ts';

export interface LimitsMetrics {
  readonly checks: Counter<'result' | 'mode'>;
  readonly rejections: Counter<'limit' | 'subject'>;
  readonly admittedMutations: Counter<'kind' | 'subject'>;
  readonly refundedMutations: Counter<'kind' | 'subject'>;
  readonly ratePerSecond: Gauge<'kind' | 'subject'>;
  readonly burstUsed: Gauge<'kind' | 'subject'>;
  readonly checkSeconds: Histogram<'mode'>;
  readonly fallbackActive: Gauge;
  readonly fallbackEntered: Counter;
  readonly settingsReloadFailures: Counter;
  readonly tableQuotaBytes: Gauge<'family' | 'table'>;
  readonly tableDataBytes: Gauge<'family' | 'table'>;
  readonly tableRows: Gauge<'family' | 'table'>;
  readonly tableSoftLimitBytes: Gauge<'family' | 'table'>;
  readonly tableHardLimitBytes: Gauge<'family' | 'table'>;
  readonly tableOverSoft: Gauge<'family' | 'table'>;
  readonly tableOverHard: Gauge<'family' | 'table'>;
  readonly measurements: Counter<'result'>;
  readonly measurementSeconds: Histogram;
}

export function createLimitsMetrics(registry: Registry): LimitsMetrics {
  const registers = [registry];
  const table = ['family', 'table'] as const;
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> =>
    new Gauge({ name, help, labelNames, registers });
  const fallbackActive = new Gauge({
    name: 'cuttle_limits_fallback_active',
    help: '1 while Redis is unreachable and this executive enforces its share of every limit in process',
    registers,
  });
  fallbackActive.set(0);
  return {
    checks: new Counter({
      name: 'cuttle_limits_checks_total',
      help: 'Limit checks by result (admitted, rate_limited, table_full) and mode (redis, fallback, local)',
      labelNames: ['result', 'mode'],
      registers,
    }),
    rejections: new Counter({
      name: 'cuttle_limits_rejections_total',
      help: 'Refused requests by the limit that refused them (writer_rate, table_rate, table_size)',
      labelNames: ['limit', 'subject'],
      registers,
    }),
    admittedMutations: new Counter({
      name: 'cuttle_limits_admitted_mutations_total',
      help: 'Mutations admitted, per writer and per table',
      labelNames: ['kind', 'subject'],
      registers,
    }),
    refundedMutations: new Counter({
      name: 'cuttle_limits_refunded_mutations_total',
      help: 'Mutations admitted and then given back because their request was not applied (duplicate, offset conflict, failure)',
      labelNames: ['kind', 'subject'],
      registers,
    }),
    ratePerSecond: gauge('cuttle_limits_rate_per_second', 'The rate limit in force', ['kind', 'subject']),
    burstUsed: gauge(
      'cuttle_limits_burst_used_ratio',
      'Share of the burst in use at the last check: 0 idle, 1 exhausted (requests wait)',
      ['kind', 'subject'],
    ),
    checkSeconds: new Histogram({
      name: 'cuttle_limits_check_seconds',
      help: 'Time to decide one request',
      labelNames: ['mode'],
      buckets: latencyBuckets,
      registers,
    }),
    fallbackActive,
    fallbackEntered: new Counter({
      name: 'cuttle_limits_fallback_entered_total',
      help: 'Times this executive switched to its in-process fallback limiter',
      registers,
    }),
    settingsReloadFailures: new Counter({
      name: 'cuttle_limits_settings_reload_failures_total',
      help: 'Failed reloads of the limit settings (the last good settings stay in force)',
      registers,
    }),
    tableQuotaBytes: gauge('cuttle_limits_table_quota_bytes', 'LDB bytes estimate the quotas compare', table),
    tableDataBytes: gauge('cuttle_limits_table_data_bytes', 'Exact sum of value sizes in ctldb', table),
    tableRows: gauge('cuttle_limits_table_rows', 'Rows at the last measurement', table),
    tableSoftLimitBytes: gauge('cuttle_limits_table_soft_limit_bytes', 'Soft quota (0: none)', table),
    tableHardLimitBytes: gauge('cuttle_limits_table_hard_limit_bytes', 'Hard quota (0: none)', table),
    tableOverSoft: gauge('cuttle_limits_table_over_soft', '1 when at or over the soft quota', table),
    tableOverHard: gauge('cuttle_limits_table_over_hard', '1 when at or over the hard quota', table),
    measurements: new Counter({
      name: 'cuttle_limits_measurements_total',
      help: 'Table-size measurements run by this executive (result: committed, skipped, failed)',
      labelNames: ['result'],
      registers,
    }),
    measurementSeconds: new Histogram({
      name: 'cuttle_limits_measurement_seconds',
      help: 'Time to measure every table',
      buckets: latencyBuckets,
      registers,
    }),
  };
}
