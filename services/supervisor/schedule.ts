/**
 * When to make a snapshot: a pure decision, evaluated on every tick of the snapshot loop.
 *
 * - Interval: the wall clock is cut into slots of `intervalMs` (slot n covers
 *   [n·interval, (n+1)·interval)); the first tick in a new slot triggers. Every supervisor
 *   computes the same slot name, so claiming it in Redis (slots.ts) lets exactly one of them
 *   make that interval's snapshot.
 * - Entries: once the follower is `everyEntries` past the last published seq, and at least
 *   `minGapMs` after this supervisor's previous attempt. The slot is named after the seq bucket,
 *   so supervisors at the same point of the ledger also agree on it.
 */

export interface ScheduleOptions {
  /** Snapshot interval in ms. */
  readonly intervalMs: number;
  /** Also snapshot after this many new ledger entries (0: never). */
  readonly everyEntries: number;
  /** Least time between two entry-triggered attempts of one supervisor, in ms. */
  readonly minGapMs: number;
}

export interface ScheduleState {
  /** Interval slot already handled by this supervisor (claimed or lost), or null at start. */
  readonly handledIntervalSlot: number | null;
  /** Seq of the newest published snapshot (-1 when none is known). */
  readonly publishedSeq: number;
  /** When this supervisor last attempted a snapshot, or null. */
  readonly lastAttemptAt: number | null;
}

export type Trigger =
  | { readonly kind: 'interval'; readonly slot: string; readonly intervalSlot: number }
  | { readonly kind: 'entries'; readonly slot: string };

export function dueTrigger(
  state: ScheduleState,
  options: ScheduleOptions,
  now: number,
  seq: number,
): Trigger | null {
  const intervalSlot = Math.floor(now / options.intervalMs);
  if (state.handledIntervalSlot !== intervalSlot) {
    return { kind: 'interval', slot: `interval:${options.intervalMs}:${intervalSlot}`, intervalSlot };
  }
  const gapOk = state.lastAttemptAt === null || now - state.lastAttemptAt >= options.minGapMs;
  if (options.everyEntries > 0 && seq - Math.max(0, state.publishedSeq) >= options.everyEntries && gapOk) {
    return {
      kind: 'entries',
      slot: `entries:${options.everyEntries}:${Math.floor(seq / options.everyEntries)}`,
    };
  }
  return null;
}

/** Ms from `now` to the start of the next interval slot. */
export function msToNextSlot(now: number, intervalMs: number): number {
  return intervalMs - (now % intervalMs);
}
