/**
 * The ledger: the append-only, totally ordered log of everything committed to ctldb.
 *
 * ## Format (table `cuttle_ledger` in ctldb; the executive writes it, reflectors read it)
 *
 * | column       | type              | meaning |
 * |--------------|-------------------|---------|
 * | seq          | BIGINT UNSIGNED PK| position, dense: 1, 2, 3, … with no holes (see below) |
 * | batch_seq    | BIGINT UNSIGNED   | seq of the first entry of the batch this entry belongs to |
 * | batch_end    | TINYINT           | 1 on the last entry of its batch, else 0 |
 * | committed_at | BIGINT            | commit time, milliseconds since the Unix epoch (executive clock) |
 * | family       | VARCHAR(30)       | '' for entries that belong to no table (heartbeat) |
 * | table_name   | VARCHAR(50)       | '' likewise |
 * | op           | VARCHAR(16)       | one of LEDGER_OPS |
 * | payload      | MEDIUMTEXT (JSON) | per op, below |
 *
 * Payloads (values encoded as in lib/schema/values.ts: every non-null value is a JSON string):
 * - `upsert`       `{ "values": { field: value, … } }`: the whole row, every field of the table at
 *                  that seq (missing fields were stored as null); replaces any row with that key.
 * - `delete`       `{ "key": { keyField: value, … } }`
 * - `create_table` `{ "fields": [[name, type], …], "keyFields": [name, …] }`
 * - `add_fields`   `{ "fields": [[name, type], …] }` appended, nullable
 * - `drop_table`, `clear_table`, `heartbeat`: `{}`
 *
 * A batch is the unit of atomicity: a reflector applies entries `batch_seq … (batch_end = 1)` in
 * one SQLite transaction, so no reader ever sees part of a batch.
 *
 * ## Order
 * seq is not an AUTO_INCREMENT. The executive takes the row lock on `cuttle_ledger_head` (one row
 * holding the last seq) as the last step before inserting its entries, assigns head+1…head+n and
 * commits, releasing the lock. So seqs are assigned in commit order and never skip a number: a
 * follower that has read up to N never later finds a new entry below N, and any hole it sees is a
 * real fault (it stops instead of skipping). Only the short tail of the transaction (ledger
 * insert, head update, commit) is serialised; validation and the family-table writes run
 * concurrently under their own row locks.
 */
import { CuttleError } from '../errors.ts';
import type { FieldType } from '../schema/types.ts';
import type { EncodedRow } from '../schema/values.ts';

export const LEDGER_TABLE = 'cuttle_ledger';
export const LEDGER_HEAD_TABLE = 'cuttle_ledger_head';
export const LEDGER_COLUMNS = [
  'seq',
  'batch_seq',
  'batch_end',
  'committed_at',
  'family',
  'table_name',
  'op',
  'payload',
] as const;

/** Redis channel on which the executive publishes the last committed seq after each commit. */
export const LEDGER_ADVANCED_CHANNEL = 'cuttle:ledger-advanced';

export const LEDGER_OPS = [
  'upsert',
  'delete',
  'create_table',
  'add_fields',
  'drop_table',
  'clear_table',
  'heartbeat',
] as const;
export type LedgerOp = (typeof LEDGER_OPS)[number];

export interface UpsertPayload {
  readonly values: EncodedRow;
}
export interface DeletePayload {
  readonly key: EncodedRow;
}
export interface CreateTablePayload {
  readonly fields: readonly (readonly [string, FieldType])[];
  readonly keyFields: readonly string[];
}
export interface AddFieldsPayload {
  readonly fields: readonly (readonly [string, FieldType])[];
}
export type EmptyPayload = Record<string, never>;

interface EntryBase {
  readonly seq: number;
  readonly batchSeq: number;
  readonly batchEnd: boolean;
  /** Milliseconds since the Unix epoch. */
  readonly committedAt: number;
  readonly family: string;
  readonly table: string;
}

export type LedgerEntry =
  | (EntryBase & { readonly op: 'upsert'; readonly payload: UpsertPayload })
  | (EntryBase & { readonly op: 'delete'; readonly payload: DeletePayload })
  | (EntryBase & { readonly op: 'create_table'; readonly payload: CreateTablePayload })
  | (EntryBase & { readonly op: 'add_fields'; readonly payload: AddFieldsPayload })
  | (EntryBase & { readonly op: 'drop_table' | 'clear_table' | 'heartbeat'; readonly payload: EmptyPayload });

/** An entry before the executive has assigned it a position. */
export type PendingEntry = Pick<LedgerEntry, 'family' | 'table' | 'op' | 'payload'>;

/** A ledger row as a driver returns it (numbers may arrive as strings or bigints). */
export interface LedgerRow {
  readonly seq: number | bigint | string;
  readonly batch_seq: number | bigint | string;
  readonly batch_end: number | bigint | string | boolean;
  readonly committed_at: number | bigint | string;
  readonly family: string;
  readonly table_name: string;
  readonly op: string;
  readonly payload: string;
}

function toSafeNumber(value: number | bigint | string, column: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n))
    throw new CuttleError('INTERNAL', `ledger column ${column} is not a safe integer: ${String(value)}`);
  return n;
}

export function ledgerEntryFromRow(row: LedgerRow): LedgerEntry {
  if (!(LEDGER_OPS as readonly string[]).includes(row.op)) {
    throw new CuttleError('INTERNAL', `ledger entry ${String(row.seq)} has unknown op ${row.op}`);
  }
  return {
    seq: toSafeNumber(row.seq, 'seq'),
    batchSeq: toSafeNumber(row.batch_seq, 'batch_seq'),
    batchEnd: Number(row.batch_end) === 1,
    committedAt: toSafeNumber(row.committed_at, 'committed_at'),
    family: row.family,
    table: row.table_name,
    op: row.op,
    payload: JSON.parse(row.payload) as never,
  } as LedgerEntry;
}

/** Where a reflector reads the ledger from: ctldb over MySQL, or the embedded SQLite ctldb. */
export interface LedgerSource {
  /** Up to `limit` entries with seq > `afterSeq`, in seq order. */
  readAfter(afterSeq: number, limit: number): Promise<LedgerEntry[]>;
  /** The last committed seq (0 when the ledger is empty). */
  headSeq(): Promise<number>;
  close(): Promise<void>;
}
