/**
 * The LDB's layout: what a reflector writes and the reader library reads.
 *
 * - One table per cuttle table, with the same physical name as in ctldb (`family___table`),
 *   created `STRICT, WITHOUT ROWID`: STRICT makes SQLite store each field in exactly one storage
 *   class (so a reader can type a value by its class alone), WITHOUT ROWID stores rows in key
 *   order, which is what get-by-key and rows-by-prefix read. Keys use SQLite's default BINARY
 *   collation: byte-for-byte, no case folding, no trailing-space padding, as in ctldb.
 * - `_cuttle_position`: one row with the LDB's seq, written in the same transaction as the data
 *   it covers, plus the commit time of the last applied entry and of the last heartbeat, and the
 *   catalog version (bumped by every schema change; readers use it to drop stale statements).
 * - `_cuttle_catalog`: the cuttle schema of every table, one row per incarnation (a table dropped
 *   and created again has two rows; `dropped_seq` marks the old one), so the change feed can
 *   still type the values of an entry written before a drop.
 *
 * System tables start with `_`, which no family name can, so they never collide.
 */
import { physicalTableName, quoteIdent } from '../schema/names.ts';
import type { FieldType, TableSchema } from '../schema/types.ts';

export const POSITION_TABLE = '_cuttle_position';
export const CATALOG_TABLE = '_cuttle_catalog';
/** `PRAGMA user_version` of an LDB in this layout. */
export const LDB_LAYOUT_VERSION = 1;

/** SQLite STRICT column type per field type: integers exact, decimals as canonical text. */
export const SQLITE_COLUMN_TYPES: Readonly<Record<FieldType, string>> = {
  string: 'TEXT',
  text: 'TEXT',
  decimal: 'TEXT',
  integer: 'INTEGER',
  bytestring: 'BLOB',
  binary: 'BLOB',
};

export function systemTablesDdl(): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${POSITION_TABLE} (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      seq INTEGER NOT NULL,
      committed_at INTEGER,
      heartbeat_at INTEGER,
      catalog_version INTEGER NOT NULL,
      applied_at INTEGER
    ) STRICT`,
    `INSERT OR IGNORE INTO ${POSITION_TABLE} (id, seq, catalog_version) VALUES (1, 0, 0)`,
    `CREATE TABLE IF NOT EXISTS ${CATALOG_TABLE} (
      family TEXT NOT NULL,
      table_name TEXT NOT NULL,
      created_seq INTEGER NOT NULL,
      fields TEXT NOT NULL,
      key_fields TEXT NOT NULL,
      dropped_seq INTEGER,
      PRIMARY KEY (family, table_name, created_seq)
    ) STRICT, WITHOUT ROWID`,
  ];
}

export function createFamilyTableSql(schema: TableSchema): string {
  const keys = new Set(schema.keyFields);
  const columns = schema.fields.map(
    (f) => `${quoteIdent(f.name)} ${SQLITE_COLUMN_TYPES[f.type]}${keys.has(f.name) ? ' NOT NULL' : ''}`,
  );
  const primaryKey = `PRIMARY KEY (${schema.keyFields.map(quoteIdent).join(', ')})`;
  const name = quoteIdent(physicalTableName(schema.family, schema.table));
  return `CREATE TABLE ${name} (${[...columns, primaryKey].join(', ')}) STRICT, WITHOUT ROWID`;
}

export function addColumnSql(family: string, table: string, field: string, type: FieldType): string {
  const name = quoteIdent(physicalTableName(family, table));
  return `ALTER TABLE ${name} ADD COLUMN ${quoteIdent(field)} ${SQLITE_COLUMN_TYPES[type]}`;
}

/** Where the LDB stands: what readers report as seq and staleness. */
export interface LdbPosition {
  /** The last applied ledger seq (0: nothing applied yet). */
  readonly seq: number;
  /** Commit time (ms since the epoch, executive clock) of the last applied entry, or null. */
  readonly committedAt: number | null;
  /** Commit time of the last applied heartbeat entry, or null. */
  readonly heartbeatAt: number | null;
  /** Bumped by every schema change. */
  readonly catalogVersion: number;
  /** When the reflector applied the last batch (ms, reflector clock), or null. */
  readonly appliedAt: number | null;
}

export const SELECT_POSITION_SQL = `SELECT seq, committed_at, heartbeat_at, catalog_version, applied_at FROM ${POSITION_TABLE} WHERE id = 1`;

interface PositionRow {
  readonly seq: number | bigint;
  readonly committed_at: number | bigint | null;
  readonly heartbeat_at: number | bigint | null;
  readonly catalog_version: number | bigint;
  readonly applied_at: number | bigint | null;
}

const orNull = (v: number | bigint | null): number | null => (v === null ? null : Number(v));

export function positionFromRow(row: unknown): LdbPosition {
  const r = row as PositionRow;
  return {
    seq: Number(r.seq),
    committedAt: orNull(r.committed_at),
    heartbeatAt: orNull(r.heartbeat_at),
    catalogVersion: Number(r.catalog_version),
    appliedAt: orNull(r.applied_at),
  };
}

/** Seconds since the newest commit the LDB knows of; Infinity when it has applied nothing yet. */
export function stalenessSeconds(position: LdbPosition, now: number): number {
  const anchor = Math.max(position.committedAt ?? -Infinity, position.heartbeatAt ?? -Infinity);
  return anchor === -Infinity ? Infinity : Math.max(0, (now - anchor) / 1000);
}
