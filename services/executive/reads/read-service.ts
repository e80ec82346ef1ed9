/**
 * Consistent reads from ctldb (not from an LDB): a row by its full key, and rows by a key prefix
 * in key order with a limit and a cursor for the next page. The cursor is the last row's key,
 * encoded as the ledger encodes values, so it survives JSON exactly (64-bit integers, bytes).
 */
import type { Ctldb } from '../../../lib/ctldb/dialect.ts';
import { scanByPrefix, selectByKey } from '../../../lib/ctldb/family-sql.ts';
import { CuttleError, detailValue } from '../../../lib/errors.ts';
import { LossyNumber } from '../../../lib/json/wire-json.ts';
import { validateTableRef } from '../../../lib/schema/names.ts';
import { keyDefs, type TableSchema } from '../../../lib/schema/types.ts';
import {
  encodeValue,
  parseWireValue,
  valueToJson,
  type Row,
  type Value,
} from '../../../lib/schema/values.ts';
import type { Catalog } from '../catalog/catalog.ts';

export const MAX_PAGE_ROWS = 1000;
const DEFAULT_PAGE_ROWS = 100;

export type JsonRow = Record<string, string | number | null>;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

export function rowToJson(row: Row): JsonRow {
  const out: JsonRow = {};
  for (const [name, value] of Object.entries(row)) out[name] = valueToJson(value);
  return out;
}

export class ReadService {
  readonly #ctldb: Ctldb;
  readonly #catalog: Catalog;
  readonly #maxValueBytes: number;

  constructor(ctldb: Ctldb, catalog: Catalog, maxValueBytes: number) {
    this.#ctldb = ctldb;
    this.#catalog = catalog;
    this.#maxValueBytes = maxValueBytes;
  }

  async getRow(family: unknown, table: unknown, body: unknown): Promise<JsonRow> {
    const schema = await this.#schema(family, table);
    const key = isObject(body) ? body.key : undefined;
    const values = this.#keyValues(schema, key, true);
    const keyRow: Row = {};
    schema.keyFields.forEach((k, i) => (keyRow[k] = values[i] ?? null));
    const row = await selectByKey(this.#ctldb, schema, keyRow);
    if (row === undefined) {
      throw new CuttleError('ROW_NOT_FOUND', `no row with this key in ${schema.family}.${schema.table}`, {
        details: { family: schema.family, table: schema.table, key: rowToJson(keyRow) },
      });
    }
    return rowToJson(row);
  }

  async scan(
    family: unknown,
    table: unknown,
    body: unknown,
  ): Promise<{ rows: JsonRow[]; nextCursor: string | null }> {
    const schema = await this.#schema(family, table);
    const request = isObject(body) ? body : {};
    const prefix = this.#keyValues(schema, request.prefix ?? {}, false);
    const limit = request.limit ?? DEFAULT_PAGE_ROWS;
    if (limit instanceof LossyNumber) {
      throw new CuttleError('INTEGER_PRECISION_LOST', `limit: ${limit.describe()}`, {
        details: { field: 'limit' },
      });
    }
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_ROWS) {
      throw new CuttleError('BAD_REQUEST', `limit must be an integer from 1 to ${MAX_PAGE_ROWS}`, {
        details: { limit: detailValue(limit) },
      });
    }
    const after =
      request.cursor === undefined || request.cursor === null
        ? undefined
        : decodeCursor(schema, request.cursor, this.#maxValueBytes);
    const rows = await scanByPrefix(this.#ctldb, schema, {
      prefix,
      limit,
      ...(after === undefined ? {} : { after }),
    });
    const last = rows[rows.length - 1];
    const nextCursor = rows.length === limit && last !== undefined ? encodeCursor(schema, last) : null;
    return { rows: rows.map(rowToJson), nextCursor };
  }

  async #schema(family: unknown, table: unknown): Promise<TableSchema> {
    const ref = validateTableRef(family, table);
    return (await this.#catalog.require(ref.family, ref.table)).schema;
  }

  /** Key values in key order: the full key, or a leading part of it for a prefix. */
  #keyValues(schema: TableSchema, raw: unknown, full: boolean): Value[] {
    const ctx = { family: schema.family, table: schema.table };
    if (!isObject(raw))
      throw new CuttleError(
        'BAD_REQUEST',
        `${full ? 'key' : 'prefix'} must be an object of key field values`,
        { details: ctx },
      );
    for (const name of Object.keys(raw)) {
      if (!schema.keyFields.includes(name)) {
        throw new CuttleError(
          'INVALID_KEY',
          `${name} is not a key field of ${schema.family}.${schema.table}`,
          { details: { ...ctx, field: name } },
        );
      }
    }
    const values: Value[] = [];
    for (const def of keyDefs(schema)) {
      if (!Object.hasOwn(raw, def.name) || raw[def.name] === null) break;
      values.push(
        parseWireValue(
          raw[def.name],
          def,
          { ...ctx, field: def.name },
          { maxValueBytes: this.#maxValueBytes },
        ),
      );
    }
    if (values.length !== Object.keys(raw).length) {
      throw new CuttleError(
        'INVALID_KEY',
        `a prefix must give the leading key fields (${schema.keyFields.join(', ')}) in order, without gaps`,
        { details: ctx },
      );
    }
    if (full && values.length !== schema.keyFields.length) {
      const missing = schema.keyFields[values.length] ?? '';
      throw new CuttleError(
        'MISSING_KEY_FIELD',
        `key field ${missing} of ${schema.family}.${schema.table} is missing`,
        { details: { ...ctx, field: missing } },
      );
    }
    return values;
  }
}

function encodeCursor(schema: TableSchema, row: Row): string {
  const key = keyDefs(schema).map((def) => encodeValue(row[def.name] ?? null, def.type));
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * A cursor comes back from the client, so it is checked as a key sent by the client would be: a
 * forged one (an integer beyond 64 bits, bytes that are not base64) is refused, never bound.
 */
function decodeCursor(schema: TableSchema, cursor: unknown, maxValueBytes: number): Value[] {
  const invalid = new CuttleError('BAD_REQUEST', 'cursor is not one this table returned', {
    details: { family: schema.family, table: schema.table },
  });
  if (typeof cursor !== 'string') throw invalid;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const defs = keyDefs(schema);
  if (!Array.isArray(parsed) || parsed.length !== defs.length || !parsed.every((v) => typeof v === 'string'))
    throw invalid;
  try {
    return defs.map((def, i) => {
      const ctx = { family: schema.family, table: schema.table, field: def.name };
      // Each type's ledger encoding (what encodeCursor wrote) is also a valid wire form of it.
      return parseWireValue(parsed[i], def, ctx, { maxValueBytes });
    });
  } catch {
    throw invalid;
  }
}
