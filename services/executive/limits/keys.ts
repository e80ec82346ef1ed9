/**
 * Redis key names. Every key carries the same hash tag (`{prefix}`) so that the one-script check
 * touching a writer key, several table keys and the size hashes also works on Redis Cluster (all
 * keys of a script must live in one slot). Family and table names never contain `.`, so
 * `family.table` is unambiguous.
 *
 * A rate key names the limit it counts against (`@<interval µs>/<burst>`; no writer, family or
 * table name holds `@`): when a limit is changed or removed, the requests after it count against
 * a fresh key, so whatever the old limit left stored (a bucket emptied at 1 per day) is cleared
 * for the new one at once, on every executive, in Redis and in-process alike, with no
 * coordination. The old key expires by itself (its TTL is its remaining wait, at most a day).
 */
import type { GcraLimit } from './gcra.ts';

export interface LimitsKeys {
  writerRate(writer: string, limit: GcraLimit): string;
  tableRate(family: string, table: string, limit: GcraLimit): string;
  /** hash: table field -> quota bytes (the LDB estimate) of the last measurement. */
  readonly quotaBytes: string;
  /** hash: table field -> JSON StoredTableSize. */
  readonly sizeInfo: string;
  /** hash: table field -> bytes admitted since the current measurement began. */
  readonly growth: string;
  /** hash: table field -> bytes admitted before the running measurement began (cleared at commit). */
  readonly growthPrev: string;
  /** string: token of the executive running the measurement. */
  readonly measureLock: string;
  /** counter of committed measurements (tests and metrics). */
  readonly measurements: string;
  /** pub/sub channel announcing a settings change. */
  readonly settingsChannel: string;
}

export function tableField(family: string, table: string): string {
  return `${family}.${table}`;
}

const limitTag = (limit: GcraLimit): string => `@${limit.intervalUs}/${limit.burst}`;

export function limitsKeys(prefix: string): LimitsKeys {
  const tag = `{${prefix}}`;
  return {
    writerRate: (writer, limit) => `${tag}:rate:writer:${writer}${limitTag(limit)}`,
    tableRate: (family, table, limit) => `${tag}:rate:table:${tableField(family, table)}${limitTag(limit)}`,
    quotaBytes: `${tag}:size:quota-bytes`,
    sizeInfo: `${tag}:size:info`,
    growth: `${tag}:size:growth`,
    growthPrev: `${tag}:size:growth-prev`,
    measureLock: `${tag}:size:measure-lock`,
    measurements: `${tag}:size:measurements`,
    settingsChannel: `${prefix}:settings-changed`,
  };
}
