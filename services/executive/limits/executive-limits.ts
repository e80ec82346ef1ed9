/**
 * The limits as the executive's composition root (app.ts) uses them: the limiter chosen by
 * `limitsMode`, reading its overrides from the executive's limit tables in ctldb, measuring the
 * family tables of the same ctldb, and a limit-settings store that announces every change it
 * writes so that every executive applies it at once.
 *
 * The executive stores a rate as "rateAmount mutations per ratePeriodMs"; the limiter reads that
 * as a GCRA rate of rateAmount / ratePeriodMs with a burst of rateAmount: at most rateAmount at
 * once after an idle period, refilled evenly over ratePeriodMs. (100 per 1 s: 100/s, burst 100;
 * 10 per 100 ms: 100/s, burst 10.) A NULL column means "the default".
 */
import type { Ctldb } from '../../../lib/ctldb/dialect.ts';
import { CuttleError } from '../../../lib/errors.ts';
import type { Logger } from '../../../lib/logging.ts';
import type { Registry } from '../../../lib/metrics.ts';
import type { Catalog } from '../catalog/catalog.ts';
import {
  LimitSettingsStore,
  type TableLimit,
  type WriterLimit,
} from '../limit-settings/limit-settings-store.ts';
import { createLimits } from './create-limits.ts';
import { CtldbTableSizeSource } from './ctldb-size-source.ts';
import { unlimited, type Limiter } from './limiter.ts';
import { limitsModeOf, type LimitsConfig } from './limits-config.ts';
import {
  MAX_RATE_PERIOD_MS,
  type LimitOverrides,
  type LimitSettingsSource,
  type RateLimit,
  type TableLimitOverride,
} from './settings.ts';

function rateOf(amount: number | null, periodMs: number | null): RateLimit | undefined {
  if (amount === null || periodMs === null) return undefined;
  // A period over a day can no longer be stored; one stored before that rule is read as a day.
  const period = Math.min(periodMs, MAX_RATE_PERIOD_MS);
  return { perSecond: (amount * 1000) / period, burst: amount };
}

export function overridesFrom(settings: { writers: WriterLimit[]; tables: TableLimit[] }): LimitOverrides {
  return {
    writers: settings.writers.map((w) => ({
      writer: w.writer,
      rate: rateOf(w.rateAmount, w.ratePeriodMs) ?? null,
    })),
    tables: settings.tables.map((t) => {
      const rate = rateOf(t.rateAmount, t.ratePeriodMs);
      const override: TableLimitOverride = {
        family: t.family,
        table: t.table,
        ...(rate === undefined ? {} : { rate }),
        ...(t.warnBytes === null ? {} : { warnBytes: t.warnBytes }),
        ...(t.maxBytes === null ? {} : { maxBytes: t.maxBytes }),
      };
      return override;
    }),
  };
}

/** The executive's limit-settings store, announcing each change it commits. */
class AnnouncingLimitSettingsStore extends LimitSettingsStore {
  readonly #announce: () => Promise<void>;

  constructor(ctldb: Ctldb, catalog: Catalog, announce: () => Promise<void>) {
    super(ctldb, catalog);
    this.#announce = announce;
  }

  override async setWriterLimit(writer: unknown, body: unknown): Promise<WriterLimit> {
    const result = await super.setWriterLimit(writer, body);
    await this.#announce();
    return result;
  }

  override async deleteWriterLimit(writer: unknown): Promise<void> {
    await super.deleteWriterLimit(writer);
    await this.#announce();
  }

  override async setTableLimit(family: unknown, table: unknown, body: unknown): Promise<TableLimit> {
    const result = await super.setTableLimit(family, table, body);
    await this.#announce();
    return result;
  }

  override async deleteTableLimit(family: unknown, table: unknown): Promise<void> {
    await super.deleteTableLimit(family, table);
    await this.#announce();
  }
}

export interface ExecutiveLimitsDeps {
  readonly ctldb: Ctldb;
  readonly catalog: Catalog;
  readonly log: Logger;
  readonly registry: Registry;
  /** A limiter the caller built (tests, benchmarks): used as is, never closed here. */
  readonly limiter?: Limiter | undefined;
  /** The executive's Redis, used by redis mode when limitsRedisUrl is not set. */
  readonly redisUrl?: string | undefined;
}

export interface ExecutiveLimits {
  readonly limiter: Limiter;
  readonly settings: LimitSettingsStore;
  stop(): Promise<void>;
}

export async function startExecutiveLimits(
  config: LimitsConfig,
  deps: ExecutiveLimitsDeps,
): Promise<ExecutiveLimits> {
  let limiter: Limiter = deps.limiter ?? unlimited;
  const settings = new AnnouncingLimitSettingsStore(deps.ctldb, deps.catalog, () =>
    limiter.settingsChanged === undefined ? Promise.resolve() : limiter.settingsChanged(),
  );
  const mode = limitsModeOf(config, deps.redisUrl);
  if (deps.limiter !== undefined || mode === 'off') {
    return { limiter, settings, stop: () => Promise.resolve() };
  }
  const source: LimitSettingsSource = { load: async () => overridesFrom(await settings.list()) };
  const redisUrl = mode === 'redis' ? (config.limitsRedisUrl ?? deps.redisUrl) : undefined;
  if (mode === 'redis' && redisUrl === undefined) {
    throw new CuttleError(
      'CONFIG_INVALID',
      'limits mode redis needs EXECUTIVE_LIMITS_REDIS_URL or EXECUTIVE_REDIS_URL',
      {
        retriable: false,
      },
    );
  }
  const limits = createLimits(
    { ...config, limitsMode: mode, limitsRedisUrl: redisUrl },
    {
      settingsSource: source,
      sizeSource: new CtldbTableSizeSource(deps.ctldb, deps.ctldb.dialect.name),
      log: deps.log,
      registry: deps.registry,
    },
  );
  await limits.start();
  limiter = limits.limiter;
  return { limiter, settings, stop: () => limits.stop() };
}
