/**
 * Applies one ledger entry's effect to the family tables of an LDB, inside the caller's
 * transaction. Values are bound exactly: integers as bigint (SQLite INTEGER, all 64 bits),
 * decimals and strings as TEXT, bytes as BLOB.
 */
import { CuttleError } from '../errors.ts';
import { physicalTableName, quoteIdent } from '../schema/names.ts';
import type { TableSchema } from '../schema/types.ts';
// A decoded value (bigint, string, Buffer, null) is exactly what better-sqlite3 binds.
import { decodeValue as bindValue, type EncodedRow } from '../schema/values.ts';
import type { SqliteDb, SqliteStatement } from './sqlite-port.ts';

function inconsistency(schema: TableSchema, problem: string): CuttleError {
  return new CuttleError('INTERNAL', `ledger does not match ${schema.family}.${schema.table}: ${problem}`, {
    details: { family: schema.family, table: schema.table },
    retriable: false,
  });
}

/** Prepared statements per physical table, dropped whenever the table's schema changes. */
export class TableWriter {
  readonly #db: SqliteDb;
  readonly #statements = new Map<string, Map<string, SqliteStatement>>();

  constructor(db: SqliteDb) {
    this.#db = db;
  }

  /** Forgets the statements of a table whose schema changed (or of every table). */
  forget(physical?: string): void {
    if (physical === undefined) this.#statements.clear();
    else this.#statements.delete(physical);
  }

  upsert(schema: TableSchema, values: EncodedRow): void {
    const present = schema.fields.filter((f) => f.name in values);
    for (const name of Object.keys(values)) {
      if (!present.some((f) => f.name === name)) throw inconsistency(schema, `unknown field ${name}`);
    }
    for (const k of schema.keyFields) {
      if (values[k] == null) throw inconsistency(schema, `upsert without key field ${k}`);
    }
    const columns = present.map((f) => quoteIdent(f.name)).join(', ');
    const statement = this.#statement(schema, `upsert:${columns}`, (table) => {
      const marks = present.map(() => '?').join(', ');
      return `INSERT OR REPLACE INTO ${table} (${columns}) VALUES (${marks})`;
    });
    statement.run(...present.map((f) => bindValue(values[f.name] ?? null, f.type)));
  }

  delete(schema: TableSchema, key: EncodedRow): void {
    const params = schema.keyFields.map((k) => {
      const field = schema.fields.find((f) => f.name === k);
      const value = key[k];
      if (field === undefined || value == null) throw inconsistency(schema, `delete without key field ${k}`);
      return bindValue(value, field.type);
    });
    const statement = this.#statement(schema, 'delete', (table) => {
      const where = schema.keyFields.map((k) => `${quoteIdent(k)} = ?`).join(' AND ');
      return `DELETE FROM ${table} WHERE ${where}`;
    });
    statement.run(...params);
  }

  clear(schema: TableSchema): void {
    this.#statement(schema, 'clear', (table) => `DELETE FROM ${table}`).run();
  }

  #statement(schema: TableSchema, id: string, sql: (quotedTable: string) => string): SqliteStatement {
    const physical = physicalTableName(schema.family, schema.table);
    let byId = this.#statements.get(physical);
    if (byId === undefined) {
      byId = new Map();
      this.#statements.set(physical, byId);
    }
    let statement = byId.get(id);
    if (statement === undefined) {
      statement = this.#db.prepare(sql(quoteIdent(physical)));
      byId.set(id, statement);
    }
    return statement;
  }
}
