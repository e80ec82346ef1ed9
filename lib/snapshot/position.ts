/**
 * Where an LDB is in the ledger, and how stale the data in a snapshot is.
 *
 * The LDB layout (lib/ldb) keeps its position in a one-row table written in the same
 * transaction as the data. The snapshot code reads it with one query so it does not depend on
 * the layout's module: `sql` must return one row with columns `seq` and `committed_at` (ms since
 * the epoch of the last applied entry, or NULL).
 */
import type { LedgerSource } from '../ledger/entry.ts';

export interface LdbPositionSpec {
  /** A query returning one row `{ seq, committed_at }`. */
  readonly sql: string;
}

export interface LdbPosition {
  readonly seq: number;
  /** Commit time of the last applied ledger entry, or null when nothing was applied yet. */
  readonly committedAt: number | null;
}

/**
 * How stale a snapshot at `position` is, in ms, measured at `now`. A snapshot is only refused
 * when this exceeds the publishing bound.
 */
export type StalenessProbe = (position: LdbPosition, now: number) => Promise<number>;

/**
 * Staleness measured against the ledger itself: 0 when no entry exists after the snapshot's seq,
 * else the age of the oldest entry the snapshot lacks. This is the real definition ("how long
 * has a committed change been missing from this data"), and needs no heartbeat: an idle ledger
 * gives fresh snapshots, a stuck follower gives stale ones.
 */
export function ledgerStaleness(ledger: Pick<LedgerSource, 'readAfter'>): StalenessProbe {
  return async (position, now) => {
    const [firstMissing] = await ledger.readAfter(position.seq, 1);
    return firstMissing === undefined ? 0 : Math.max(0, now - firstMissing.committedAt);
  };
}

/**
 * Staleness from the last applied entry's commit time. Only meaningful when the executive writes
 * heartbeat entries (an idle ledger otherwise looks stale); used where no ledger is reachable.
 */
export const heartbeatStaleness: StalenessProbe = (position, now) =>
  Promise.resolve(
    position.committedAt === null ? Number.POSITIVE_INFINITY : Math.max(0, now - position.committedAt),
  );
