/**
 * Limit settings: defaults from the executive's configuration, overrides per writer and per table
 * from ctldb (the executive stores them through its CRUD API; `LimitSettingsSource` reads them).
 *
 * A rate is mutations per second with a burst: a key that has been idle may pass `burst`
 * mutations at once, then `perSecond` on average (gcra.ts). In an override, `undefined` means
 * "use the default" and `null` means "no limit".
 */
import { CuttleError } from '../../../lib/errors.ts';
import { tableField } from './keys.ts';

export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

export interface WriterLimitOverride {
  readonly writer: string;
  readonly rate: RateLimit | null;
}

export interface TableLimitOverride {
  readonly family: string;
  readonly table: string;
  readonly rate?: RateLimit | null;
  /** Soft quota in LDB bytes: a metric, a log line and a warning on the table's status. */
  readonly warnBytes?: number | null;
  /** Hard quota in LDB bytes: upserts that add data are refused (TABLE_FULL), deletes pass. */
  readonly maxBytes?: number | null;
}

export interface LimitOverrides {
  readonly writers: readonly WriterLimitOverride[];
  readonly tables: readonly TableLimitOverride[];
}

export interface LimitDefaults {
  readonly writerRate: RateLimit | null;
  readonly tableRate: RateLimit | null;
  readonly warnBytes: number | null;
  readonly maxBytes: number | null;
}

/** The port onto the executive's limit tables in ctldb. */
export interface LimitSettingsSource {
  load(): Promise<LimitOverrides>;
}

export interface TableLimits {
  readonly rate: RateLimit | null;
  readonly warnBytes: number | null;
  readonly maxBytes: number | null;
}

/** Defaults and overrides resolved; immutable, replaced as a whole on every reload. */
export class EffectiveLimits {
  readonly defaults: LimitDefaults;
  readonly overrides: LimitOverrides;
  readonly #writers: ReadonlyMap<string, RateLimit | null>;
  readonly #tables: ReadonlyMap<string, TableLimitOverride>;

  constructor(defaults: LimitDefaults, overrides: LimitOverrides) {
    this.defaults = defaults;
    this.overrides = overrides;
    this.#writers = new Map(overrides.writers.map((w) => [w.writer, w.rate]));
    this.#tables = new Map(overrides.tables.map((t) => [tableField(t.family, t.table), t]));
  }

  writerRate(writer: string): RateLimit | null {
    const rate = this.#writers.get(writer);
    return rate === undefined ? this.defaults.writerRate : rate;
  }

  table(family: string, table: string): TableLimits {
    const o = this.#tables.get(tableField(family, table));
    return {
      rate: o?.rate === undefined ? this.defaults.tableRate : o.rate,
      warnBytes: o?.warnBytes === undefined ? this.defaults.warnBytes : o.warnBytes,
      maxBytes: o?.maxBytes === undefined ? this.defaults.maxBytes : o.maxBytes,
    };
  }
}

/**
 * The longest period a rate may have: the time an emptied bucket takes to refill (burst / rate).
 * A longer one locks a writer out for that long after a single burst (1 per 2^53 ms: 285,000
 * years); with the charge of one request capped at the burst (gcra.ts), no wait exceeds it.
 */
export const MAX_RATE_PERIOD_MS = 86_400_000;

/**
 * Rejects a rate no limiter could honour (zero, negative, NaN, a burst below one mutation) or
 * one that could lock a writer out (a period over MAX_RATE_PERIOD_MS).
 */
export function validateRate(rate: RateLimit, subject: Record<string, unknown>): RateLimit {
  const ok =
    Number.isFinite(rate.perSecond) &&
    rate.perSecond > 0 &&
    Number.isSafeInteger(rate.burst) &&
    rate.burst >= 1;
  if (!ok) {
    throw new CuttleError(
      'BAD_REQUEST',
      `rate limit must be a positive number of mutations per second with a whole burst of at least 1 (got ${rate.perSecond}/s, burst ${rate.burst})`,
      { details: { ...subject, perSecond: rate.perSecond, burst: rate.burst } },
    );
  }
  if ((rate.burst / rate.perSecond) * 1000 > MAX_RATE_PERIOD_MS) {
    throw new CuttleError(
      'BAD_REQUEST',
      `rate limit refills its burst of ${rate.burst} in more than a day at ${rate.perSecond}/s; the longest period is ${MAX_RATE_PERIOD_MS} ms`,
      { details: { ...subject, perSecond: rate.perSecond, burst: rate.burst } },
    );
  }
  return rate;
}

/** Soft below hard, both positive whole byte counts. */
export function validateQuota(
  warnBytes: number | null,
  maxBytes: number | null,
  subject: Record<string, unknown>,
): void {
  for (const [name, v] of [
    ['warnBytes', warnBytes],
    ['maxBytes', maxBytes],
  ] as const) {
    if (v !== null && (!Number.isSafeInteger(v) || v <= 0)) {
      throw new CuttleError('BAD_REQUEST', `${name} must be a positive whole number of bytes`, {
        details: { ...subject, [name]: v },
      });
    }
  }
  if (warnBytes !== null && maxBytes !== null && warnBytes > maxBytes) {
    throw new CuttleError('BAD_REQUEST', `the soft quota (${warnBytes}) exceeds the hard one (${maxBytes})`, {
      details: { ...subject, warnBytes, maxBytes },
    });
  }
}
