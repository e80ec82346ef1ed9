/**
 * The ends of origin transactions, as Debezium's transaction topic announces them: for each
 * transaction, how many changes it made to each table. A partition worker holding the first
 * changes of a transaction asks how many there are in all, to keep the whole transaction in one
 * ledger batch (see partition-worker.ts), and waits for the end marker when it has not arrived yet.
 */

/**
 * How long an end is remembered. A partition needs the end only of the transaction at the tail of
 * what it fetched, which Debezium wrote moments before that end: a transaction anywhere before the
 * tail is known to be whole from the changes that follow it. Ten minutes is twice the feed's
 * look-back, so a restarted feed's ends outlive the catch-up they serve. Without an age limit the
 * loaders kept every end up to the count limit, tens of MB, and their memory rose in the soak.
 */
export const END_MAX_AGE_MS = 10 * 60_000;
/** How many ends are remembered at most, whatever their age; the oldest are forgotten first. */
export const MAX_REMEMBERED = 100_000;

interface End {
  readonly eventsByTable: ReadonlyMap<string, number>;
  /** `recorded` when this end was recorded: which fetches may hold the changes it counts. */
  readonly recorded: number;
  readonly recordedAtMs: number;
}

export class TransactionTracker {
  readonly #ends = new Map<string, End>();
  /** How many ends were recorded so far; a point in the tracker's history (see `recorded`). */
  #recorded = 0;
  readonly #waiters = new Map<string, Set<() => void>>();

  /**
   * True while a feed follows the transaction topic. Partitions wait for ends only then: without
   * a feed no end can arrive, and a wait would only delay every transaction by its limit.
   */
  followed = false;

  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** How many ends are remembered now. */
  get size(): number {
    return this.#ends.size;
  }

  /** Records the end of transaction `id` with its number of changes per table (`db.table`). */
  recordEnd(id: string, eventsByTable: ReadonlyMap<string, number>): void {
    this.#ends.delete(id);
    const now = this.#now();
    this.#ends.set(id, { eventsByTable, recorded: ++this.#recorded, recordedAtMs: now });
    this.#forgetOld(now);
    const waiters = this.#waiters.get(id);
    this.#waiters.delete(id);
    for (const wake of waiters ?? []) wake();
  }

  /** Map order is record order, so the ends to forget are always at the front. */
  #forgetOld(now: number): void {
    for (const [id, end] of this.#ends) {
      const tooMany = this.#ends.size > MAX_REMEMBERED;
      if (!tooMany && now - end.recordedAtMs <= END_MAX_AGE_MS) return;
      this.#ends.delete(id);
    }
  }

  /**
   * How many changes transaction `id` made to `table`; undefined while its end is unknown (0 when
   * the transaction ended without changing the table).
   */
  changesTo(id: string, table: string): number | undefined {
    const end = this.#ends.get(id);
    return end === undefined ? undefined : (end.eventsByTable.get(table) ?? 0);
  }

  /** How many ends have been recorded so far: compare with `recordedAt` to order the two. */
  get recorded(): number {
    return this.#recorded;
  }

  /** The value of `recorded` just after the end of `id` was recorded; undefined while unknown. */
  recordedAt(id: string): number | undefined {
    return this.#ends.get(id)?.recorded;
  }

  /** Resolves true once the end of `id` is known, false after `ms`. */
  waitForEnd(id: string, ms: number): Promise<boolean> {
    if (this.#ends.has(id)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(id) ?? new Set<() => void>();
      this.#waiters.set(id, waiters);
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        waiters.delete(wake);
        if (waiters.size === 0 && this.#waiters.get(id) === waiters) this.#waiters.delete(id);
        resolve(false);
      }, ms);
      waiters.add(wake);
    });
  }
}
