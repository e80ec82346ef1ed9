/**
 * Builds the limiter and the table sizer. With `limitsRedisUrl`: shared limits, a BullMQ-scheduled
 * sizer, pub/sub settings announcements. Without: everything in process (the embedded mode), the
 * sizer on a plain timer. (`limitsMode` is read by executive-limits.ts, which calls this.)
 */
import type { Service } from '../../../lib/lifecycle.ts';
import type { Logger } from '../../../lib/logging.ts';
import type { Registry } from '../../../lib/metrics.ts';
import type { TableSizeSource } from './ctldb-size-source.ts';
import { limitsKeys } from './keys.ts';
import { limitDefaults, type LimitsConfig } from './limits-config.ts';
import { createLimitsMetrics } from './limits-metrics.ts';
import { LocalLimitsStore } from './local-store.ts';
import { RedisLimiter } from './redis-limiter.ts';
import { RedisLimitsStore } from './redis-store-adapter.ts';
import { SettingsCache } from './settings-cache.ts';
import type { LimitSettingsSource } from './settings.ts';
import { SizerScheduler } from './sizer-scheduler-adapter.ts';
import { TableSizer } from './table-sizer.ts';

export interface LimitsDeps {
  readonly settingsSource: LimitSettingsSource;
  readonly sizeSource: TableSizeSource;
  readonly log: Logger;
  readonly registry: Registry;
  /** BullMQ prefix of the sizer's queue. @defaultValue config.limitsKeyPrefix */
  readonly queuePrefix?: string;
}

export interface Limits extends Service {
  readonly limiter: RedisLimiter;
  /** Measures now, outside the schedule (after a large delete on a full table; tests). */
  measureNow(): Promise<void>;
}

export function createLimits(config: LimitsConfig, deps: LimitsDeps): Limits {
  const log = deps.log.child({ component: 'limits' });
  const metrics = createLimitsMetrics(deps.registry);
  const keys = limitsKeys(config.limitsKeyPrefix);
  const url = config.limitsRedisUrl;
  const store =
    url === undefined
      ? null
      : new RedisLimitsStore({ url, keys, commandTimeoutMs: config.limitsRedisTimeoutMs });
  const localStore = store === null ? new LocalLimitsStore() : undefined;
  const settings = new SettingsCache({
    source: deps.settingsSource,
    defaults: limitDefaults(config),
    pollMs: config.limitsSettingsPollMs,
    log,
    onReloadFailed: () => metrics.settingsReloadFailures.inc(),
  });
  const limiter = new RedisLimiter({
    store,
    settings,
    keys,
    metrics,
    log,
    fallbackShare: config.limitsFallbackShare,
    measureIntervalMs: config.limitsMeasureIntervalMs,
    ...(localStore === undefined ? {} : { localStore }),
  });
  const sizer = new TableSizer({
    source: deps.sizeSource,
    sink: store ?? localStore ?? new LocalLimitsStore(),
    limits: () => settings.current,
    log,
    metrics,
  });
  const measure = async (): Promise<string> => sizer.measureOnce();
  const scheduler =
    url === undefined
      ? null
      : new SizerScheduler({
          redisUrl: url,
          everyMs: config.limitsMeasureIntervalMs,
          measure,
          log,
          // Executives sharing limits share the scheduler; other deployments on the same Redis do not.
          prefix: deps.queuePrefix ?? config.limitsKeyPrefix,
        });
  let timer: NodeJS.Timeout | undefined;

  return {
    name: 'limits',
    limiter,
    async start() {
      if (store !== null) {
        store.onReconnect(() => void scheduler?.ensureScheduled());
        await store
          .connect()
          .catch((err: unknown) => log.warn({ err }, 'limits: Redis unreachable at start'));
      }
      await limiter.start();
      if (scheduler !== null) {
        await scheduler.start();
      } else {
        await measure().catch((err: unknown) => log.warn({ err }, 'limits: table measurement failed'));
        timer = setInterval(() => void measure().catch(() => undefined), config.limitsMeasureIntervalMs);
        timer.unref();
      }
    },
    async stop() {
      clearInterval(timer);
      await scheduler?.stop();
      await limiter.close();
      await store?.close();
    },
    async measureNow() {
      if (scheduler !== null) await scheduler.measureNow();
      else await measure();
    },
  };
}
