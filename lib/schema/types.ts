/**
 * Field types and table schemas: the vocabulary shared by the executive, the ledger, the
 * reflector and the reader.
 *
 * | type       | meaning                              | wire (JSON)                  | in memory |
 * |------------|--------------------------------------|------------------------------|-----------|
 * | string     | UTF-8 text, ≤ 191 code points, key   | string                       | string    |
 * | bytestring | bytes, ≤ 255, key                    | base64 string                | Buffer    |
 * | integer    | signed 64-bit, key                   | safe-integer number, or a decimal string | bigint |
 * | decimal    | exact decimal, ≤ 100 characters      | string (or a finite number)  | string (canonical) |
 * | text       | UTF-8 text up to the value limit     | string                       | string    |
 * | binary     | bytes up to the value limit          | base64 string                | Buffer    |
 *
 * Keys compare byte for byte on both sides (no case folding, no trailing-space padding).
 */
import { CuttleError, describeValue, detailValue } from '../errors.ts';
import { validateFieldName, validateTableRef } from './names.ts';

export const FIELD_TYPES = ['string', 'bytestring', 'integer', 'decimal', 'text', 'binary'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];
export const KEY_TYPES: readonly FieldType[] = ['string', 'bytestring', 'integer'];

export const MAX_STRING_CHARS = 191;
export const MAX_BYTESTRING_BYTES = 255;
export const MAX_DECIMAL_CHARS = 100;
/** At most this many fields per table, and key fields per key. */
export const MAX_FIELDS = 256;
export const MAX_KEY_FIELDS = 8;

export interface FieldDef {
  readonly name: string;
  readonly type: FieldType;
}

export interface TableSchema {
  readonly family: string;
  readonly table: string;
  /** In declaration order; new fields are appended. */
  readonly fields: readonly FieldDef[];
  /** Primary key, in key order. */
  readonly keyFields: readonly string[];
}

export function isFieldType(value: unknown): value is FieldType {
  return typeof value === 'string' && (FIELD_TYPES as readonly string[]).includes(value);
}

export function validateFieldDefs(raw: unknown, context: { family: string; table: string }): FieldDef[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new CuttleError(
      'BAD_REQUEST',
      `table ${context.family}.${context.table}: fields must be a non-empty array`,
      {
        details: context,
      },
    );
  }
  if (raw.length > MAX_FIELDS) {
    throw new CuttleError(
      'BAD_REQUEST',
      `table ${context.family}.${context.table}: at most ${MAX_FIELDS} fields`,
      {
        details: context,
      },
    );
  }
  const seen = new Set<string>();
  return raw.map((entry: unknown) => {
    const [name, type] = fieldTuple(entry);
    const field = validateFieldName(name);
    if (!isFieldType(type)) {
      throw new CuttleError(
        'INVALID_FIELD_TYPE',
        `field ${field} of ${context.family}.${context.table}: type ${describeValue(type)} is not one of ${FIELD_TYPES.join(', ')}`,
        { details: { ...context, field } },
      );
    }
    if (seen.has(field)) {
      throw new CuttleError(
        'BAD_REQUEST',
        `field ${field} is declared twice in ${context.family}.${context.table}`,
        {
          details: { ...context, field },
        },
      );
    }
    seen.add(field);
    return { name: field, type };
  });
}

/** Accepts `["name","type"]` (ctlstore's form) or `{ "name": ..., "type": ... }`. */
function fieldTuple(entry: unknown): [unknown, unknown] {
  if (Array.isArray(entry) && entry.length === 2) return [entry[0], entry[1]];
  if (entry !== null && typeof entry === 'object' && 'name' in entry && 'type' in entry) {
    return [entry.name, entry.type];
  }
  throw new CuttleError(
    'BAD_REQUEST',
    `a field must be ["name", "type"] or {"name", "type"}, got ${describeValue(entry)}`,
  );
}

export function validateTableSchema(
  family: unknown,
  table: unknown,
  fields: unknown,
  keyFields: unknown,
): TableSchema {
  const ref = validateTableRef(family, table);
  const defs = validateFieldDefs(fields, ref);
  if (!Array.isArray(keyFields) || keyFields.length === 0) {
    throw new CuttleError(
      'INVALID_KEY',
      `table ${ref.family}.${ref.table} must have at least one key field`,
      { details: ref },
    );
  }
  if (keyFields.length > MAX_KEY_FIELDS) {
    throw new CuttleError(
      'INVALID_KEY',
      `table ${ref.family}.${ref.table}: at most ${MAX_KEY_FIELDS} key fields`,
      { details: ref },
    );
  }
  const keys = keyFields.map((k: unknown) => {
    const def = defs.find((d) => d.name === k);
    if (def === undefined) {
      throw new CuttleError(
        'INVALID_KEY',
        `key field ${describeValue(k)} is not a field of ${ref.family}.${ref.table}`,
        {
          details: { ...ref, field: detailValue(k) },
        },
      );
    }
    if (!KEY_TYPES.includes(def.type)) {
      throw new CuttleError(
        'INVALID_KEY',
        `key field ${def.name} of ${ref.family}.${ref.table} has type ${def.type}; keys must be ${KEY_TYPES.join(', ')}`,
        { details: { ...ref, field: def.name } },
      );
    }
    return def.name;
  });
  if (new Set(keys).size !== keys.length) {
    throw new CuttleError('INVALID_KEY', `a key field of ${ref.family}.${ref.table} is listed twice`, {
      details: ref,
    });
  }
  return { ...ref, fields: defs, keyFields: keys };
}

export function fieldOf(schema: TableSchema, name: string): FieldDef | undefined {
  return schema.fields.find((f) => f.name === name);
}

export function keyDefs(schema: TableSchema): FieldDef[] {
  return schema.keyFields.map((k) => {
    const def = fieldOf(schema, k);
    if (def === undefined) throw new Error(`schema of ${schema.family}.${schema.table} lost key field ${k}`);
    return def;
  });
}
