/**
 * Prepared statements of one table, valid for one catalog version. Every statement carries a
 * guard, `(SELECT catalog_version …) = ?`, evaluated in the same snapshot as the row lookup: a
 * statement prepared for an older schema returns nothing instead of a wrong answer, and the
 * reader then reloads the table's schema and retries. A hit costs no extra statement.
 */
import { POSITION_TABLE } from '../ldb/layout.ts';
import type { SqliteDb, SqliteStatement } from '../ldb/sqlite-port.ts';
import { physicalTableName, quoteIdent } from '../schema/names.ts';
import { keyDefs, type FieldDef, type TableSchema } from '../schema/types.ts';
import type { Row } from '../schema/values.ts';
import { keyParam, keyParams, type KeyInput } from './key.ts';

const GUARD = `(SELECT catalog_version FROM ${POSITION_TABLE} WHERE id = 1) = ?`;

/** The cached statements of one table for one catalog version (see the module comment). */
export class TableStatements {
  readonly schema: TableSchema;
  readonly keyDefs: readonly FieldDef[];
  /** The catalog version these statements were prepared for. */
  readonly version: bigint;
  readonly get: SqliteStatement<Row>;
  readonly #db: SqliteDb;
  readonly #prefix = new Map<string, SqliteStatement<Row>>();

  constructor(db: SqliteDb, schema: TableSchema, version: bigint) {
    this.#db = db;
    this.schema = schema;
    this.keyDefs = keyDefs(schema);
    this.version = version;
    const where = schema.keyFields.map((k) => `${quoteIdent(k)} = ?`);
    this.get = this.#prepare(`WHERE ${[...where, GUARD].join(' AND ')}`);
  }

  /** The parameters of `get` for a full key, the version guard last. Hot path: no closures. */
  fullKeyParams(key: KeyInput): unknown[] {
    const defs = this.keyDefs;
    if (Array.isArray(key) && key.length === defs.length) {
      const params: unknown[] = new Array(defs.length + 1);
      for (let i = 0; i < defs.length; i++) params[i] = keyParam(key[i], defs[i] as FieldDef, this.schema);
      params[defs.length] = this.version;
      return params;
    }
    const params: unknown[] = keyParams(key, defs, this.schema, true);
    params.push(this.version);
    return params;
  }

  /** Rows matching the first `prefixLength` key fields, optionally after a full key, in key order. */
  prefix(prefixLength: number, after: boolean): SqliteStatement<Row> {
    const id = `${prefixLength}:${after}`;
    let statement = this.#prefix.get(id);
    if (statement === undefined) {
      const keys = this.schema.keyFields.map(quoteIdent);
      const conditions = keys.slice(0, prefixLength).map((k) => `${k} = ?`);
      if (after) conditions.push(`(${keys.join(', ')}) > (${keys.map(() => '?').join(', ')})`);
      conditions.push(GUARD);
      statement = this.#prepare(`WHERE ${conditions.join(' AND ')} ORDER BY ${keys.join(', ')} LIMIT ?`);
      this.#prefix.set(id, statement);
    }
    return statement;
  }

  #prepare(tail: string): SqliteStatement<Row> {
    const table = quoteIdent(physicalTableName(this.schema.family, this.schema.table));
    return this.#db.prepare<Row>(`SELECT * FROM ${table} ${tail}`).safeIntegers(true);
  }
}
