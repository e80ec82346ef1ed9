/**
 * What the executive API and `cuttle limits show` report: each limit and the current usage
 * against it.
 */
import type { RateLimit } from './settings.ts';

export interface TableRef {
  readonly family: string;
  readonly table: string;
}

export interface UsageQuery {
  readonly writers: readonly string[];
  readonly tables: readonly TableRef[];
}

/** 'redis': shared limits; 'fallback': Redis unreachable, each executive enforces its share; 'local': in-process limits only; 'off': no limits. */
export type LimiterMode = 'redis' | 'fallback' | 'local' | 'off';

export interface RateUsage {
  /** null: no rate limit applies. */
  readonly rate: RateLimit | null;
  /** Share of the burst in use now: 0 idle, 1 exhausted (requests wait), above 1 in debt. */
  readonly burstUsed: number;
}

export interface WriterUsageReport extends RateUsage {
  readonly writer: string;
  /** Whether the rate comes from an override rather than the default. */
  readonly overridden: boolean;
}

export interface TableSizeReport {
  readonly rows: number;
  readonly dataBytes: number;
  /** The LDB estimate plus growth admitted since the measurement: what quotas compare against. */
  readonly quotaBytes: number;
  readonly ldbBytes: number;
  readonly growthBytes: number;
  readonly measuredAtMs: number;
}

export interface TableUsageReport extends TableRef, RateUsage {
  readonly overridden: boolean;
  readonly warnBytes: number | null;
  readonly maxBytes: number | null;
  /** null until the table has been measured. */
  readonly size: TableSizeReport | null;
  /** The status warning: at or above the soft quota. */
  readonly overSoft: boolean;
  /** At or above the hard quota: upserts that add data are refused. */
  readonly overHard: boolean;
}

export interface LimitsUsage {
  readonly mode: LimiterMode;
  readonly settingsLoadedAtMs: number;
  readonly writers: readonly WriterUsageReport[];
  readonly tables: readonly TableUsageReport[];
}
