import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../lib/config.ts';
import { isCuttleError } from '../../../lib/errors.ts';
import { silentLogger } from '../../../lib/logging.ts';
import { Registry } from '../../../lib/metrics.ts';
import { createLimits } from '../../../services/executive/limits/create-limits.ts';
import { limitsKeys } from '../../../services/executive/limits/keys.ts';
import type { MutationUsage } from '../../../services/executive/limits/limiter.ts';
import { limitsOptions } from '../../../services/executive/limits/limits-config.ts';
import { RedisLimitsStore } from '../../../services/executive/limits/redis-store-adapter.ts';
import {
  dropPrefix,
  metricValue,
  MutableSettings,
  PrivateRedis,
  startTestLimiter,
  uniquePrefix,
  type TestLimiter,
} from './context.ts';

const writes = (writer: string, mutations = 1): MutationUsage => ({
  writer,
  family: 'fam',
  tables: [{ table: 'flags', mutations, upserts: mutations, deletes: 0, upsertBytes: 0 }],
});

const open: TestLimiter[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

async function two(
  prefix: string,
  settings: MutableSettings,
  url?: string,
  settingsPollMs = 1000,
): Promise<TestLimiter[]> {
  const defaults = {
    writerRate: { perSecond: 100, burst: 10 },
    tableRate: null,
    warnBytes: null,
    maxBytes: null,
  };
  for (let i = 0; i < 2; i++) {
    open.push(
      await startTestLimiter({
        prefix,
        source: settings,
        defaults,
        settingsPollMs,
        fallbackShare: 2,
        ...(url === undefined ? {} : { url }),
      }),
    );
  }
  return open.slice(-2);
}

/** Drives a limiter like a loader for `ms`: counts admitted mutations, waits out refusals (≤ 10 ms). */
async function drive(
  limiter: TestLimiter,
  writer: string,
  ms: number,
): Promise<{ admitted: number; errors: unknown[] }> {
  const end = performance.now() + ms;
  let admitted = 0;
  const errors: unknown[] = [];
  while (performance.now() < end) {
    try {
      await limiter.limiter.admit(writes(writer));
      admitted++;
    } catch (err) {
      if (!isCuttleError(err) || err.code !== 'RATE_LIMITED') errors.push(err);
      await delay(Math.min(10, isCuttleError(err) ? (err.retryAfterSeconds ?? 0) * 1000 : 10));
    }
  }
  return { admitted, errors };
}

describe('limit settings', () => {
  const prefix = uniquePrefix('settings');
  afterAll(() => dropPrefix(prefix));

  it('an announced change applies on both executives within a second', async () => {
    const settings = new MutableSettings();
    const [a, b] = await two(prefix, settings);
    const rateOn = async (l: TestLimiter) =>
      (await l.limiter.usage({ writers: ['w-tuned'], tables: [] })).writers[0]!.rate;
    expect(await rateOn(b!)).toEqual({ perSecond: 100, burst: 10 });
    settings.overrides = { writers: [{ writer: 'w-tuned', rate: { perSecond: 2, burst: 1 } }], tables: [] };
    const changed = performance.now();
    await a!.limiter.settingsChanged();
    await vi.waitFor(async () => expect(await rateOn(b!)).toEqual({ perSecond: 2, burst: 1 }), {
      timeout: 1000,
      interval: 10,
    });
    expect(performance.now() - changed).toBeLessThan(1000);
    // And it is enforced there: one mutation passes, the next waits about half a second.
    await b!.limiter.admit(writes('w-tuned'));
    await expect(b!.limiter.admit(writes('w-tuned'))).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('an unannounced change (lost notification) still applies within the one-second poll', async () => {
    const settings = new MutableSettings();
    const [a, b] = await two(prefix, settings);
    settings.overrides = { writers: [{ writer: 'w-silent', rate: null }], tables: [] };
    const changed = performance.now();
    await Promise.all(
      [a!, b!].map((l) =>
        vi.waitFor(
          async () =>
            expect(
              (await l.limiter.usage({ writers: ['w-silent'], tables: [] })).writers[0]!.rate,
            ).toBeNull(),
          {
            timeout: 2000,
            interval: 20,
          },
        ),
      ),
    );
    // One poll period plus the reload itself.
    expect(performance.now() - changed).toBeLessThan(1200);
  });
});

describe('Redis killed and restarted during checks', () => {
  const prefix = uniquePrefix('outage');
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
  });
  afterAll(async () => {
    await redis.kill();
  });

  it('falls back to each executive’s share (writes go on, bounded), reports it, and recovers', async () => {
    const [a, b] = await two(prefix, new MutableSettings(), redis.url);
    const before = await Promise.all([drive(a!, 'w-outage', 500), drive(b!, 'w-outage', 500)]);
    expect(before.flatMap((r) => r.errors)).toEqual([]);
    expect([a!.limiter.healthy(), b!.limiter.healthy()]).toEqual([true, true]);

    await redis.kill();
    const outageMs = 2000;
    const during = await Promise.all([drive(a!, 'w-outage', outageMs), drive(b!, 'w-outage', outageMs)]);
    // No request failed for want of Redis, and neither executive stopped admitting ...
    expect(during.flatMap((r) => r.errors)).toEqual([]);
    expect(during.map((r) => r.admitted > 0)).toEqual([true, true]);
    // ... nor ran unbounded: each enforced half the limit (50/s, burst 5).
    for (const r of during) expect(r.admitted).toBeLessThanOrEqual(50 * (outageMs / 1000) * 1.1 + 5);
    expect([a!.limiter.healthy(), b!.limiter.healthy()]).toEqual([false, false]);
    expect(await metricValue(a!.registry, 'cuttle_limits_fallback_active')).toBe(1);
    expect((await a!.limiter.usage({ writers: [], tables: [] })).mode).toBe('fallback');

    await redis.restart();
    const restarted = performance.now();
    await vi.waitFor(() => expect([a!.limiter.healthy(), b!.limiter.healthy()]).toEqual([true, true]), {
      timeout: 5000,
      interval: 50,
    });
    const recoveryMs = performance.now() - restarted;
    expect(recoveryMs).toBeLessThan(3000);
    expect(await metricValue(b!.registry, 'cuttle_limits_fallback_active')).toBe(0);
    expect(await metricValue(b!.registry, 'cuttle_limits_fallback_entered_total')).toBe(1);
    // Shared again: both together back at the full limit (100/s).
    const after = await Promise.all([drive(a!, 'w-outage', 1500), drive(b!, 'w-outage', 1500)]);
    expect(after.flatMap((r) => r.errors)).toEqual([]);
    const total = after[0].admitted + after[1].admitted;
    expect(total).toBeGreaterThan(100 * 1.5 * 0.8);
    expect(total).toBeLessThanOrEqual(100 * 1.5 * 1.1 + 10);
  });

  it('an executive started while Redis is down runs on its fallback and joins when Redis comes up', async () => {
    await redis.kill();
    const settings = new MutableSettings();
    // No settings poll to speak of: only an announcement can carry the change below.
    const [a, b] = await two(prefix, settings, redis.url, 600_000);
    expect(a!.limiter.healthy()).toBe(false);
    await a!.limiter.admit(writes('w-late'));
    await redis.restart();
    await vi.waitFor(() => expect([a!.limiter.healthy(), b!.limiter.healthy()]).toEqual([true, true]), {
      timeout: 5000,
      interval: 50,
    });
    await a!.limiter.admit(writes('w-late'));
    expect((await a!.limiter.usage({ writers: ['w-late'], tables: [] })).mode).toBe('redis');
    // The subscription queued while Redis was down is live: an announcement reaches the other.
    settings.overrides = { writers: [{ writer: 'w-late', rate: null }], tables: [] };
    await vi.waitFor(
      async () => {
        await b!.limiter.settingsChanged();
        expect((await a!.limiter.usage({ writers: ['w-late'], tables: [] })).writers[0]!.rate).toBeNull();
      },
      { timeout: 3000, interval: 200 },
    );
  });

  it('the sizer keeps measuring after Redis restarts, and quotas hold meanwhile from the last known sizes', async () => {
    await redis.restart(); // running already after the previous test: a no-op then
    const settings = new MutableSettings();
    settings.overrides = { writers: [], tables: [{ family: 'fam', table: 'full', maxBytes: 100 }] };
    const config = loadConfig('T', limitsOptions, {
      T_LIMITS_REDIS_URL: redis.url,
      T_LIMITS_KEY_PREFIX: prefix,
      T_LIMITS_MEASURE_INTERVAL_MS: '300',
    });
    // A table already well over its 100-byte quota.
    const sizeSource = {
      measure: () =>
        Promise.resolve([{ family: 'fam', table: 'full', rows: 10, dataBytes: 1000, columns: 2 }]),
    };
    const limits = createLimits(config, {
      settingsSource: settings,
      sizeSource,
      log: silentLogger(),
      registry: new Registry(),
      queuePrefix: prefix,
    });
    const counter = new RedisLimitsStore({ url: redis.url, keys: limitsKeys(prefix) });
    await limits.start();
    await counter.connect();
    try {
      const grow = {
        writer: 'w',
        family: 'fam',
        tables: [{ table: 'full', mutations: 1, upserts: 1, deletes: 0, upsertBytes: 10 }],
      };
      await vi.waitFor(
        () => expect(limits.limiter.admit(grow)).rejects.toMatchObject({ code: 'TABLE_FULL' }),
        { timeout: 3000 },
      );
      // Every executive's size view has read the measurement (it polls every second).
      await vi.waitFor(
        async () =>
          expect(
            (await limits.limiter.usage({ writers: [], tables: [{ family: 'fam', table: 'full' }] }))
              .tables[0]!.size,
          ).not.toBeNull(),
        { timeout: 3000 },
      );
      await redis.kill();
      await redis.restart(); // empty: no sizes, no scheduler, no script cache
      await expect(limits.limiter.admit(grow)).rejects.toMatchObject({ code: 'TABLE_FULL' });
      await vi.waitFor(async () => expect(await counter.measurementCount()).toBeGreaterThan(0), {
        timeout: 5000,
        interval: 100,
      });
      await expect(limits.limiter.admit(grow)).rejects.toMatchObject({ code: 'TABLE_FULL' });
      await limits.limiter.admit({
        ...grow,
        tables: [{ table: 'full', mutations: 1, upserts: 0, deletes: 1, upsertBytes: 0 }],
      });
    } finally {
      await counter.close();
      await limits.stop();
    }
  });
});
