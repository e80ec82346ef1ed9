/**
 * Schema changes: families, create table, add fields, drop and clear table.
 *
 * Every table change is a ledger entry in a batch of its own, so reflectors replay it in order
 * with the data around it. On MySQL, DDL commits implicitly and cannot share a transaction with
 * the catalog row and the ledger entry, so the steps are ordered such that any failure leaves a
 * state the next attempt converges from, and ctldb's catalog and the ledger never disagree:
 *
 * - create table: (1) drop any orphan physical table (left by an earlier attempt whose catalog
 *   transaction failed, or by a drop whose DDL failed: it holds no data the catalog or ledger
 *   knows of), (2) CREATE TABLE IF NOT EXISTS, (3) one transaction: catalog row + ledger entry.
 *   Fails before (3) commits: no catalog row, no ledger entry; a retry starts over from (1).
 * - add fields: (1) drop orphan columns of the requested names (from a failed earlier attempt;
 *   upserts only ever write catalog fields, so these hold only NULLs), (2) ADD COLUMN each,
 *   (3) one transaction: catalog schema + version bump + ledger entry for ALL fields at once.
 *   Columns added but not committed are invisible (upserts list catalog fields only) and are
 *   rebuilt by the retry.
 * - drop table: (1) one transaction: delete catalog row + ledger entry, (2) DROP TABLE. If (2)
 *   fails, the table is an orphan: invisible, and removed by a later create of the same name.
 * - clear table: DELETE is transactional on both dialects: one transaction does it all.
 * All of it runs under the ctldb-wide schema lock, so two executives never interleave these
 * steps. The catalog row is locked FOR UPDATE in the transaction, which waits for in-flight
 * mutations of the table (they hold it shared) and makes later ones re-validate (catalog.ts).
 */
import type { Ctldb, SqlRunner } from '../../../lib/ctldb/dialect.ts';
import { isCtldbFailure } from '../../../lib/ctldb/dialect.ts';
import { addColumnSql, createFamilyTableSql, dropColumnSql } from '../../../lib/ctldb/family-sql.ts';
import { appendBatch, type AppendedBatch } from '../../../lib/ctldb/ledger-append.ts';
import { CuttleError } from '../../../lib/errors.ts';
import type { PendingEntry } from '../../../lib/ledger/entry.ts';
import type { LedgerNotifier } from '../../../lib/ledger/notifier.ts';
import {
  physicalTableName,
  quoteIdent,
  validateFamilyName,
  validateNewFamilyName,
  validateTableRef,
} from '../../../lib/schema/names.ts';
import {
  MAX_FIELDS,
  validateFieldDefs,
  validateTableSchema,
  type TableSchema,
} from '../../../lib/schema/types.ts';
import { Catalog, schemaToJson, type CatalogEntry } from '../catalog/catalog.ts';
import type { ExecutiveMetrics } from '../metrics.ts';

export interface SchemaServiceDeps {
  readonly ctldb: Ctldb;
  readonly catalog: Catalog;
  readonly notifier: LedgerNotifier;
  readonly metrics: ExecutiveMetrics;
}

export interface SchemaChangeResult {
  readonly seq: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

export class SchemaService {
  readonly #deps: SchemaServiceDeps;

  constructor(deps: SchemaServiceDeps) {
    this.#deps = deps;
  }

