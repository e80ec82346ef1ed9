/**
 * Redis key names. Every key carries the same hash tag (`{prefix}`) so that the one-script check
 * touching a writer key, several table keys and the size hashes also works on Redis Cluster (all
 * keys of a script must live in one slot). Writer names never contain `.`, family and table names
 * never do either, so `family.table` is unambiguous.
 */

export interface LimitsKeys {
  writerRate(writer: string): string;
  tableRate(family: string, table: string): string;
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

export function limitsKeys(prefix: string): LimitsKeys {
  const tag = `{${prefix}}`;
  return {
    writerRate: (writer) => `${tag}:rate:writer:${writer}`,
    tableRate: (family, table) => `${tag}:rate:table:${tableField(family, table)}`,
    quotaBytes: `${tag}:size:quota-bytes`,
    sizeInfo: `${tag}:size:info`,
    growth: `${tag}:size:growth`,
    growthPrev: `${tag}:size:growth-prev`,
    measureLock: `${tag}:size:measure-lock`,
    measurements: `${tag}:size:measurements`,
    settingsChannel: `${prefix}:settings-changed`,
  };
}
