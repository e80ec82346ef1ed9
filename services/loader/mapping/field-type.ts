/**
 * Which cuttle field type holds a MariaDB column exactly, and how its values must be read.
 *
 * | source type                         | field type              | value kind        |
 * |-------------------------------------|-------------------------|-------------------|
 * | TINYINT…INT (any sign), BIGINT      | integer                 | integer           |
 * | BIGINT UNSIGNED                     | decimal (key: integer¹) | unsigned-bigint   |
 * | BOOLEAN (= TINYINT(1))              | integer                 | integer           |
 * | YEAR                                | integer (0 or 1901…)    | year              |
 * | BIT(1)                              | integer (0/1)           | bit               |
 * | BIT(n>1)                            | bytestring, big-endian  | bits              |
 * | DECIMAL/NUMERIC                     | decimal                 | decimal           |
 * | FLOAT, DOUBLE                       | decimal (shortest text) | float / double    |
 * | DATE, TIME, DATETIME, TIMESTAMP     | string                  | date, time, …     |
 * | CHAR/VARCHAR(n ≤ 191)               | string                  | text              |
 * | ENUM, SET²                          | string                  | enum, set         |
 * | CHAR/VARCHAR(n > 191), *TEXT, JSON  | text (key: string¹)     | text              |
 * | BINARY/VARBINARY(n ≤ 255), TINYBLOB | bytestring              | bytes             |
 * | VARBINARY(n > 255), BLOB…LONGBLOB   | binary                  | bytes             |
 *
 * ¹ Keys must be string, bytestring or integer: an unsigned BIGINT key is kept as an integer and a
 *   long VARCHAR key as a string; a value beyond the cuttle limit is then rejected (dead letter)
 *   instead of silently changed. Both come with a warning at registration.
 * ² When every member (ENUM) or the whole member list (SET) fits 191 characters; else text.
 * Spatial types, INET4/INET6, UUID and anything unknown cannot be mapped; the error says so.
 */
import { CuttleError } from '../../../lib/errors.ts';
import { MAX_BYTESTRING_BYTES, MAX_STRING_CHARS, type FieldType } from '../../../lib/schema/types.ts';
import { describeColumnType, type SourceColumnType } from './column-type.ts';

export type ValueKind =
  | 'integer'
  | 'year'
  | 'unsigned-bigint'
  | 'bit'
  | 'bits'
  | 'decimal'
  | 'float'
  | 'double'
  | 'date'
  | 'time'
  | 'datetime'
  | 'timestamp'
  | 'text'
  | 'enum'
  | 'set'
  | 'bytes';

export interface ColumnPlan {
  readonly kind: ValueKind;
  readonly fieldType: FieldType;
  /** BINARY(n) pads to n bytes; BIT(n) holds ceil(n/8) bytes. */
  readonly fixedBytes: number | null;
  /** Fractional-second digits of TIME/DATETIME/TIMESTAMP. */
  readonly fsp: number;
  /** DECIMAL scale. */
  readonly scale: number;
  readonly warnings: readonly string[];
}

export interface ColumnRef {
  readonly database: string;
  readonly table: string;
  readonly column: string;
}

const INTEGERS = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'bigint', 'boolean']);
const TEXTS = new Set(['tinytext', 'text', 'mediumtext', 'longtext', 'json']);
const BLOBS = new Set(['blob', 'mediumblob', 'longblob']);
const SPATIAL = new Set([
  'geometry',
  'point',
  'linestring',
  'polygon',
  'multipoint',
  'multilinestring',
  'multipolygon',
  'geometrycollection',
  'geomcollection',
]);

export function unmappable(ref: ColumnRef, type: SourceColumnType | string, why: string): CuttleError {
  const sourceType = typeof type === 'string' ? type : describeColumnType(type);
  return new CuttleError(
    'INVALID_FIELD_TYPE',
    `column ${ref.database}.${ref.table}.${ref.column} (${sourceType}) cannot be mapped: ${why}`,
    { details: { ...ref, sourceType } },
  );
}

export function planColumn(type: SourceColumnType, ref: ColumnRef, isKey: boolean): ColumnPlan {
  const plan = basePlan(type, ref, isKey);
  if (
    isKey &&
    plan.fieldType !== 'string' &&
    plan.fieldType !== 'bytestring' &&
    plan.fieldType !== 'integer'
  ) {
    throw unmappable(
      ref,
      type,
      `it is a key column, and a ${plan.fieldType} field cannot be part of a cuttle key; ${keyHint(ref)}`,
    );
  }
  return plan;
}

