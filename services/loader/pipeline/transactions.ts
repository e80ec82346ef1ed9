/**
 * The ends of origin transactions, as Debezium's transaction topic announces them: for each
 * transaction, how many changes it made to each table. A partition worker holding the first
 * changes of a transaction asks how many there are in all, to keep the whole transaction in one
 * ledger batch (see partition-worker.ts), and waits for the end marker when it has not arrived yet.
 */

/** How many transaction ends are remembered; the oldest are forgotten first. */
const MAX_REMEMBERED = 100_000;

interface End {
  readonly eventsByTable: ReadonlyMap<string, number>;
  /** `recorded` when this end was recorded: which fetches may hold the changes it counts. */
  readonly recorded: number;
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

  /** Records the end of transaction `id` with its number of changes per table (`db.table`). */
  recordEnd(id: string, eventsByTable: ReadonlyMap<string, number>): void {
    this.#ends.delete(id);
    this.#ends.set(id, { eventsByTable, recorded: ++this.#recorded });
    while (this.#ends.size > MAX_REMEMBERED) {
      const oldest = this.#ends.keys().next().value;
      if (oldest === undefined) break;
      this.#ends.delete(oldest);
    }
    const waiters = this.#waiters.get(id);
    this.#waiters.delete(id);
    for (const wake of waiters ?? []) wake();
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
