/**
 * Builds the usage report (each limit in force and the current usage against it) for the
 * writers and tables the executive names.
 */
import { limitFromRate, type GcraLimit } from './gcra.ts';
import { tableField, type LimitsKeys } from './keys.ts';
import type { SettingsCache } from './settings-cache.ts';
import type { RateLimit } from './settings.ts';
import { sizeStatus, type SizeView } from './size-view.ts';
import type { LimiterMode, LimitsUsage, TableUsageReport, UsageQuery, WriterUsageReport } from './usage.ts';

export interface UsageSources {
  readonly mode: LimiterMode;
  readonly settings: SettingsCache;
  readonly sizes: SizeView;
  readonly keys: LimitsKeys;
  /** Per key: microseconds of TAT ahead of now. */
  readonly readFill: (keys: readonly string[]) => Promise<number[]>;
}

function burstUsedOf(rate: RateLimit | null, fillUs: number | undefined): number {
  if (rate === null || fillUs === undefined) return 0;
  const { intervalUs, burst } = limitFromRate(rate.perSecond, rate.burst);
  return Math.max(0, fillUs) / (burst * intervalUs);
}

export async function buildUsage(query: UsageQuery, sources: UsageSources): Promise<LimitsUsage> {
  const limits = sources.settings.current;
  const overriddenWriters = new Set(limits.overrides.writers.map((w) => w.writer));
  const overriddenTables = new Set(limits.overrides.tables.map((t) => tableField(t.family, t.table)));
  // Each subject's key under the limit in force (keys.ts); a subject without a rate has none.
  const rateKey = (rate: RateLimit | null, key: (limit: GcraLimit) => string): string | undefined =>
    rate === null ? undefined : key(limitFromRate(rate.perSecond, rate.burst));
  const keyed = [
    ...query.writers.map((w) => rateKey(limits.writerRate(w), (l) => sources.keys.writerRate(w, l))),
    ...query.tables.map((t) =>
      rateKey(limits.table(t.family, t.table).rate, (l) => sources.keys.tableRate(t.family, t.table, l)),
    ),
  ];
  const present = keyed.filter((k): k is string => k !== undefined);
  const read = await sources.readFill(present);
  let next = 0;
  const fill = keyed.map((k) => (k === undefined ? undefined : read[next++]));

  const writers: WriterUsageReport[] = query.writers.map((writer, i) => {
    const rate = limits.writerRate(writer);
    return { writer, rate, burstUsed: burstUsedOf(rate, fill[i]), overridden: overriddenWriters.has(writer) };
  });
  const tables: TableUsageReport[] = query.tables.map(({ family, table }, i) => {
    const t = limits.table(family, table);
    const measured = sources.sizes.get(family, table);
    const status = measured === undefined ? undefined : sizeStatus(measured, t);
    return {
      family,
      table,
      rate: t.rate,
      burstUsed: burstUsedOf(t.rate, fill[query.writers.length + i]),
      overridden: overriddenTables.has(tableField(family, table)),
      warnBytes: t.warnBytes,
      maxBytes: t.maxBytes,
      size:
        measured === undefined || status === undefined
          ? null
          : {
              rows: measured.rows,
              dataBytes: measured.dataBytes,
              quotaBytes: status.quotaBytes,
              ldbBytes: measured.ldbBytes,
              growthBytes: measured.growthBytes,
              measuredAtMs: measured.measuredAtMs,
            },
      overSoft: status?.overSoft ?? false,
      overHard: status?.overHard ?? false,
    };
  });
  return { mode: sources.mode, settingsLoadedAtMs: sources.settings.loadedAtMs, writers, tables };
}
