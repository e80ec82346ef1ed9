/**
 * Keys as callers give them (an array in key order, or an object by field name) turned into the
 * exact SQLite values to bind. Integers: bigint, safe-integer number or decimal string (all 64
 * bits, never through a double); string keys: strings; bytestring keys: Buffer/Uint8Array, or a
 * string taken as its UTF-8 bytes (as ctlstore's reader does).
 */
import { CuttleError } from '../errors.ts';
import type { FieldDef, TableSchema } from '../schema/types.ts';
import { INT64_MAX, INT64_MIN } from '../schema/values.ts';

/** One key field's value. */
export type KeyValue = bigint | number | string | Uint8Array;
/** A key, or a key prefix: values in key order, or an object by key field name. */
export type KeyInput = readonly KeyValue[] | Readonly<Record<string, KeyValue>>;
/** A value as bound to SQLite. */
export type KeyParam = bigint | number | string | Buffer;

const INTEGER_TEXT = /^-?(0|[1-9][0-9]*)$/;

function badKey(schema: TableSchema, field: string, problem: string): CuttleError {
  return new CuttleError('INVALID_KEY', `${schema.family}.${schema.table} key field ${field}: ${problem}`, {
    details: { family: schema.family, table: schema.table, field },
  });
}

/** One key field's value as the exact SQLite value to bind; INVALID_KEY when it does not fit. */
export function keyParam(value: unknown, def: FieldDef, schema: TableSchema): KeyParam {
  switch (def.type) {
    case 'integer':
      if (typeof value === 'number') {
        if (Number.isSafeInteger(value)) return value;
        throw badKey(schema, def.name, `${value} is not a safe integer; pass a bigint or a decimal string`);
      }
      if (typeof value === 'bigint' || (typeof value === 'string' && INTEGER_TEXT.test(value))) {
        const n = BigInt(value);
        if (n < INT64_MIN || n > INT64_MAX) throw badKey(schema, def.name, `${value} is outside 64 bits`);
        return n;
      }
      throw badKey(schema, def.name, 'expected an integer (bigint, number or decimal string)');
    case 'bytestring':
      if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value);
      if (typeof value === 'string') return Buffer.from(value, 'utf8');
      throw badKey(schema, def.name, 'expected bytes (Buffer or Uint8Array) or a string');
    default:
      if (typeof value === 'string') return value;
      throw badKey(schema, def.name, 'expected a string');
  }
}

/**
 * The parameters for a key (`full`: every key field) or a key prefix (leading key fields).
 * An object may only name key fields, and for a prefix only a leading run of them.
 */
export function keyParams(
  key: KeyInput,
  keyDefs: readonly FieldDef[],
  schema: TableSchema,
  full: boolean,
): KeyParam[] {
  if (Array.isArray(key)) {
    const values = key as readonly KeyValue[];
    if (values.length > keyDefs.length || (full && values.length !== keyDefs.length)) {
      throw new CuttleError(
        'INVALID_KEY',
        `${schema.family}.${schema.table} has ${keyDefs.length} key field(s) (${schema.keyFields.join(', ')}); got ${values.length} value(s)`,
        { details: { family: schema.family, table: schema.table } },
      );
    }
    return values.map((v, i) => keyParam(v, keyDefs[i] as FieldDef, schema));
  }
  const record = key as Readonly<Record<string, KeyValue>>;
  for (const name of Object.keys(record)) {
    if (!schema.keyFields.includes(name)) throw badKey(schema, name, 'is not a key field');
  }
  const params: KeyParam[] = [];
  for (const def of keyDefs) {
    const value = record[def.name];
    if (value === undefined) break;
    params.push(keyParam(value, def, schema));
  }
  if (params.length !== Object.keys(record).length) {
    const missing = keyDefs[params.length]?.name ?? '?';
    throw badKey(schema, missing, 'missing (a prefix must be a leading run of key fields)');
  }
  if (full && params.length !== keyDefs.length) {
    const missing = keyDefs[params.length]?.name ?? '?';
    throw new CuttleError(
      'MISSING_KEY_FIELD',
      `${schema.family}.${schema.table}: key field ${missing} is missing`,
      {
        details: { family: schema.family, table: schema.table, field: missing },
      },
    );
  }
  return params;
}
