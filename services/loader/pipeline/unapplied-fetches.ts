/**
 * How long the oldest fetched-but-unapplied record of a partition has waited: the figure an SRE
 * reads as "how far behind in time", where Kafka lag only counts records. One entry per fetch
 * (its first offset, its end, its first record's broker timestamp), not per record, so a
 * partition far behind costs a few entries. The age is that of the fetch holding the oldest
 * unapplied record, so it may read up to one fetch's span too old, never too young.
 * Records Kafka holds but no fetch has returned yet have no known age: the figure is null then,
 * and Kafka lag is what says they exist.
 */
interface Fetch {
  readonly first: bigint;
  /** The offset after its last record. */
  readonly end: bigint;
  readonly timestampMs: number;
}

export class UnappliedFetches {
  #fetches: Fetch[] = [];

  /** A fetch's records were handed to the worker. */
  fetched(records: readonly { readonly offset: string; readonly timestampMs: number }[]): void {
    const first = records[0];
    const last = records.at(-1);
    if (first === undefined || last === undefined) return;
    const start = BigInt(first.offset);
    // A fetch from before a seek or a re-fetch of the same records replaces what it overlaps.
    this.#fetches = this.#fetches.filter((f) => f.end <= start);
    this.#fetches.push({ first: start, end: BigInt(last.offset) + 1n, timestampMs: first.timestampMs });
  }

  /** ctldb now stores `committedNext` as the partition's next offset. */
  applied(committedNext: string | null): void {
    if (committedNext === null) return;
    const next = BigInt(committedNext);
    this.#fetches = this.#fetches.filter((f) => f.end > next);
  }

  /** The position was forgotten (seek, rebalance, halt resumed): nothing in hand any more. */
  forget(): void {
    this.#fetches = [];
  }

  /** Milliseconds since the oldest unapplied fetched record reached Kafka, or null if none. */
  oldestAgeMs(nowMs: number): number | null {
    const oldest = this.#fetches[0];
    return oldest === undefined ? null : Math.max(0, nowMs - oldest.timestampMs);
  }
}
