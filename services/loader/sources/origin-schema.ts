/**
 * A source table's mapping from the origin's own description of it (information_schema.COLUMNS),
 * as `cuttle sources add` builds it: every column with its COLUMN_TYPE, in ordinal order, and
 * the primary key in key order. The query itself lives in an adapter; this part is pure.
 */
import { CuttleError } from '../../../lib/errors.ts';
import type { TableMappingConfig } from '../mapping/source-config.ts';

/** The information_schema query that yields `OriginColumn` rows for one table. */
export const ORIGIN_COLUMNS_SQL = `SELECT c.COLUMN_NAME AS name, c.COLUMN_TYPE AS type, c.ORDINAL_POSITION AS position,
  k.ORDINAL_POSITION AS keyPosition, c.IS_NULLABLE AS nullable, c.COLUMN_DEFAULT AS defaultValue
FROM information_schema.COLUMNS c
LEFT JOIN information_schema.KEY_COLUMN_USAGE k
  ON k.TABLE_SCHEMA = c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME AND k.COLUMN_NAME = c.COLUMN_NAME
  AND k.CONSTRAINT_NAME = 'PRIMARY'
WHERE c.TABLE_SCHEMA = ? AND c.TABLE_NAME = ?
ORDER BY c.ORDINAL_POSITION`;

export interface OriginColumn {
  readonly name: string;
  readonly type: string;
  readonly position: number;
  /** Position in the primary key (1-based), null when not part of it. */
  readonly keyPosition: number | null;
  /** IS_NULLABLE = 'YES'. */
  readonly nullable?: boolean;
  /**
   * COLUMN_DEFAULT as MariaDB shows it: null without a default, `NULL` for DEFAULT NULL, else the
   * default's SQL text (`'abc'`, `7`, `current_timestamp()`).
   */
  readonly defaultValue?: string | null;
}

/** Reads one information_schema row of `ORIGIN_COLUMNS_SQL`. */
export function originColumnOf(row: Readonly<Record<string, unknown>>): OriginColumn {
  const text = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
  return {
    name: text(row.name),
    type: text(row.type),
    position: Number(row.position),
    keyPosition: row.keyPosition === null || row.keyPosition === undefined ? null : Number(row.keyPosition),
    nullable: text(row.nullable) === 'YES',
    defaultValue: row.defaultValue === null || row.defaultValue === undefined ? null : text(row.defaultValue),
  };
}

export interface TableChoice {
  readonly database: string;
  readonly table: string;
  readonly family: string;
  /** @defaultValue the origin table name in lower case */
  readonly targetTable?: string;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly renames?: Readonly<Record<string, string>>;
  /** Key columns when the table has no primary key (Debezium's `message.key.columns`). */
  readonly keyColumns?: readonly string[];
}

export function tableMappingFromOrigin(
  choice: TableChoice,
  columns: readonly OriginColumn[],
): TableMappingConfig {
  const name = `${choice.database}.${choice.table}`;
  if (columns.length === 0) {
    throw new CuttleError('TABLE_NOT_FOUND', `origin table ${name} does not exist or has no columns`, {
      details: { database: choice.database, table: choice.table },
    });
  }
  const ordered = [...columns].sort((a, b) => a.position - b.position);
  const primaryKey = ordered
    .filter((c) => c.keyPosition !== null)
    .sort((a, b) => (a.keyPosition ?? 0) - (b.keyPosition ?? 0))
    .map((c) => c.name);
  const keyColumns = choice.keyColumns ?? primaryKey;
  if (keyColumns.length === 0) {
    throw new CuttleError(
      'INVALID_KEY',
      `origin table ${name} has no primary key; name its key columns (unique, never NULL) with --key ${choice.table}=<col>,<col>`,
      {
        details: { database: choice.database, table: choice.table },
      },
    );
  }
  return {
    source: { database: choice.database, table: choice.table },
    target: { family: choice.family, table: choice.targetTable ?? choice.table.toLowerCase() },
    columns: ordered.map((c) => ({ name: c.name, type: c.type })),
    keyColumns: [...keyColumns],
    ...(choice.include === undefined ? {} : { include: [...choice.include] }),
    exclude: [...(choice.exclude ?? [])],
    renames: { ...choice.renames },
  };
}
