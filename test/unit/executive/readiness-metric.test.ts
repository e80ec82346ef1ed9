import { describe, expect, it } from 'vitest';
import { Registry } from '../../../lib/metrics.ts';
import { READY_METRIC, registerReadinessMetric } from '../../../services/executive/readiness-metric.ts';
import { checkReadiness } from '../../../services/executive/readiness.ts';

const up = { ping: () => Promise.resolve() };
const down = { ping: () => Promise.reject(new Error('ECONNREFUSED')) };
const hung = { ping: () => new Promise<void>(() => undefined) };
const healthy = { healthy: () => true };
const fallback = { healthy: () => false };

async function scrape(
  deps: Parameters<typeof registerReadinessMetric>[1],
  timeoutMs = 2000,
): Promise<number> {
  const registry = new Registry();
  registerReadinessMetric(registry, deps, { timeoutMs });
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === READY_METRIC);
  const value = metric?.values[0]?.value;
  if (value === undefined) throw new Error(`${READY_METRIC} has no value`);
  return value;
}

describe('executive readiness', () => {
  it('is ready when ctldb answers, degraded (still ready) on the limiter fallback, not ready otherwise', async () => {
    expect(await checkReadiness({ ctldb: up, limiter: healthy })).toEqual({ ready: true, status: 'ready' });
    expect(await checkReadiness({ ctldb: up, limiter: fallback })).toEqual({
      ready: true,
      status: 'degraded',
      limiter: 'fallback',
    });
    expect(await checkReadiness({ ctldb: down, limiter: healthy })).toMatchObject({
      ready: false,
      ctldb: 'unreachable',
    });
  });

  it('cuttle_executive_ready follows the same check at each scrape', async () => {
    expect(await scrape({ ctldb: up, limiter: healthy })).toBe(1);
    expect(await scrape({ ctldb: up, limiter: fallback })).toBe(1);
    expect(await scrape({ ctldb: down, limiter: healthy })).toBe(0);
  });

  it('counts a check that hangs past the timeout as not ready, without hanging the scrape', async () => {
    const started = Date.now();
    expect(await scrape({ ctldb: hung, limiter: healthy }, 50)).toBe(0);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
