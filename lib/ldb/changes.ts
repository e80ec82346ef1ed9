/**
 * Row changes: what the change feed publishes for each committed ledger entry. Built from the
 * ledger entries themselves (not from SQLite hooks), so the same function serves the applier and
 * the re-emission of a feed that fell behind the LDB after a crash.
 */
import type { LedgerEntry } from '../ledger/entry.ts';
import type { FieldType, TableSchema } from '../schema/types.ts';
import type { EncodedRow } from '../schema/values.ts';

export const CHANGE_OPS = [
  'upsert',
  'delete',
  'create_table',
  'add_fields',
  'drop_table',
  'clear_table',
] as const;
export type ChangeOp = (typeof CHANGE_OPS)[number];

/** One committed change. Values are in ledger encoding (see lib/schema/values.ts). */
export interface RowChange {
  /** Ledger seq of the entry (stable across restarts). */
  readonly seq: number;
  /** Commit time of the entry in ctldb, ms since the epoch. */
  readonly committedAt: number;
  readonly family: string;
  readonly table: string;
  readonly op: ChangeOp;
  /** The row's key (upsert, delete); null for table-level changes. */
  readonly key: EncodedRow | null;
  /** The row's new values (upsert); null otherwise. */
  readonly values: EncodedRow | null;
  /** Type of every field named in `key` and `values` (for schema changes: the fields declared). */
  readonly types: Readonly<Record<string, FieldType>>;
}

function typesOf(fields: Iterable<readonly [string, FieldType]>): Record<string, FieldType> {
  const types: Record<string, FieldType> = {};
  for (const [name, type] of fields) types[name] = type;
  return types;
}

function schemaTypes(schema: TableSchema | undefined, names: Iterable<string>): Record<string, FieldType> {
  const types: Record<string, FieldType> = {};
  if (schema === undefined) return types;
  for (const name of names) {
    const field = schema.fields.find((f) => f.name === name);
    if (field !== undefined) types[name] = field.type;
  }
  return types;
}

/**
 * The change an entry makes, given the schema its table had at that entry (after the entry, for
 * create_table and add_fields). Heartbeats change no row: null.
 */
export function changeOfEntry(entry: LedgerEntry, schema: TableSchema | undefined): RowChange | null {
  const base = { seq: entry.seq, committedAt: entry.committedAt, family: entry.family, table: entry.table };
  switch (entry.op) {
    case 'heartbeat':
      return null;
    case 'upsert': {
      const values = entry.payload.values;
      const key: EncodedRow = {};
      for (const k of schema?.keyFields ?? []) key[k] = values[k] ?? null;
      return { ...base, op: 'upsert', key, values, types: schemaTypes(schema, Object.keys(values)) };
    }
    case 'delete':
      return {
        ...base,
        op: 'delete',
        key: entry.payload.key,
        values: null,
        types: schemaTypes(schema, Object.keys(entry.payload.key)),
      };
    case 'create_table':
    case 'add_fields':
      return { ...base, op: entry.op, key: null, values: null, types: typesOf(entry.payload.fields) };
    case 'drop_table':
    case 'clear_table':
      return { ...base, op: entry.op, key: null, values: null, types: {} };
  }
}
