/**
 * SQL over family tables (`family___table`), built from a TableSchema for either dialect, and the
 * decoding of their rows back into lib/schema values.
 */
import { physicalTableName, quoteIdent } from '../schema/names.ts';
import type { FieldDef, FieldType, TableSchema } from '../schema/types.ts';
import type { Row, Value } from '../schema/values.ts';
import { chunkRows, placeholderRows } from './chunks.ts';
import type { CtldbDialect, SqlParam, SqlRow, SqlRunner } from './dialect.ts';

export function physicalOf(schema: Pick<TableSchema, 'family' | 'table'>): string {
  return physicalTableName(schema.family, schema.table);
}

export function createFamilyTableSql(dialect: CtldbDialect, schema: TableSchema): string {
  const columns = schema.fields.map((f) => `${quoteIdent(f.name)} ${dialect.columnType(f.type)}`);
  const key = `PRIMARY KEY (${schema.keyFields.map(quoteIdent).join(', ')})`;
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(physicalOf(schema))} (${[...columns, key].join(', ')})${dialect.familyTableOptions}`;
}

export function addColumnSql(dialect: CtldbDialect, physical: string, field: FieldDef): string {
  return `ALTER TABLE ${quoteIdent(physical)} ADD COLUMN ${quoteIdent(field.name)} ${dialect.columnType(field.type)}`;
}

export function dropColumnSql(physical: string, column: string): string {
  return `ALTER TABLE ${quoteIdent(physical)} DROP COLUMN ${quoteIdent(column)}`;
}

function rowBytes(row: Row): number {
  let n = 16;
  for (const v of Object.values(row))
    n +=
      v === null
        ? 4
        : typeof v === 'bigint'
          ? 20
          : typeof v === 'string'
            ? v.length * 3 + 2
            : v.length * 2 + 3;
  return n;
}

/** Whole-row upserts: every field of the schema is written (missing ones as NULL). */
export async function upsertRows(
  tx: SqlRunner,
  dialect: CtldbDialect,
  schema: TableSchema,
  rows: readonly Row[],
): Promise<void> {
  const columns = schema.fields.map((f) => f.name);
  const others = columns.filter((c) => !schema.keyFields.includes(c));
  const head = `INSERT INTO ${quoteIdent(physicalOf(schema))} (${columns.map(quoteIdent).join(', ')}) VALUES `;
  const tail = dialect.upsertClause(schema.keyFields, others);
  for (const chunk of chunkRows(rows, columns.length, dialect.maxParams, rowBytes)) {
    const params: SqlParam[] = [];
    for (const row of chunk) for (const c of columns) params.push(row[c] ?? null);
    await tx.run(head + placeholderRows(chunk.length, columns.length) + tail, params);
  }
}

/** Deletes by full key. Keys are rows holding (at least) the key fields. */
export async function deleteRows(
  tx: SqlRunner,
  dialect: CtldbDialect,
  schema: TableSchema,
  keys: readonly Row[],
): Promise<void> {
  const keyFields = schema.keyFields;
  const table = quoteIdent(physicalOf(schema));
  for (const chunk of chunkRows(keys, keyFields.length, dialect.maxParams, rowBytes)) {
    const params: SqlParam[] = [];
    for (const key of chunk) for (const k of keyFields) params.push(key[k] ?? null);
    const where =
      keyFields.length === 1
        ? `${quoteIdent(keyFields[0] ?? '')} IN (${new Array<string>(chunk.length).fill('?').join(', ')})`
        : new Array<string>(chunk.length)
            .fill(`(${keyFields.map((k) => `${quoteIdent(k)} = ?`).join(' AND ')})`)
            .join(' OR ');
    await tx.run(`DELETE FROM ${table} WHERE ${where}`, params);
  }
}

/** A value as a driver returned it -> the in-memory value of lib/schema/values.ts. */
export function valueFromDb(raw: unknown, type: FieldType): Value {
  if (raw === null || raw === undefined) return null;
  switch (type) {
    case 'integer':
      return typeof raw === 'bigint' ? raw : BigInt(raw as string | number);
    case 'binary':
    case 'bytestring':
      return Buffer.isBuffer(raw) ? raw : Buffer.from(raw as Uint8Array);
    default:
      if (Buffer.isBuffer(raw)) return raw.toString('utf8');
      return typeof raw === 'string' ? raw : JSON.stringify(raw);
  }
}

export function rowFromDb(raw: SqlRow, schema: TableSchema): Row {
  const row: Row = {};
  for (const f of schema.fields) row[f.name] = valueFromDb(raw[f.name], f.type);
  return row;
}

function selectColumns(schema: TableSchema): string {
  return schema.fields.map((f) => quoteIdent(f.name)).join(', ');
}

export async function selectByKey(
  runner: SqlRunner,
  schema: TableSchema,
  key: Row,
): Promise<Row | undefined> {
  const where = schema.keyFields.map((k) => `${quoteIdent(k)} = ?`).join(' AND ');
  const rows = await runner.all(
    `SELECT ${selectColumns(schema)} FROM ${quoteIdent(physicalOf(schema))} WHERE ${where}`,
    schema.keyFields.map((k) => key[k] ?? null),
  );
  return rows[0] === undefined ? undefined : rowFromDb(rows[0], schema);
}

export interface ScanRequest {
  /** Values of the leading key fields, in key order. */
  readonly prefix: readonly Value[];
  /** Full key of the last row of the previous page, in key order. */
  readonly after?: readonly Value[];
  readonly limit: number;
}

/** Rows whose leading key fields equal `prefix`, in key order, after `after`. */
export async function scanByPrefix(
  runner: SqlRunner,
  schema: TableSchema,
  request: ScanRequest,
): Promise<Row[]> {
  const keys = schema.keyFields.map(quoteIdent);
  const conditions = request.prefix.map((_, i) => `${keys[i] ?? ''} = ?`);
  const params: SqlParam[] = [...request.prefix];
  if (request.after !== undefined) {
    // Row-value comparison orders by the key exactly as the primary key index does, on both dialects.
    const rest = keys.slice(request.prefix.length);
    conditions.push(`(${rest.join(', ')}) > (${rest.map(() => '?').join(', ')})`);
    params.push(...request.after.slice(request.prefix.length));
  }
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  const rows = await runner.all(
    `SELECT ${selectColumns(schema)} FROM ${quoteIdent(physicalOf(schema))}${where} ORDER BY ${keys.join(', ')} LIMIT ${Math.trunc(request.limit)}`,
    params,
  );
  return rows.map((r) => rowFromDb(r, schema));
}
