/** An in-memory LDB with the layout and an applier, for unit tests of the apply path. */
import { LdbApplier } from '../../../lib/ldb/applier.ts';
import { ensureLayout } from '../../../lib/ldb/open-writer.ts';
import { openSqlite } from '../../../lib/ldb/sqlite-adapter.ts';
import type { SqliteDb } from '../../../lib/ldb/sqlite-port.ts';
import type { LedgerEntry, PendingEntry } from '../../../lib/ledger/entry.ts';

export interface MemoryLdb {
  readonly db: SqliteDb;
  readonly applier: LdbApplier;
  /** Gives `entries` the next seqs as one batch (committed at `committedAt`). */
  readonly batch: (entries: readonly PendingEntry[], committedAt?: number) => LedgerEntry[];
}

export function memoryLdb(clock: () => number = () => 1_700_000_000_000): MemoryLdb {
  const db = openSqlite(':memory:');
  ensureLayout(db);
  const applier = new LdbApplier(db, clock);
  let next = 1;
  return {
    db,
    applier,
    batch: (entries, committedAt = 1_700_000_000_000) => {
      const first = next;
      next += entries.length;
      return entries.map(
        (e, i) =>
          ({
            ...e,
            seq: first + i,
            batchSeq: first,
            batchEnd: i === entries.length - 1,
            committedAt,
          }) as LedgerEntry,
      );
    },
  };
}
