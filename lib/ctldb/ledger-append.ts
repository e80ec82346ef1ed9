/**
 * Appending one batch to the ledger, inside the caller's transaction. This must be the LAST step
 * before commit (see lib/ledger/entry.ts, "Order"): it takes the row lock on cuttle_ledger_head,
 * so seqs are handed out in commit order with no holes, and everything before it in the
 * transaction (validation, family-table writes, offsets) runs concurrently with other writers.
 */
import { LEDGER_COLUMNS, LEDGER_HEAD_TABLE, LEDGER_TABLE, type PendingEntry } from '../ledger/entry.ts';
import { chunkRows, placeholderRows } from './chunks.ts';
import type { CtldbDialect, SqlParam, SqlRunner } from './dialect.ts';

export interface AppendedBatch {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly committedAt: number;
}

interface EncodedEntry {
  readonly entry: PendingEntry;
  readonly payload: string;
}

/** Reads the head under its row lock. The lock is held until the transaction ends. */
export async function lockLedgerHead(tx: SqlRunner, dialect: CtldbDialect): Promise<number> {
  const rows = await tx.all(`SELECT seq FROM ${LEDGER_HEAD_TABLE} WHERE id = 1${dialect.forUpdate}`);
  const head = rows[0]?.seq;
  if (head === undefined) throw new Error(`${LEDGER_HEAD_TABLE} has no row: ctldb was not migrated`);
  return Number(head);
}

/** Appends `entries` as one batch; returns the seqs they got. `entries` must not be empty. */
export async function appendBatch(
  tx: SqlRunner,
  dialect: CtldbDialect,
  entries: readonly PendingEntry[],
  clock: () => number = Date.now,
): Promise<AppendedBatch> {
  if (entries.length === 0) throw new RangeError('a ledger batch needs at least one entry');
  // Serialise payloads before taking the lock, so the serialised section stays short.
  const encoded: EncodedEntry[] = entries.map((entry) => ({ entry, payload: JSON.stringify(entry.payload) }));
  const head = await lockLedgerHead(tx, dialect);
  const committedAt = clock();
  const firstSeq = head + 1;
  const lastSeq = head + entries.length;
  const insert = `INSERT INTO ${LEDGER_TABLE} (${LEDGER_COLUMNS.join(', ')}) VALUES `;
  let seq = firstSeq;
  for (const chunk of chunkRows(
    encoded,
    LEDGER_COLUMNS.length,
    dialect.maxParams,
    (e) => e.payload.length * 3 + 64,
  )) {
    const params: SqlParam[] = [];
    for (const { entry, payload } of chunk) {
      params.push(
        seq,
        firstSeq,
        seq === lastSeq ? 1 : 0,
        committedAt,
        entry.family,
        entry.table,
        entry.op,
        payload,
      );
      seq++;
    }
    await tx.run(insert + placeholderRows(chunk.length, LEDGER_COLUMNS.length), params);
  }
  await tx.run(`UPDATE ${LEDGER_HEAD_TABLE} SET seq = ? WHERE id = 1`, [lastSeq]);
  return { firstSeq, lastSeq, committedAt };
}
