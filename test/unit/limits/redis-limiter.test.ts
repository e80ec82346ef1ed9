import { afterEach, describe, expect, it, vi } from 'vitest';
import { CuttleError } from '../../../lib/errors.ts';
import { silentLogger } from '../../../lib/logging.ts';
import { Registry } from '../../../lib/metrics.ts';
import { limitsKeys } from '../../../services/executive/limits/keys.ts';
import type { MutationUsage } from '../../../services/executive/limits/limiter.ts';
import { createLimitsMetrics } from '../../../services/executive/limits/limits-metrics.ts';
import {
  StoreUnavailableError,
  type CheckDecision,
  type RateCheck,
  type SharedLimitsStore,
  type TableSizeView,
} from '../../../services/executive/limits/limits-store.ts';
import { LocalLimitsStore } from '../../../services/executive/limits/local-store.ts';
import { RedisLimiter } from '../../../services/executive/limits/redis-limiter.ts';
import { SettingsCache } from '../../../services/executive/limits/settings-cache.ts';
import type { LimitOverrides } from '../../../services/executive/limits/settings.ts';

/** A scripted shared store: answers with `next`, or fails while `down`. */
class FakeSharedStore implements SharedLimitsStore {
  down = false;
  next: CheckDecision = { kind: 'admitted', fill: [] };
  checks = 0;
  published = 0;
  refunded: string[] = [];
  #onChange: (() => void) | undefined;
  #fail(): void {
    if (this.down) throw new StoreUnavailableError('connection refused');
  }
  check(): Promise<CheckDecision> {
    this.checks++;
    this.#fail();
    return Promise.resolve(this.next);
  }
  refund(rates: readonly RateCheck[]): Promise<void> {
    this.#fail();
    this.refunded.push(...rates.map((r) => `${r.key} ${r.cost}`));
    return Promise.resolve();
  }
  readRateFill(keys: readonly string[]): Promise<number[]> {
    this.#fail();
    return Promise.resolve(keys.map(() => 50_000));
  }
  readSizes(): Promise<Map<string, TableSizeView>> {
    this.#fail();
    return Promise.resolve(new Map<string, TableSizeView>());
  }
  publishSettingsChanged(): Promise<void> {
    this.#fail();
    this.published++;
    this.#onChange?.();
    return Promise.resolve();
  }
  subscribeSettingsChanged(onChange: () => void): Promise<void> {
    this.#onChange = onChange;
    return Promise.resolve();
  }
  isReady(): boolean {
    return !this.down;
  }
  onReconnect(): void {}
}

const writes = (writer: string, mutations: number): MutationUsage => ({
  writer,
  family: 'fam',
  tables: [{ table: 'flags', mutations, upserts: mutations, deletes: 0, upsertBytes: 10 * mutations }],
});

let overrides: LimitOverrides = { writers: [], tables: [] };
const limiters: RedisLimiter[] = [];

async function setup(store: FakeSharedStore) {
  const registry = new Registry();
  const settings = new SettingsCache({
    source: { load: () => Promise.resolve(overrides) },
    defaults: { writerRate: { perSecond: 100, burst: 10 }, tableRate: null, warnBytes: null, maxBytes: null },
    pollMs: 60_000,
    log: silentLogger(),
  });
  const limiter = new RedisLimiter({
    store,
    settings,
    keys: limitsKeys('unit'),
    metrics: createLimitsMetrics(registry),
    log: silentLogger(),
    fallbackShare: 2,
    pollMs: 20,
    // The fallback's clock stands still, so its decisions do not depend on the machine's speed.
    localStore: new LocalLimitsStore({ share: 2, nowUs: () => 1e14 }),
  });
  await limiter.start();
  limiters.push(limiter);
  return { limiter, registry };
}

async function metricValue(registry: Registry, name: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return Number(metric?.values[0]?.value ?? NaN);
}

afterEach(async () => {
  await Promise.all(limiters.splice(0).map((l) => l.close()));
  overrides = { writers: [], tables: [] };
});

describe('RedisLimiter', () => {
  it('turns a refusal into RATE_LIMITED naming the limit, with a millisecond retry-after', async () => {
    const store = new FakeSharedStore();
    const { limiter } = await setup(store);
    store.next = { kind: 'rate-limited', index: 0, retryAfterUs: 12_345, fill: [120_000] };
    const err = await limiter.admit(writes('w1', 3)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CuttleError);
    expect(err).toMatchObject({
      code: 'RATE_LIMITED',
      status: 429,
      retryAfterSeconds: 0.013,
      details: { limit: 'writer_rate', writer: 'w1', perSecond: 100, burst: 10, retryAfterMs: 13 },
    });
  });

  it('falls back to its share of the limits when the store fails, and recovers', async () => {
    const store = new FakeSharedStore();
    const { limiter, registry } = await setup(store);
    await limiter.admit(writes('w1', 1));
    expect(limiter.healthy()).toBe(true);
    store.down = true;
    // Burst 10 shared by 2 executives: 5 at once, then refusals, never an outage.
    let admitted = 0;
    let refused = 0;
    for (let i = 0; i < 20; i++) {
      try {
        await limiter.admit(writes('w1', 1));
        admitted++;
      } catch (err) {
        expect(err).toMatchObject({ code: 'RATE_LIMITED' });
        refused++;
      }
    }
    expect([admitted, refused]).toEqual([5, 15]);
    expect(limiter.healthy()).toBe(false);
    expect(limiter.mode).toBe('fallback');
    expect(await metricValue(registry, 'cuttle_limits_fallback_active')).toBe(1);
    const checksWhileDown = store.checks;
    store.down = false;
    await vi.waitFor(() => expect(limiter.healthy()).toBe(true), { timeout: 1000 });
    expect(await metricValue(registry, 'cuttle_limits_fallback_active')).toBe(0);
    await limiter.admit(writes('w1', 1));
    expect(store.checks).toBe(checksWhileDown + 1);
  });

  it('applies a changed override at once when told, and announces it', async () => {
    const store = new FakeSharedStore();
    const { limiter } = await setup(store);
    const before = await limiter.usage({ writers: ['w1'], tables: [] });
    expect(before.writers[0]).toMatchObject({
      rate: { perSecond: 100, burst: 10 },
      overridden: false,
      burstUsed: 0.5,
    });
    overrides = { writers: [{ writer: 'w1', rate: { perSecond: 5, burst: 2 } }], tables: [] };
    await limiter.settingsChanged();
    expect(store.published).toBe(1);
    const after = await limiter.usage({ writers: ['w1'], tables: [] });
    expect(after.writers[0]).toMatchObject({ rate: { perSecond: 5, burst: 2 }, overridden: true });
    expect(after.mode).toBe('redis');
  });

  it('asks nothing of the store when no limit applies', async () => {
    const store = new FakeSharedStore();
    overrides = { writers: [{ writer: 'free', rate: null }], tables: [] };
    const { limiter } = await setup(store);
    await limiter.admit({
      writer: 'free',
      family: 'fam',
      tables: [{ table: 'flags', mutations: 1, upserts: 0, deletes: 1, upsertBytes: 0 }],
    });
    expect(store.checks).toBe(0);
  });
});
