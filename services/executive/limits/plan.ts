/**
 * Turns one mutation request's usage into one store check: a rate key for the writer (cost = all
 * its mutations) and one per table touched (cost = that table's mutations), plus a quota check per
 * table that has a hard quota or whose growth must be counted. Limits set to "none" add no key.
 * Pure: the same plan drives Redis and the in-process fallback.
 */
import { limitFromRate, type GcraLimit } from './gcra.ts';
import { judgeGrowth } from './growth.ts';
import { tableField, type LimitsKeys } from './keys.ts';
import type { MutationUsage } from './limiter.ts';
import type { CheckRequest, RateCheck, SizeCheck, TableSizeView } from './limits-store.ts';
import type { EffectiveLimits, RateLimit } from './settings.ts';

export interface PlannedRate {
  readonly kind: 'writer' | 'table';
  readonly writer: string;
  readonly family: string;
  /** Set for table rates. */
  readonly table?: string;
  readonly rate: RateLimit;
  readonly cost: number;
}

export interface PlannedSize {
  readonly family: string;
  readonly table: string;
  readonly maxBytes: number | null;
}

export interface CheckPlan {
  readonly request: CheckRequest;
  /** Parallel to request.rates. */
  readonly rates: readonly PlannedRate[];
  /** Parallel to request.sizes. */
  readonly sizes: readonly PlannedSize[];
}

export function planCheck(
  usage: MutationUsage,
  limits: EffectiveLimits,
  sizes: ReadonlyMap<string, TableSizeView>,
  keys: LimitsKeys,
): CheckPlan {
  const rates: PlannedRate[] = [];
  const rateChecks: RateCheck[] = [];
  const addRate = (planned: PlannedRate, key: (limit: GcraLimit) => string): void => {
    const limit = limitFromRate(planned.rate.perSecond, planned.rate.burst);
    rates.push(planned);
    rateChecks.push({ key: key(limit), cost: planned.cost, ...limit });
  };

  const { writer, family } = usage;
  const total = usage.tables.reduce((sum, t) => sum + t.mutations, 0);
  const writerRate = limits.writerRate(writer);
  if (writerRate !== null && total > 0) {
    addRate({ kind: 'writer', writer, family, rate: writerRate, cost: total }, (limit) =>
      keys.writerRate(writer, limit),
    );
  }

  const plannedSizes: PlannedSize[] = [];
  const sizeChecks: SizeCheck[] = [];
  for (const t of usage.tables) {
    const tableLimits = limits.table(family, t.table);
    if (tableLimits.rate !== null && t.mutations > 0) {
      addRate(
        { kind: 'table', writer, family, table: t.table, rate: tableLimits.rate, cost: t.mutations },
        (limit) => keys.tableRate(family, t.table, limit),
      );
    }
    const field = tableField(family, t.table);
    const measured = sizes.get(field);
    const growth = judgeGrowth(t, measured);
    if (tableLimits.maxBytes === null && growth.addBytes === 0) continue;
    plannedSizes.push({ family, table: t.table, maxBytes: tableLimits.maxBytes });
    sizeChecks.push({
      field,
      maxBytes: tableLimits.maxBytes,
      grows: growth.grows,
      addBytes: growth.addBytes,
      knownBytes: measured === undefined ? 0 : measured.ldbBytes + measured.growthBytes,
    });
  }
  return { request: { rates: rateChecks, sizes: sizeChecks }, rates, sizes: plannedSizes };
}
