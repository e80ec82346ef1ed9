/**
 * The executive's limiter: per-writer and per-table rate limits and per-table size quotas, shared
 * by every executive through Redis (one script per request), with an in-process fallback.
 *
 * Redis unavailable (the documented behaviour): the first failing check switches this executive
 * to its in-process limiter, which enforces its share of every limit (rate and burst divided by
 * the expected replica count) and the quotas as last known. Writes neither stop nor run unbounded;
 * `healthy()` turns false (readiness reports it), `cuttle_limits_fallback_active` is 1 and one
 * error line is logged. ioredis reconnects by itself; the first successful read of the sizes
 * afterwards (within a second) switches back. A restarted Redis lost its state: buckets start
 * full again (one burst may pass), quotas use each executive's last known sizes until the next
 * measurement.
 */
import { ensureError } from '../../../lib/errors.ts';
import type { Logger } from '../../../lib/logging.ts';
import type { LimitsKeys } from './keys.ts';
import type { Admission, Limiter, MutationUsage } from './limiter.ts';
import type { LimitsMetrics } from './limits-metrics.ts';
import {
  StoreUnavailableError,
  type CheckDecision,
  type CheckRequest,
  type LimitsStore,
  type SharedLimitsStore,
} from './limits-store.ts';
import { LocalLimitsStore } from './local-store.ts';
import { planCheck, type CheckPlan } from './plan.ts';
import { limitNameOf, rateLimitedError, tableFullError } from './refusal.ts';
import type { SettingsCache } from './settings-cache.ts';
import { SizeView } from './size-view.ts';
import { buildUsage } from './usage-report.ts';
import type { LimiterMode, LimitsUsage, UsageQuery } from './usage.ts';

export interface RedisLimiterOptions {
  /** null: no Redis configured (embedded mode); the in-process limiter enforces the full limits. */
  readonly store: SharedLimitsStore | null;
  readonly settings: SettingsCache;
  readonly keys: LimitsKeys;
  readonly metrics: LimitsMetrics;
  readonly log: Logger;
  /** Expected executive count: in fallback each enforces 1/share of every limit. @defaultValue 2 */
  readonly fallbackShare?: number;
  /** The sizer's interval (quota retry-after, how long sizes are kept). @defaultValue 10000 */
  readonly measureIntervalMs?: number;
  /** How often sizes are read (and Redis probed while in fallback). @defaultValue 1000 */
  readonly pollMs?: number;
  /** In-process store for the embedded mode (its sizer writes into it). */
  readonly localStore?: LocalLimitsStore;
}

