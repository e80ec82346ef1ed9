/**
 * Measures every family table in ctldb exactly: row count and the sum of every value's stored
 * size, counted as lib/schema/values.ts `valueSize` counts the bytes of an upsert (so quotas and
 * admitted growth are in one unit): strings and blobs by byte length, integers 8, NULL 1.
 *
 * Why a scan and not information_schema: InnoDB's data_length/index_length (what ctlstore used)
 * are page-level estimates refreshed by background statistics, off by tens of percent and stale
 * after bulk changes, and SQLite has none. One `SELECT COUNT(*), SUM(…)` per table is a consistent
 * non-locking read on InnoDB (and a WAL reader on SQLite), so writers are never blocked; it costs
 * one pass over each table per interval, which only one executive runs (the BullMQ scheduler),
 * and control-data tables are small by design (the quotas keep them so). Between two scans the
 * admission path adds each admitted upsert's bytes to a growth counter, so the quota tracks the
 * table incrementally in between.
 *
 * The column list comes from information_schema.COLUMNS / pragma_table_info: exact metadata, not
 * an estimate. Family tables are the tables named `family___table`.
 */
import { PHYSICAL_SEPARATOR, quoteIdent } from '../../../lib/schema/names.ts';

/** The part of lib/ctldb's SqlRunner this file needs. */
export interface SqlQuery {
  all(sql: string, params?: readonly (string | number)[]): Promise<Record<string, unknown>[]>;
}

export interface TableContentCount {
  readonly family: string;
  readonly table: string;
  readonly rows: number;
  readonly dataBytes: number;
  readonly columns: number;
}

/** The port the sizer measures through. */
export interface TableSizeSource {
  measure(): Promise<TableContentCount[]>;
}

interface ColumnInfo {
  readonly name: string;
  readonly integer: boolean;
}

// '!' escapes LIKE's '_' whatever the session's backslash handling (NO_BACKSLASH_ESCAPES).
const listMysql = `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, DATA_TYPE AS type
  FROM information_schema.COLUMNS
  WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE '%!_!_!_%' ESCAPE '!'
  ORDER BY TABLE_NAME, ORDINAL_POSITION`;

const listSqlite = `SELECT m.name AS t, p.name AS c, p.type AS type
  FROM sqlite_master m JOIN pragma_table_info(m.name) p
  WHERE m.type = 'table' AND m.name LIKE '%!_!_!_%' ESCAPE '!'
  ORDER BY m.name, p.cid`;

export class CtldbTableSizeSource implements TableSizeSource {
  readonly #db: SqlQuery;
  readonly #dialect: 'mysql' | 'sqlite';

  constructor(db: SqlQuery, dialect: 'mysql' | 'sqlite') {
    this.#db = db;
    this.#dialect = dialect;
  }

  async measure(): Promise<TableContentCount[]> {
    const tables = await this.#listTables();
    const counts: TableContentCount[] = [];
    for (const [physical, columns] of tables) {
      const parts = physical.split(PHYSICAL_SEPARATOR);
      const [family, table] = parts;
      if (parts.length !== 2 || family === undefined || table === undefined) continue;
      const [row] = await this.#db.all(
        `SELECT COUNT(*) AS row_count, COALESCE(SUM(${columns.map((c) => this.#sizeExpr(c)).join(' + ')}), 0) AS data_bytes FROM ${this.#quote(physical)}`,
      );
      counts.push({
        family,
        table,
        rows: Number(row?.row_count ?? 0),
        dataBytes: Number(row?.data_bytes ?? 0),
        columns: columns.length,
      });
    }
    return counts;
  }

  async #listTables(): Promise<Map<string, ColumnInfo[]>> {
    const rows = await this.#db.all(this.#dialect === 'mysql' ? listMysql : listSqlite);
    const tables = new Map<string, ColumnInfo[]>();
    for (const row of rows) {
      const name = String(row.t);
      const columns = tables.get(name) ?? [];
      columns.push({ name: String(row.c), integer: /int/i.test(String(row.type)) });
      tables.set(name, columns);
    }
    return tables;
  }

  #sizeExpr(column: ColumnInfo): string {
    const c = this.#quote(column.name);
    if (column.integer) return `(CASE WHEN ${c} IS NULL THEN 1 ELSE 8 END)`;
    // LENGTH counts bytes on MySQL; on SQLite it counts characters of TEXT unless cast to BLOB.
    return this.#dialect === 'mysql'
      ? `COALESCE(LENGTH(${c}), 1)`
      : `COALESCE(LENGTH(CAST(${c} AS BLOB)), 1)`;
  }

  /** Backticks work on MySQL with or without ANSI_QUOTES. */
  #quote(name: string): string {
    return this.#dialect === 'mysql' ? `\`${name.replaceAll('`', '``')}\`` : quoteIdent(name);
  }
}
