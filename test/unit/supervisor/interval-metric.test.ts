import { describe, expect, it } from 'vitest';
import { Registry } from '../../../lib/metrics.ts';
import { registerIntervalMetric } from '../../../services/supervisor/interval-metric.ts';

describe('cuttle_supervisor_snapshot_interval_seconds', () => {
  it('exports the configured interval in seconds', async () => {
    const registry = new Registry();
    registerIntervalMetric(registry, 90_000);
    const metric = (await registry.getMetricsAsJSON()).find(
      (m) => m.name === 'cuttle_supervisor_snapshot_interval_seconds',
    );
    expect(metric?.values.map((v) => v.value)).toEqual([90]);
  });
});
