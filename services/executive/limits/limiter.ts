/**
 * The executive's view of limits: asked once per mutation request, before anything is written.
 * A refusal is a CuttleError (RATE_LIMITED with retryAfterSeconds, or TABLE_FULL) thrown by
 * `admit`; nothing is partly applied. The Redis-backed implementation lives beside this file.
 */
import type { LimitsUsage, UsageQuery } from './usage.ts';

export interface MutationUsage {
  readonly writer: string;
  readonly family: string;
  /** Per table touched: how many mutations, how many bytes the upserts add, whether any upsert exists. */
  readonly tables: readonly TableUsage[];
}

export interface TableUsage {
  readonly table: string;
  readonly mutations: number;
  readonly upserts: number;
  readonly deletes: number;
  /** Approximate bytes of the upserted rows (lib/schema/values.ts valueSize). */
  readonly upsertBytes: number;
  /**
   * Optional: the net bytes the request adds to the table, when the mutation path knows it (for
   * example because it read the rows its upserts replace). Without it the limiter judges growth
   * from the counts above (growth.ts).
   */
  readonly netGrowthBytes?: number;
}

/** What an admitted request was charged, to give back when it is not applied after all. */
export interface Admission {
  /** Best effort: a refund that cannot reach the store is dropped (the charge then stands). */
  refund(): Promise<void>;
}

export interface Limiter {
  /**
   * Charges the request against its limits. Throws a CuttleError when it must wait (429) or may
   * not grow a full table (507); otherwise returns what was charged (undefined: nothing was).
   */
  admit(usage: MutationUsage): Promise<Admission | undefined>;
  /** For readiness: false when the limiter runs on its fallback (for example Redis is down). */
  healthy(): boolean;
  close(): Promise<void>;
  /** Announces that limit settings changed in ctldb, so every executive reloads them now. */
  settingsChanged?(): Promise<void>;
  /** Each limit and the current usage against it, for the named writers and tables. */
  usage?(query: UsageQuery): Promise<LimitsUsage>;
}

/** Admits everything: for tests and for an executive started without limits. */
export const unlimited: Limiter = {
  admit: () => Promise.resolve(undefined),
  healthy: () => true,
  close: () => Promise.resolve(),
};
