/**
 * What the origin committed, as the workload knows it: one effect per row change, in commit
 * order. The ledger must hold exactly these effects, per key, in this order.
 */
export type ChaosTable = 'items' | 'tx_groups';
export const CHAOS_TABLES: readonly ChaosTable[] = ['items', 'tx_groups'];

export interface Effect {
  readonly table: ChaosTable;
  /** The key as keyString() renders it. */
  readonly key: string;
  readonly op: 'upsert' | 'delete';
  /** The row's `ver` after an upsert; null for a delete. */
  readonly ver: string | null;
}

export interface CommittedTx {
  readonly id: string;
  readonly effects: readonly Effect[];
  /** When the origin acknowledged the commit (ms, this machine's clock). */
  readonly committedAtMs: number;
}

/** Key fields' values, as decimal or plain text, joined: the same for origin, ctldb and LDB. */
export function keyString(values: readonly string[]): string {
  return values.join('/');
}

export const KEY_FIELDS: Readonly<Record<ChaosTable, readonly string[]>> = {
  items: ['id'],
  tx_groups: ['grp', 'slot'],
};

export interface WorkloadCounts {
  committed: number;
  rolledBack: number;
  /** Commits whose outcome was unknown (connection lost) and was read back from the origin. */
  ambiguous: number;
  failed: number;
  changes: number;
  addedColumns: number;
}

export function emptyCounts(): WorkloadCounts {
  return { committed: 0, rolledBack: 0, ambiguous: 0, failed: 0, changes: 0, addedColumns: 0 };
}