export class RedisLimiter implements Limiter {
  readonly #o: RedisLimiterOptions;
  readonly #local: LocalLimitsStore;
  readonly #sizes: SizeView;
  readonly #measureIntervalMs: number;
  #fallback = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: RedisLimiterOptions) {
    this.#o = options;
    this.#measureIntervalMs = options.measureIntervalMs ?? 10_000;
    this.#local =
      options.localStore ??
      new LocalLimitsStore({ share: options.store === null ? 1 : (options.fallbackShare ?? 2) });
    this.#sizes = new SizeView(this.#measureIntervalMs);
  }

  get mode(): LimiterMode {
    return this.#o.store === null ? 'local' : this.#fallback ? 'fallback' : 'redis';
  }

  async start(): Promise<void> {
    const { store, settings } = this.#o;
    await settings.start();
    if (store !== null) {
      store.onReconnect(() => void settings.refresh());
      const subscribed = store.subscribeSettingsChanged(() => void settings.refresh());
      if (store.isReady()) await subscribed;
      else this.#enterFallback(new Error('Redis is not reachable at start-up'));
      subscribed.catch((err: unknown) => this.#o.log.warn({ err }, 'limits: settings subscription failed'));
    }
    await this.#poll();
    this.#timer = setInterval(() => void this.#poll(), this.#o.pollMs ?? 1000);
    this.#timer.unref();
  }

  async admit(usage: MutationUsage): Promise<Admission | undefined> {
    const plan = planCheck(usage, this.#o.settings.current, this.#sizes.sizes, this.#o.keys);
    if (plan.request.rates.length === 0 && plan.request.sizes.length === 0) return undefined;
    const mode = this.mode;
    const timer = this.#o.metrics.checkSeconds.startTimer({ mode });
    const { decision, store } = await this.#decide(plan.request);
    timer();
    this.#record(plan, decision);
    if (decision.kind === 'rate-limited') {
      const rate = plan.rates[decision.index];
      if (rate !== undefined) throw rateLimitedError(rate, decision.retryAfterUs);
    } else if (decision.kind === 'table-full') {
      const size = plan.sizes[decision.index];
      if (size !== undefined) throw tableFullError(size, decision.bytes, this.#measureIntervalMs);
    }
    return { refund: () => this.#refund(store, plan) };
  }

  /** Gives a charge back to the store that took it (Redis, or this process in fallback). */
  async #refund(store: LimitsStore, plan: CheckPlan): Promise<void> {
    try {
      await store.refund(plan.request.rates);
      plan.rates.forEach((rate) =>
        this.#o.metrics.refundedMutations.inc(
          {
            kind: rate.kind,
            subject: rate.table === undefined ? rate.writer : `${rate.family}.${rate.table}`,
          },
          rate.cost,
        ),
      );
    } catch (err) {
      this.#o.log.warn({ err }, 'limits: could not give back the charge of a request not applied');
    }
  }

  healthy(): boolean {
    return !this.#fallback;
  }

  async settingsChanged(): Promise<void> {
    const refreshed = this.#o.settings.refresh();
    try {
      await this.#o.store?.publishSettingsChanged();
    } catch (err) {
      // The other executives' one-second poll picks the change up anyway.
      this.#o.log.warn({ err }, 'limits: could not announce a settings change on Redis');
    }
    await refreshed;
  }

  async usage(query: UsageQuery): Promise<LimitsUsage> {
    const readFill = async (keys: readonly string[]): Promise<number[]> => {
      const store = this.#o.store;
      if (store !== null && !this.#fallback) {
        try {
          return await store.readRateFill(keys);
        } catch (err) {
          this.#enterFallback(err);
        }
      }
      return this.#local.readRateFill(keys);
    };
    return buildUsage(query, {
      mode: this.mode,
      settings: this.#o.settings,
      sizes: this.#sizes,
      keys: this.#o.keys,
      readFill,
    });
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#o.settings.stop();
  }

  async #decide(request: CheckRequest): Promise<{ decision: CheckDecision; store: LimitsStore }> {
    const store = this.#o.store;
    if (store !== null && !this.#fallback) {
      try {
        return { decision: await store.check(request), store };
      } catch (err) {
        if (!(err instanceof StoreUnavailableError)) throw err;
        this.#enterFallback(err);
      }
    }
    return { decision: await this.#local.check(request), store: this.#local };
  }

  /** Reads the published sizes; while in fallback, a successful read ends it. */
  async #poll(): Promise<void> {
    const store = this.#o.store ?? this.#local;
    try {
      this.#sizes.update(await store.readSizes());
      if (this.#fallback && this.#o.store?.isReady() === true) this.#exitFallback();
    } catch (err) {
      if (!this.#fallback) this.#enterFallback(err);
    }
    this.#sizes.publish(this.#o.metrics, this.#o.settings.current);
  }

  #enterFallback(err: unknown): void {
    if (this.#fallback) return;
    this.#fallback = true;
    this.#local.reset();
    this.#o.metrics.fallbackActive.set(1);
    this.#o.metrics.fallbackEntered.inc();
    this.#o.log.error(
      { err: ensureError(err), share: this.#o.fallbackShare ?? 2 },
      'limits: Redis unavailable; enforcing this executive’s share of every limit in process',
    );
  }

  #exitFallback(): void {
    this.#fallback = false;
    this.#o.metrics.fallbackActive.set(0);
    this.#o.log.info('limits: Redis reachable again; shared limits restored');
  }

  #record(plan: CheckPlan, decision: CheckDecision): void {
    const m = this.#o.metrics;
    const result = decision.kind === 'admitted' ? 'admitted' : decision.kind.replace('-', '_');
    m.checks.inc({ result, mode: this.mode });
    plan.rates.forEach((rate, i) => {
      const labels = {
        kind: rate.kind,
        subject: rate.table === undefined ? rate.writer : `${rate.family}.${rate.table}`,
      };
      const { intervalUs, burst } = plan.request.rates[i] ?? { intervalUs: 0, burst: 1 };
      m.ratePerSecond.set(labels, rate.rate.perSecond);
      if (decision.kind !== 'table-full')
        m.burstUsed.set(labels, (decision.fill[i] ?? 0) / (burst * intervalUs));
      if (decision.kind === 'admitted') m.admittedMutations.inc(labels, rate.cost);
      if (decision.kind === 'rate-limited' && decision.index === i) {
        m.rejections.inc({ limit: limitNameOf(rate), subject: labels.subject });
      }
    });
    if (decision.kind === 'table-full') {
      const size = plan.sizes[decision.index];
      if (size !== undefined)
        m.rejections.inc({ limit: 'table_size', subject: `${size.family}.${size.table}` });
    }
  }
}
