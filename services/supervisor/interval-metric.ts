/**
 * `cuttle_supervisor_snapshot_interval_seconds`: the configured snapshot interval, exported so the
 * "no snapshot for 2 intervals" alert compares the snapshot age with this supervisor's own
 * setting (ops/alerts/cuttle.rules.yml) instead of a number copied into the rule.
 */
import { Gauge, type Registry } from '../../lib/metrics.ts';

export function registerIntervalMetric(registry: Registry, intervalMs: number): Gauge {
  const gauge = new Gauge({
    name: 'cuttle_supervisor_snapshot_interval_seconds',
    help: 'Configured snapshot interval (SUPERVISOR_INTERVAL_MS), in seconds.',
    registers: [registry],
  });
  gauge.set(intervalMs / 1000);
  return gauge;
}
