/**
 * The limits store port: where rate-limit state and table sizes live. The Redis adapter
 * (redis-store-adapter.ts) shares them between every executive; the local store
 * (local-store.ts) is the in-process fallback and the embedded mode.
 *
 * A check is one atomic decision over every key of a request: all rate keys and all size quotas
 * pass and are charged together, or nothing is charged.
 */
import type { GcraCheck } from './gcra.ts';

export interface RateCheck extends GcraCheck {
  /** Store key of the limited entity (see keys.ts). */
  readonly key: string;
}

export interface SizeCheck {
  /** Field naming the table in the size hashes (`family.table`). */
  readonly field: string;
  /** Hard quota in LDB bytes, or null when the table has none. */
  readonly maxBytes: number | null;
  /** Whether the request may grow the table (see growth.ts); only such requests can be refused. */
  readonly grows: boolean;
  /** Bytes added to the table's growth-since-measurement counter when the request is admitted. */
  readonly addBytes: number;
  /** The executive's last known size, used when the store has no measurement (e.g. after a restart). */
  readonly knownBytes: number;
}

export interface CheckRequest {
  readonly rates: readonly RateCheck[];
  readonly sizes: readonly SizeCheck[];
  /** Microseconds since LIMITS_EPOCH (gcra.ts); only for tests. Redis otherwise uses its own clock. */
  readonly nowUs?: number;
}

export type CheckDecision =
  | { readonly kind: 'admitted'; readonly fill: readonly number[] }
  | {
      readonly kind: 'rate-limited';
      /** Index into `rates` of the limit with the longest wait. */
      readonly index: number;
      readonly retryAfterUs: number;
      readonly fill: readonly number[];
    }
  | { readonly kind: 'table-full'; readonly index: number; readonly bytes: number };

/** What one measurement found for one table, as stored for every executive to read. */
export interface StoredTableSize {
  readonly family: string;
  readonly table: string;
  readonly rows: number;
  /** Exact: the sum of the stored sizes of every value (lib/schema/values.ts valueSize). */
  readonly dataBytes: number;
  /** Columns of the table (the LDB estimate's per-row overhead depends on it). */
  readonly columns: number;
  /** Estimate of the table's share of an LDB file (ldb-estimate.ts); quotas apply to it. */
  readonly ldbBytes: number;
  readonly measuredAtMs: number;
  /** Whether the table was over its soft limit at this measurement (to log transitions once). */
  readonly overSoft: boolean;
}

export interface TableSizeView extends StoredTableSize {
  /** LDB bytes admitted since the measurement (counted conservatively from upserts). */
  readonly growthBytes: number;
}

/** Thrown by a store that cannot answer (Redis down, timed out): the caller falls back. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

export interface LimitsStore {
  check(request: CheckRequest): Promise<CheckDecision>;
  /**
   * Gives back what an admitted check charged its rate keys (gcra.ts gcraRefund). Admitted growth
   * bytes stay counted: the next measurement replaces them anyway. `nowUs` only for tests.
   */
  refund(rates: readonly RateCheck[], nowUs?: number): Promise<void>;
  /** Per key: microseconds of TAT ahead of now (0 when idle), for usage reports. */
  readRateFill(keys: readonly string[]): Promise<number[]>;
  readSizes(): Promise<Map<string, TableSizeView>>;
}

/** Where a measurement is published (the Redis store, or the local store in the embedded mode). */
export interface MeasurementSink {
  /** Takes the measurement lock; false when another measurement runs. */
  beginMeasurement(token: string, lockMs: number): Promise<boolean>;
  /** Publishes every table's size; false when the lock was lost (nothing is changed then). */
  commitMeasurement(token: string, sizes: readonly StoredTableSize[]): Promise<boolean>;
  abortMeasurement(token: string): Promise<void>;
  readSizes(): Promise<Map<string, TableSizeView>>;
}

/** Announces limit-settings changes to every executive. */
export interface SettingsChangeFeed {
  publishSettingsChanged(): Promise<void>;
  /** `onChange` runs for every announcement, this process's own included. */
  subscribeSettingsChanged(onChange: () => void): Promise<void>;
}

/** A store shared by every executive (Redis): it can be down and come back. */
export interface SharedLimitsStore extends LimitsStore, SettingsChangeFeed {
  isReady(): boolean;
  /** Runs after every reconnection (not the first connection). */
  onReconnect(listener: () => void): void;
}
