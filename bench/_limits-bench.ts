/**
 * The limiter as bench/executive.ts measures it: the Redis limiter of a deployment (one script per
 * request over the writer key, the table key and the table's quota), with limits far above what
 * the benchmark writes so that it measures the cost of checking, never a refusal.
 */
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { silentLogger } from '../lib/logging.ts';
import { Registry } from '../lib/metrics.ts';
import { limitsKeys } from '../services/executive/limits/keys.ts';
import type { MutationUsage } from '../services/executive/limits/limiter.ts';
import { createLimitsMetrics } from '../services/executive/limits/limits-metrics.ts';
import { RedisLimiter } from '../services/executive/limits/redis-limiter.ts';
import { RedisLimitsStore } from '../services/executive/limits/redis-store-adapter.ts';
import { SettingsCache } from '../services/executive/limits/settings-cache.ts';
import { stackEnv } from '../test/support/stack-env.ts';

const HIGH = { perSecond: 1e9, burst: 1e9 };

export interface BenchLimiter {
  readonly limiter: RedisLimiter;
  close(): Promise<void>;
}

export async function createBenchLimiter(): Promise<BenchLimiter> {
  const prefix = `cuttle-bench:${randomBytes(4).toString('hex')}`;
  const keys = limitsKeys(prefix);
  const store = new RedisLimitsStore({ url: stackEnv.redisUrl, keys });
  await store.connect();
  const log = silentLogger();
  const limiter = new RedisLimiter({
    store,
    settings: new SettingsCache({
      source: { load: () => Promise.resolve({ writers: [], tables: [] }) },
      defaults: { writerRate: HIGH, tableRate: HIGH, warnBytes: 2 ** 40, maxBytes: 2 ** 41 },
      log,
    }),
    keys,
    metrics: createLimitsMetrics(new Registry()),
    log,
  });
  await limiter.start();
  return {
    limiter,
    close: async () => {
      await limiter.close();
      await store.close();
      // Rate keys expire by themselves; the growth counter would wait for a measurement forever.
      const redis = new Redis(stackEnv.redisUrl);
      await redis.del(keys.growth, keys.growthPrev).finally(() => redis.disconnect());
    },
  };
}

export interface CheckLatency {
  readonly meanMicros: number;
  readonly p50Micros: number;
  readonly p99Micros: number;
  readonly checksPerSecond: number;
}

/** `count` sequential admits of a 100-mutation upsert batch on one table. */
export async function measureChecks(limiter: RedisLimiter, count: number): Promise<CheckLatency> {
  const usage: MutationUsage = {
    writer: 'bench-writer',
    family: 'bench',
    tables: [{ table: 'items', mutations: 100, upserts: 100, deletes: 0, upsertBytes: 10_000 }],
  };
  for (let i = 0; i < 200; i++) await limiter.admit(usage);
  const micros: number[] = [];
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const t = process.hrtime.bigint();
    await limiter.admit(usage);
    micros.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  const totalS = Number(process.hrtime.bigint() - started) / 1e9;
  micros.sort((a, b) => a - b);
  const at = (q: number) => micros[Math.min(micros.length - 1, Math.floor(q * micros.length))] ?? 0;
  return {
    meanMicros: (totalS * 1e6) / count,
    p50Micros: at(0.5),
    p99Micros: at(0.99),
    checksPerSecond: count / totalS,
  };
}
