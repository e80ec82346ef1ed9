/**
 * An LDB's chaos tables at one seq, read through the reader library (lib/reader) the way a
 * consumer service reads it. Each read is its own statement, so the seq is read before and after
 * and the read is retried until both agree: the rows then belong to that seq.
 */
import { isCuttleError } from '../../lib/errors.ts';
import type { LdbReader } from '../../lib/reader/ldb-reader.ts';
import type { TablesState } from './ctldb.ts';
import { normalRow, toTableRows } from './tables.ts';
import { CHAOS_TABLES } from './truth.ts';

export interface LdbState {
  readonly seq: number;
  readonly tables: TablesState;
}

function readTables(reader: LdbReader, family: string): TablesState {
  const tables = {} as TablesState;
  for (const table of CHAOS_TABLES) {
    const schema = reader.schema(family, table);
    const types = new Map(schema?.fields.map((f) => [f.name, f.type]) ?? []);
    let rows: ReturnType<LdbReader['rowsByPrefix']> = [];
    try {
      rows = reader.rowsByPrefix(family, table, []);
    } catch (err) {
      if (!(isCuttleError(err) && err.code === 'TABLE_NOT_FOUND')) throw err;
    }
    tables[table] = toTableRows(
      table,
      rows.map((r) => normalRow(r, types)),
    );
  }
  return tables;
}

export function readLdbState(reader: LdbReader, family: string, attempts = 10): LdbState | undefined {
  for (let i = 0; i < attempts; i++) {
    const before = reader.lastSeq();
    const tables = readTables(reader, family);
    if (reader.lastSeq() === before) return { seq: before, tables };
  }
  return undefined;
}
