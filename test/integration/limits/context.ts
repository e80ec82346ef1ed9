/**
 * Fixtures for the limits integration tests: limiters over real Redis with a private key prefix
 * (deleted afterwards), a settings source the test changes, and a private redis-server for the
 * outage test (never the machine's 6379).
 */
import { Redis } from 'ioredis';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { silentLogger, type Logger } from '../../../lib/logging.ts';
import { Registry } from '../../../lib/metrics.ts';
import { limitsKeys, type LimitsKeys } from '../../../services/executive/limits/keys.ts';
import { createLimitsMetrics } from '../../../services/executive/limits/limits-metrics.ts';
import { RedisLimiter } from '../../../services/executive/limits/redis-limiter.ts';
import { RedisLimitsStore } from '../../../services/executive/limits/redis-store-adapter.ts';
import { SettingsCache } from '../../../services/executive/limits/settings-cache.ts';
import type {
  LimitDefaults,
  LimitOverrides,
  LimitSettingsSource,
} from '../../../services/executive/limits/settings.ts';
import { freePort } from '../../support/free-port.ts';
import { stackEnv } from '../../support/stack-env.ts';

export const uniquePrefix = (area: string): string => `cuttle-test:${area}:${randomBytes(4).toString('hex')}`;

/** Settings the test edits in place, as the executive's ctldb tables would be edited. */
export class MutableSettings implements LimitSettingsSource {
  overrides: LimitOverrides = { writers: [], tables: [] };
  load(): Promise<LimitOverrides> {
    return Promise.resolve(this.overrides);
  }
}

export interface TestLimiter {
  readonly limiter: RedisLimiter;
  readonly store: RedisLimitsStore;
  readonly registry: Registry;
  close(): Promise<void>;
}

export interface TestLimiterOptions {
  readonly url?: string;
  readonly prefix: string;
  readonly source: LimitSettingsSource;
  readonly defaults: LimitDefaults;
  readonly settingsPollMs?: number;
  readonly fallbackShare?: number;
  readonly log?: Logger;
}

export async function startTestLimiter(options: TestLimiterOptions): Promise<TestLimiter> {
  const keys = limitsKeys(options.prefix);
  const store = new RedisLimitsStore({ url: options.url ?? stackEnv.redisUrl, keys, commandTimeoutMs: 300 });
  await store.connect().catch(() => undefined);
  const registry = new Registry();
  const log = options.log ?? silentLogger();
  const limiter = new RedisLimiter({
    store,
    settings: new SettingsCache({
      source: options.source,
      defaults: options.defaults,
      pollMs: options.settingsPollMs ?? 1000,
      log,
    }),
    keys,
    metrics: createLimitsMetrics(registry),
    log,
    fallbackShare: options.fallbackShare ?? 2,
    measureIntervalMs: 1000,
  });
  await limiter.start();
  return {
    limiter,
    store,
    registry,
    close: async () => {
      await limiter.close();
      await store.close();
    },
  };
}

/** Deletes every key of a test prefix. */
export async function dropPrefix(prefix: string, url = stackEnv.redisUrl): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true });
  try {
    await redis.connect();
    const keys = await redis.keys(`{${prefix}}*`);
    const bull = await redis.keys(`${prefix}:*`);
    const all = [...keys, ...bull];
    if (all.length > 0) await redis.del(...all);
  } finally {
    redis.disconnect();
  }
}

export function keysFor(prefix: string): LimitsKeys {
  return limitsKeys(prefix);
}

export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const match = metric?.values.find((v) =>
    Object.entries(labels).every(([k, value]) => v.labels[k] === value),
  );
  return Number(match?.value ?? NaN);
}

/** A redis-server of our own, without persistence, that the test may kill and restart. */
export class PrivateRedis {
  readonly port: number;
  #process: ChildProcess | undefined;

  private constructor(port: number) {
    this.port = port;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server unless it runs. */
  async restart(): Promise<void> {
    if (this.#process !== undefined && this.#process.exitCode === null) return;
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    this.#process = child;
    const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null });
    probe.on('error', () => undefined);
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        probe.disconnect();
        await delay(50);
      }
    }
    throw new Error(`private redis-server on port ${this.port} did not start`);
  }

  /** SIGKILL: no goodbye to the clients, like a crashed host. */
  async kill(): Promise<void> {
    const child = this.#process;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.#process = undefined;
  }
}