function plan(kind: ValueKind, fieldType: FieldType, extra: Partial<ColumnPlan> = {}): ColumnPlan {
  return { kind, fieldType, fixedBytes: null, fsp: 0, scale: 0, warnings: [], ...extra };
}

function basePlan(type: SourceColumnType, ref: ColumnRef, isKey: boolean): ColumnPlan {
  const { base } = type;
  if (base === 'bigint' && type.unsigned) return unsignedBigint(isKey, ref);
  if (INTEGERS.has(base)) return plan('integer', 'integer');
  if (base === 'year') return plan('year', 'integer');
  if (base === 'bit') {
    const bits = type.length ?? 1;
    return bits === 1
      ? plan('bit', 'integer')
      : plan('bits', 'bytestring', { fixedBytes: Math.ceil(bits / 8) });
  }
  if (base === 'decimal') return plan('decimal', 'decimal', { scale: type.scale ?? 0 });
  if (base === 'float' || base === 'double') return plan(base, 'decimal');
  if (base === 'date') return plan('date', 'string');
  if (base === 'time' || base === 'datetime' || base === 'timestamp') {
    return plan(base, 'string', { fsp: type.length ?? 0 });
  }
  if (base === 'char' || base === 'varchar') return characters(type.length ?? 1, isKey, ref);
  if (base === 'enum') return members('enum', Math.max(0, ...type.members.map(codePoints)));
  if (base === 'set') return members('set', type.members.reduce((n, m) => n + codePoints(m) + 1, 0) - 1);
  if (TEXTS.has(base)) return plan('text', 'text');
  if (base === 'binary' || base === 'varbinary') {
    const size = type.length ?? 1;
    const fixedBytes = base === 'binary' ? size : null;
    return plan('bytes', size <= MAX_BYTESTRING_BYTES ? 'bytestring' : 'binary', { fixedBytes });
  }
  if (base === 'tinyblob') return plan('bytes', 'bytestring');
  if (BLOBS.has(base)) return plan('bytes', 'binary');
  const reason = unmappableReason(base);
  // A key column cannot be excluded (keys must be mapped): the way out is another key.
  throw unmappable(
    ref,
    type,
    isKey ? `${reason.replace(/; exclude the column.*$/, '')}; it is a key column: ${keyHint(ref)}` : reason,
  );
}

/** What to do about a key column that cannot be mapped. */
function keyHint(ref: ColumnRef): string {
  return `a key column cannot be excluded, so name other key columns (unique, never NULL) with --key ${ref.table}=<col>,<col>`;
}

function unsignedBigint(isKey: boolean, ref: ColumnRef): ColumnPlan {
  if (!isKey) return plan('unsigned-bigint', 'decimal');
  return plan('unsigned-bigint', 'integer', {
    warnings: [
      `key column ${ref.column} is BIGINT UNSIGNED and maps to a signed 64-bit integer key: values above 2^63-1 will be rejected`,
    ],
  });
}

function characters(length: number, isKey: boolean, ref: ColumnRef): ColumnPlan {
  if (length <= MAX_STRING_CHARS) return plan('text', 'string');
  if (!isKey) return plan('text', 'text');
  return plan('text', 'string', {
    warnings: [
      `key column ${ref.column} holds up to ${length} characters; cuttle keys hold ${MAX_STRING_CHARS}: longer values will be rejected`,
    ],
  });
}

function members(kind: 'enum' | 'set', longest: number): ColumnPlan {
  return plan(kind, longest <= MAX_STRING_CHARS ? 'string' : 'text');
}

function codePoints(s: string): number {
  return [...s].length;
}

function unmappableReason(base: string): string {
  if (SPATIAL.has(base)) return 'spatial types have no exact cuttle field type; exclude the column';
  if (base === 'inet4' || base === 'inet6' || base === 'uuid') {
    return `Debezium has no stable encoding for MariaDB's ${base.toUpperCase()} type; exclude the column or store it as CHAR/BINARY`;
  }
  return `unknown source type "${base}"; exclude the column`;
}
