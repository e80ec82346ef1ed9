/**
 * LDB test helpers: throwaway folders, a reference model of what ctldb holds after a list of
 * ledger entries (replayed in memory, the "ctldb content" property tests compare against), and a
 * dump of an LDB through the reader library in the same shape.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLiveSchemas } from '../../lib/ldb/catalog.ts';
import type { SqliteDb } from '../../lib/ldb/sqlite-port.ts';
import type { LedgerEntry, PendingEntry } from '../../lib/ledger/entry.ts';
import type { LdbReader } from '../../lib/reader/ldb-reader.ts';
import { physicalTableName, quoteIdent } from '../../lib/schema/names.ts';
import type { FieldType, TableSchema } from '../../lib/schema/types.ts';
import { decodeRow, type Row, type Value } from '../../lib/schema/values.ts';

export interface TempDir {
  readonly path: string;
  file(name: string): string;
  remove(): void;
}

export function tempDir(prefix = 'cuttle-ldb-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    file: (name) => join(path, name),
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** A value as a sortable, type-tagged string (so 'a' and Buffer('a') and 1n never collide). */
export function valueId(value: Value): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return `i:${value}`;
  if (typeof value === 'string') return `s:${JSON.stringify(value)}`;
  return `b:${value.toString('hex')}`;
}

export function keyId(schema: TableSchema, row: Row): string {
  return schema.keyFields.map((k) => valueId(row[k] ?? null)).join('|');
}

/** Table contents by physical name: schema plus rows sorted by key id. */
export type Dump = Record<string, { schema: TableSchema; rows: Row[] }>;

/** PendingEntry with its op/payload union kept discriminated. */
type TypedEntry = LedgerEntry extends infer E
  ? E extends LedgerEntry
    ? Pick<E, 'family' | 'table' | 'op' | 'payload'>
    : never
  : never;

interface ModelTable {
  schema: TableSchema;
  readonly rows: Map<string, Row>;
}

/** What ctldb holds after the entries: the reference for "LDB equals ctldb". */
export class LedgerModel {
  readonly #tables = new Map<string, ModelTable>();

  apply(pending: PendingEntry): void {
    const entry = pending as TypedEntry;
    const physical = physicalTableName(entry.family, entry.table);
    const table = this.#tables.get(physical);
    switch (entry.op) {
      case 'create_table':
        this.#tables.set(physical, {
          schema: {
            family: entry.family,
            table: entry.table,
            fields: entry.payload.fields.map(([name, type]) => ({ name, type })),
            keyFields: [...entry.payload.keyFields],
          },
          rows: new Map(),
        });
        return;
      case 'add_fields':
        if (table === undefined) throw new Error(`model: add_fields on missing ${physical}`);
        table.schema = {
          ...table.schema,
          fields: [...table.schema.fields, ...entry.payload.fields.map(([name, type]) => ({ name, type }))],
        };
        for (const row of table.rows.values()) for (const [name] of entry.payload.fields) row[name] = null;
        return;
      case 'drop_table':
        this.#tables.delete(physical);
        return;
      case 'clear_table':
        table?.rows.clear();
        return;
      case 'upsert': {
        if (table === undefined) throw new Error(`model: upsert on missing ${physical}`);
        const row = decodeRow(entry.payload.values, table.schema.fields);
        const full: Row = {};
        for (const f of table.schema.fields) full[f.name] = row[f.name] ?? null;
        table.rows.set(keyId(table.schema, full), full);
        return;
      }
      case 'delete': {
        if (table === undefined) throw new Error(`model: delete on missing ${physical}`);
        table.rows.delete(keyId(table.schema, decodeRow(entry.payload.key, table.schema.fields)));
        return;
      }
      case 'heartbeat':
        return;
    }
  }

  schema(physical: string): TableSchema | undefined {
    return this.#tables.get(physical)?.schema;
  }

  liveTables(): TableSchema[] {
    return [...this.#tables.values()].map((t) => t.schema);
  }

  keysOf(physical: string): Row[] {
    return [...(this.#tables.get(physical)?.rows.values() ?? [])];
  }

  dump(): Dump {
    const out: Dump = {};
    for (const [physical, table] of [...this.#tables].sort(([a], [b]) => a.localeCompare(b))) {
      const rows = [...table.rows.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, r]) => r);
      out[physical] = { schema: table.schema, rows };
    }
    return out;
  }
}

/** The same shape read back from an LDB through the reader library. */
export function dumpLdb(reader: LdbReader): Dump {
  const out: Dump = {};
  const schemas = reader
    .tables()
    .sort((a, b) => physicalTableName(a.family, a.table).localeCompare(physicalTableName(b.family, b.table)));
  for (const schema of schemas) {
    const rows = reader
      .rowsByPrefix(schema.family, schema.table, [])
      .map((row) => ({ id: keyId(schema, row), row: { ...row } }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map(({ row }) => row);
    out[physicalTableName(schema.family, schema.table)] = { schema, rows };
  }
  return out;
}

/** Fields of every type, for tests that need one of each. */
export const ALL_TYPES: readonly FieldType[] = [
  'string',
  'bytestring',
  'integer',
  'decimal',
  'text',
  'binary',
];

/** A dump straight from a writer connection (unit tests on in-memory LDBs). */
export function dumpDb(db: SqliteDb): Dump {
  const out: Dump = {};
  const schemas = [...readLiveSchemas(db)].sort(([a], [b]) => a.localeCompare(b));
  for (const [physical, schema] of schemas) {
    const rows = db
      .prepare<Row>(`SELECT * FROM ${quoteIdent(physical)}`)
      .safeIntegers(true)
      .all()
      .map((row) => ({ id: keyId(schema, row), row }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map(({ row }) => row);
    out[physical] = { schema, rows };
  }
  return out;
}
