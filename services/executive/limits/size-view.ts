/**
 * Every executive's copy of the table sizes the sizer published: read from the store every
 * second, used for quota checks when the store lost its copy (a restarted Redis) or cannot be
 * reached (fallback), and for the table metrics and status. A size missing from a read is kept
 * for three measurement intervals, long enough for a restarted Redis to be measured again.
 */
import { tableField } from './keys.ts';
import type { LimitsMetrics } from './limits-metrics.ts';
import type { TableSizeView } from './limits-store.ts';
import type { EffectiveLimits } from './settings.ts';

export interface SizeStatus {
  readonly quotaBytes: number;
  readonly overSoft: boolean;
  readonly overHard: boolean;
}

export function sizeStatus(
  size: TableSizeView,
  limits: { warnBytes: number | null; maxBytes: number | null },
): SizeStatus {
  const quotaBytes = size.ldbBytes + size.growthBytes;
  return {
    quotaBytes,
    overSoft: limits.warnBytes !== null && quotaBytes >= limits.warnBytes,
    overHard: limits.maxBytes !== null && quotaBytes >= limits.maxBytes,
  };
}

export class SizeView {
  readonly #keepMs: number;
  #sizes = new Map<string, TableSizeView>();

  constructor(measureIntervalMs: number) {
    this.#keepMs = 3 * measureIntervalMs;
  }

  get sizes(): ReadonlyMap<string, TableSizeView> {
    return this.#sizes;
  }

  get(family: string, table: string): TableSizeView | undefined {
    return this.#sizes.get(tableField(family, table));
  }

  update(read: Map<string, TableSizeView>, nowMs: number = Date.now()): void {
    for (const [field, old] of this.#sizes) {
      if (!read.has(field) && nowMs - old.measuredAtMs < this.#keepMs) read.set(field, old);
    }
    this.#sizes = read;
  }

  /** Sets the table gauges from the sizes and the limits in force. */
  publish(metrics: LimitsMetrics, limits: EffectiveLimits): void {
    for (const size of this.#sizes.values()) {
      const labels = { family: size.family, table: size.table };
      const tableLimits = limits.table(size.family, size.table);
      const status = sizeStatus(size, tableLimits);
      metrics.tableQuotaBytes.set(labels, status.quotaBytes);
      metrics.tableDataBytes.set(labels, size.dataBytes);
      metrics.tableRows.set(labels, size.rows);
      metrics.tableSoftLimitBytes.set(labels, tableLimits.warnBytes ?? 0);
      metrics.tableHardLimitBytes.set(labels, tableLimits.maxBytes ?? 0);
      metrics.tableOverSoft.set(labels, status.overSoft ? 1 : 0);
      metrics.tableOverHard.set(labels, status.overHard ? 1 : 0);
    }
  }
}
