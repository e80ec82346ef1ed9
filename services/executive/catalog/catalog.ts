/**
 * The table catalog (cuttle_families, cuttle_tables), cached in memory.
 *
 * The mutation path must not query ctldb's metadata per request (ctlstore read information_schema
 * on every mutation). So schemas are cached here, and kept honest by a version: every schema
 * change bumps cuttle_tables.version, and the mutation transaction re-reads the versions of the
 * tables it touches under a shared row lock (`lockVersions`). A mismatch means another executive
 * changed the schema since we cached it: the mutation path drops the cache entry and validates
 * again. This executive also invalidates its own entries after each schema change.
 */
import type { Ctldb, CtldbDialect, SqlRow, SqlRunner } from '../../../lib/ctldb/dialect.ts';
import { CuttleError } from '../../../lib/errors.ts';
import type { FieldDef, TableSchema } from '../../../lib/schema/types.ts';

export interface CatalogEntry {
  readonly schema: TableSchema;
  readonly version: number;
}

/** How a schema is stored in cuttle_tables.schema_json (the same shape as a create_table payload). */
export interface StoredSchema {
  readonly fields: readonly (readonly [string, FieldDef['type']])[];
  readonly keyFields: readonly string[];
}

export function schemaToJson(schema: TableSchema): string {
  const stored: StoredSchema = {
    fields: schema.fields.map((f) => [f.name, f.type] as const),
    keyFields: schema.keyFields,
  };
  return JSON.stringify(stored);
}

function entryFromRow(row: SqlRow): CatalogEntry {
  const stored = JSON.parse(String(row.schema_json)) as StoredSchema;
  return {
    version: Number(row.version),
    schema: {
      family: String(row.family),
      table: String(row.table_name),
      fields: stored.fields.map(([name, type]) => ({ name, type })),
      keyFields: stored.keyFields,
    },
  };
}

const SELECT_TABLES = 'SELECT family, table_name, schema_json, version FROM cuttle_tables';

export class Catalog {
  readonly #ctldb: Ctldb;
  readonly #tables = new Map<string, CatalogEntry>();
  readonly #families = new Set<string>();

  constructor(ctldb: Ctldb) {
    this.#ctldb = ctldb;
  }

  async familyExists(family: string): Promise<boolean> {
    if (this.#families.has(family)) return true;
    const rows = await this.#ctldb.all('SELECT name FROM cuttle_families WHERE name = ?', [family]);
    if (rows.length > 0) this.#families.add(family);
    return rows.length > 0;
  }

  async requireFamily(family: string): Promise<void> {
    if (!(await this.familyExists(family))) {
      throw new CuttleError('FAMILY_NOT_FOUND', `family ${family} does not exist; create it first`, {
        details: { family },
      });
    }
  }

  async listFamilies(): Promise<string[]> {
    const rows = await this.#ctldb.all('SELECT name FROM cuttle_families ORDER BY name');
    return rows.map((r) => String(r.name));
  }

  async get(family: string, table: string): Promise<CatalogEntry | undefined> {
    const key = `${family}.${table}`;
    const cached = this.#tables.get(key);
    if (cached !== undefined) return cached;
    const rows = await this.#ctldb.all(`${SELECT_TABLES} WHERE family = ? AND table_name = ?`, [
      family,
      table,
    ]);
    if (rows[0] === undefined) return undefined;
    const entry = entryFromRow(rows[0]);
    this.#tables.set(key, entry);
    return entry;
  }

  /** The table's catalog entry; TABLE_NOT_FOUND (or FAMILY_NOT_FOUND) when it does not exist. */
  async require(family: string, table: string): Promise<CatalogEntry> {
    const entry = await this.get(family, table);
    if (entry !== undefined) return entry;
    await this.requireFamily(family);
    throw new CuttleError('TABLE_NOT_FOUND', `table ${family}.${table} does not exist`, {
      details: { family, table },
    });
  }

  async tablesOf(family: string): Promise<TableSchema[]> {
    const rows = await this.#ctldb.all(`${SELECT_TABLES} WHERE family = ? ORDER BY table_name`, [family]);
    return rows.map((r) => entryFromRow(r).schema);
  }

  async allTables(): Promise<TableSchema[]> {
    const rows = await this.#ctldb.all(`${SELECT_TABLES} ORDER BY family, table_name`);
    return rows.map((r) => entryFromRow(r).schema);
  }

  invalidate(family: string, table: string): void {
    this.#tables.delete(`${family}.${table}`);
  }

  noteFamily(family: string): void {
    this.#families.add(family);
  }

  /** Reads the versions of `tables` under shared row locks held until the transaction ends. */
  static async lockVersions(
    tx: SqlRunner,
    dialect: CtldbDialect,
    family: string,
    tables: readonly string[],
  ): Promise<Map<string, number>> {
    const rows = await tx.all(
      `SELECT table_name, version FROM cuttle_tables WHERE family = ? AND table_name IN (${tables.map(() => '?').join(', ')})${dialect.forShare}`,
      [family, ...tables],
    );
    return new Map(rows.map((r) => [String(r.table_name), Number(r.version)]));
  }

  /** The catalog row of one table under an exclusive lock (schema changes). */
  static async lockForChange(
    tx: SqlRunner,
    dialect: CtldbDialect,
    family: string,
    table: string,
  ): Promise<CatalogEntry | undefined> {
    const rows = await tx.all(`${SELECT_TABLES} WHERE family = ? AND table_name = ?${dialect.forUpdate}`, [
      family,
      table,
    ]);
    return rows[0] === undefined ? undefined : entryFromRow(rows[0]);
  }
}
