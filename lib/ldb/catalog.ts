/**
 * The LDB catalog (`_cuttle_catalog`): each table's cuttle schema, per incarnation. Readers use the
 * current incarnation (dropped_seq IS NULL); the change feed uses the incarnation that was live at
 * an entry's seq.
 */
import { physicalTableName } from '../schema/names.ts';
import type { FieldDef, FieldType, TableSchema } from '../schema/types.ts';
import { CATALOG_TABLE } from './layout.ts';
import type { SqliteDb } from './sqlite-port.ts';

/** One incarnation of a table. */
export interface CatalogEntry {
  readonly schema: TableSchema;
  readonly createdSeq: number;
  /** Seq of the drop_table entry that ended this incarnation, or null while it is live. */
  readonly droppedSeq: number | null;
}

interface CatalogRow {
  readonly family: string;
  readonly table_name: string;
  readonly created_seq: number | bigint;
  readonly fields: string;
  readonly key_fields: string;
  readonly dropped_seq: number | bigint | null;
}

const COLUMNS = 'family, table_name, created_seq, fields, key_fields, dropped_seq';

export const SELECT_CURRENT_SCHEMA_SQL = `SELECT ${COLUMNS} FROM ${CATALOG_TABLE} WHERE family = ? AND table_name = ? AND dropped_seq IS NULL`;

export function catalogEntryFromRow(row: unknown): CatalogEntry {
  const r = row as CatalogRow;
  const fields = (JSON.parse(r.fields) as [string, FieldType][]).map(([name, type]): FieldDef => ({
    name,
    type,
  }));
  return {
    schema: {
      family: r.family,
      table: r.table_name,
      fields,
      keyFields: JSON.parse(r.key_fields) as string[],
    },
    createdSeq: Number(r.created_seq),
    droppedSeq: r.dropped_seq === null ? null : Number(r.dropped_seq),
  };
}

/** Every incarnation of every table, oldest first. */
export function readCatalog(db: SqliteDb): CatalogEntry[] {
  return db
    .prepare(`SELECT ${COLUMNS} FROM ${CATALOG_TABLE} ORDER BY created_seq`)
    .all()
    .map(catalogEntryFromRow);
}

/** The live tables by physical name. */
export function readLiveSchemas(db: SqliteDb): Map<string, TableSchema> {
  const live = new Map<string, TableSchema>();
  for (const entry of readCatalog(db)) {
    if (entry.droppedSeq === null) {
      live.set(physicalTableName(entry.schema.family, entry.schema.table), entry.schema);
    }
  }
  return live;
}

const fieldsJson = (fields: readonly FieldDef[]): string =>
  JSON.stringify(fields.map((f) => [f.name, f.type]));

/** Catalog writes, run inside the applier's batch transaction. */
export class CatalogWriter {
  readonly #insert;
  readonly #updateFields;
  readonly #drop;

  constructor(db: SqliteDb) {
    this.#insert = db.prepare(`INSERT INTO ${CATALOG_TABLE} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, NULL)`);
    this.#updateFields = db.prepare(
      `UPDATE ${CATALOG_TABLE} SET fields = ? WHERE family = ? AND table_name = ? AND dropped_seq IS NULL`,
    );
    this.#drop = db.prepare(
      `UPDATE ${CATALOG_TABLE} SET dropped_seq = ? WHERE family = ? AND table_name = ? AND dropped_seq IS NULL`,
    );
  }

  created(schema: TableSchema, seq: number): void {
    this.#insert.run(
      schema.family,
      schema.table,
      seq,
      fieldsJson(schema.fields),
      JSON.stringify(schema.keyFields),
    );
  }

  fieldsChanged(schema: TableSchema): void {
    this.#updateFields.run(fieldsJson(schema.fields), schema.family, schema.table);
  }

  dropped(family: string, table: string, seq: number): void {
    this.#drop.run(seq, family, table);
  }
}

/**
 * The schema a table had at `seq`: the incarnation created at or before it and not dropped
 * before it (a drop_table entry still sees the table it drops).
 */
export function schemaAt(
  catalog: readonly CatalogEntry[],
  family: string,
  table: string,
  seq: number,
): TableSchema | undefined {
  let found: CatalogEntry | undefined;
  for (const entry of catalog) {
    if (entry.schema.family !== family || entry.schema.table !== table) continue;
    if (entry.createdSeq > seq || (entry.droppedSeq !== null && entry.droppedSeq < seq)) continue;
    if (found === undefined || entry.createdSeq > found.createdSeq) found = entry;
  }
  return found?.schema;
}
