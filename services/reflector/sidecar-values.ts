/**
 * Values between the sidecar's JSON and the reader library: keys from query strings and bodies
 * (bytes in base64, integers as decimal strings or safe numbers), rows out as JSON (integers
 * beyond 2^53 and decimals as strings, bytes as base64), and opaque paging cursors.
 */
import { CuttleError } from '../../lib/errors.ts';
import type { KeyValue } from '../../lib/reader/key.ts';
import { keyDefs, type TableSchema } from '../../lib/schema/types.ts';
import { valueToJson, type Row } from '../../lib/schema/values.ts';

export function rowToJson(row: Row): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const [name, value] of Object.entries(row)) out[name] = valueToJson(value);
  return out;
}

function fromBase64(schema: TableSchema, field: string, text: string): Buffer {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) {
    throw new CuttleError(
      'INVALID_BASE64',
      `${schema.family}.${schema.table} key field ${field}: not base64`,
      {
        details: { family: schema.family, table: schema.table, field },
      },
    );
  }
  return Buffer.from(text, 'base64');
}

/** A key field's value from JSON or a query string: bytes arrive as base64. */
export function keyValueFromJson(schema: TableSchema, field: string, value: unknown): KeyValue {
  const def = schema.fields.find((f) => f.name === field);
  if (def?.type === 'bytestring' && typeof value === 'string') return fromBase64(schema, field, value);
  if (typeof value === 'string' || typeof value === 'number') return value;
  throw new CuttleError(
    'INVALID_KEY',
    `${schema.family}.${schema.table} key field ${field}: expected a string or number, got ${JSON.stringify(value)}`,
    { details: { family: schema.family, table: schema.table, field } },
  );
}

/** The leading key fields named in a query string, in key order. */
export function keyFromQuery(schema: TableSchema, query: Record<string, unknown>): Record<string, KeyValue> {
  const key: Record<string, KeyValue> = {};
  for (const def of keyDefs(schema)) {
    const value = query[def.name];
    if (value !== undefined) key[def.name] = keyValueFromJson(schema, def.name, value);
  }
  return key;
}

/** A cursor naming the last row of a page: base64url JSON of its key values. */
export function cursorOf(schema: TableSchema, row: Row): string {
  const values = schema.keyFields.map((k) => valueToJson(row[k] ?? null));
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function keyFromCursor(schema: TableSchema, cursor: string): KeyValue[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  if (!Array.isArray(values) || values.length !== schema.keyFields.length) {
    throw new CuttleError(
      'BAD_REQUEST',
      `cursor ${JSON.stringify(cursor)} is not a cursor of ${schema.family}.${schema.table}`,
      {
        details: { family: schema.family, table: schema.table },
      },
    );
  }
  return schema.keyFields.map((k, i) => keyValueFromJson(schema, k, values[i]));
}