  async createFamily(name: unknown): Promise<{ family: string }> {
    const family = validateNewFamilyName(name);
    try {
      await this.#deps.ctldb.run('INSERT INTO cuttle_families (name, created_at) VALUES (?, ?)', [
        family,
        Date.now(),
      ]);
    } catch (err) {
      if (isCtldbFailure(err, 'duplicate')) {
        throw new CuttleError('FAMILY_EXISTS', `family ${family} already exists`, {
          details: { family },
          cause: err,
        });
      }
      throw err;
    }
    this.#deps.catalog.noteFamily(family);
    return { family };
  }

  async createTable(familyName: unknown, tableName: unknown, body: unknown): Promise<SchemaChangeResult> {
    const { family, table } = validateTableRef(validateNewFamilyName(familyName), tableName);
    const spec = isObject(body) ? body : {};
    const schema = validateTableSchema(family, table, spec.fields, spec.keyFields);
    const { ctldb, catalog } = this.#deps;
    return ctldb.withSchemaLock(async () => {
      await catalog.requireFamily(family);
      if ((await this.#fresh(family, table)) !== undefined) {
        throw new CuttleError('TABLE_EXISTS', `table ${family}.${table} already exists`, {
          details: { family, table },
        });
      }
      await ctldb.ddl(`DROP TABLE IF EXISTS ${quoteIdent(physicalTableName(family, table))}`);
      await ctldb.ddl(createFamilyTableSql(ctldb.dialect, schema));
      const entry: PendingEntry = {
        family,
        table,
        op: 'create_table',
        payload: { fields: schema.fields.map((f) => [f.name, f.type] as const), keyFields: schema.keyFields },
      };
      return this.#commit(entry, async (tx) => {
        const now = Date.now();
        await tx.run(
          'INSERT INTO cuttle_tables (family, table_name, schema_json, version, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)',
          [family, table, schemaToJson(schema), now, now],
        );
      });
    });
  }

  async addFields(familyName: unknown, tableName: unknown, body: unknown): Promise<SchemaChangeResult> {
    const ref = validateTableRef(familyName, tableName);
    const defs = validateFieldDefs(isObject(body) ? body.fields : undefined, ref);
    const { ctldb } = this.#deps;
    return ctldb.withSchemaLock(async () => {
      const current = await this.#require(ref.family, ref.table);
      for (const def of defs) {
        if (current.schema.fields.some((f) => f.name === def.name)) {
          throw new CuttleError(
            'FIELD_EXISTS',
            `field ${def.name} already exists in ${ref.family}.${ref.table}`,
            {
              details: { ...ref, field: def.name },
            },
          );
        }
      }
      if (current.schema.fields.length + defs.length > MAX_FIELDS) {
        throw new CuttleError(
          'BAD_REQUEST',
          `${ref.family}.${ref.table} would have more than ${MAX_FIELDS} fields`,
          { details: ref },
        );
      }
      const physical = physicalTableName(ref.family, ref.table);
      const orphans = new Set(await ctldb.columnsOf(physical));
      for (const def of defs) if (orphans.has(def.name)) await ctldb.ddl(dropColumnSql(physical, def.name));
      for (const def of defs) await ctldb.ddl(addColumnSql(ctldb.dialect, physical, def));
      const schema: TableSchema = { ...current.schema, fields: [...current.schema.fields, ...defs] };
      const entry: PendingEntry = {
        ...ref,
        op: 'add_fields',
        payload: { fields: defs.map((d) => [d.name, d.type] as const) },
      };
      return this.#commit(entry, async (tx) => {
        const locked = await Catalog.lockForChange(tx, ctldb.dialect, ref.family, ref.table);
        if (locked?.version !== current.version)
          throw new CuttleError(
            'UNAVAILABLE',
            `schema of ${ref.family}.${ref.table} changed concurrently; retry`,
          );
        await tx.run(
          'UPDATE cuttle_tables SET schema_json = ?, version = version + 1, updated_at = ? WHERE family = ? AND table_name = ?',
          [schemaToJson(schema), Date.now(), ref.family, ref.table],
        );
      });
    });
  }

  async dropTable(familyName: unknown, tableName: unknown, confirm: unknown): Promise<SchemaChangeResult> {
    const ref = this.#confirmed(familyName, tableName, confirm, 'drop');
    const { ctldb } = this.#deps;
    return ctldb.withSchemaLock(async () => {
      const result = await this.#commit({ ...ref, op: 'drop_table', payload: {} }, async (tx) => {
        await this.#lockExisting(tx, ref.family, ref.table);
        await tx.run('DELETE FROM cuttle_tables WHERE family = ? AND table_name = ?', [
          ref.family,
          ref.table,
        ]);
        await tx.run('DELETE FROM cuttle_table_limits WHERE family = ? AND table_name = ?', [
          ref.family,
          ref.table,
        ]);
      });
      await ctldb.ddl(`DROP TABLE IF EXISTS ${quoteIdent(physicalTableName(ref.family, ref.table))}`);
      return result;
    });
  }

  async clearTable(familyName: unknown, tableName: unknown, confirm: unknown): Promise<SchemaChangeResult> {
    const ref = this.#confirmed(familyName, tableName, confirm, 'clear');
    return this.#deps.ctldb.withSchemaLock(() =>
      this.#commit({ ...ref, op: 'clear_table', payload: {} }, async (tx) => {
        await this.#lockExisting(tx, ref.family, ref.table);
        await tx.run(`DELETE FROM ${quoteIdent(physicalTableName(ref.family, ref.table))}`);
      }),
    );
  }

  async describeTable(familyName: unknown, tableName: unknown): Promise<TableSchema & { version: number }> {
    const { family, table } = validateTableRef(familyName, tableName);
    const entry = await this.#require(family, table);
    return { ...entry.schema, version: entry.version };
  }

  async describeFamily(familyName: unknown): Promise<{ family: string; tables: TableSchema[] }> {
    const family = validateFamilyName(familyName);
    await this.#deps.catalog.requireFamily(family);
    return { family, tables: await this.#deps.catalog.tablesOf(family) };
  }

  listFamilies(): Promise<string[]> {
    return this.#deps.catalog.listFamilies();
  }

  async describeAll(): Promise<{ families: { family: string; tables: TableSchema[] }[] }> {
    const [families, tables] = await Promise.all([
      this.#deps.catalog.listFamilies(),
      this.#deps.catalog.allTables(),
    ]);
    return {
      families: families.map((family) => ({ family, tables: tables.filter((t) => t.family === family) })),
    };
  }

  #confirmed(
    familyName: unknown,
    tableName: unknown,
    confirm: unknown,
    what: string,
  ): { family: string; table: string } {
    const ref = validateTableRef(familyName, tableName);
    const expected = `${ref.family}.${ref.table}`;
    if (confirm !== expected) {
      throw new CuttleError(
        'CONFIRMATION_REQUIRED',
        `to ${what} ${expected}, repeat its name: ?confirm=${expected}`,
        { details: ref },
      );
    }
    return ref;
  }

  /** The catalog entry read from ctldb, not the cache (schema changes must see the truth). */
  async #fresh(family: string, table: string): Promise<CatalogEntry | undefined> {
    this.#deps.catalog.invalidate(family, table);
    return this.#deps.catalog.get(family, table);
  }

  async #require(family: string, table: string): Promise<CatalogEntry> {
    this.#deps.catalog.invalidate(family, table);
    return this.#deps.catalog.require(family, table);
  }

  async #lockExisting(tx: SqlRunner, family: string, table: string): Promise<void> {
    if ((await Catalog.lockForChange(tx, this.#deps.ctldb.dialect, family, table)) === undefined) {
      throw new CuttleError('TABLE_NOT_FOUND', `table ${family}.${table} does not exist`, {
        details: { family, table },
      });
    }
  }

  /** Runs `change` and appends `entry` as its own batch, in one transaction; then wakes followers. */
  async #commit(entry: PendingEntry, change: (tx: SqlRunner) => Promise<void>): Promise<SchemaChangeResult> {
    const { ctldb, catalog, notifier, metrics } = this.#deps;
    let appended: AppendedBatch;
    try {
      appended = await ctldb.transaction(async (tx) => {
        await change(tx);
        return appendBatch(tx, ctldb.dialect, [entry]);
      });
    } finally {
      catalog.invalidate(entry.family, entry.table);
    }
    metrics.schemaChanges.inc({ op: entry.op });
    notifier.published(appended.lastSeq);
    return { seq: appended.lastSeq };
  }
}
