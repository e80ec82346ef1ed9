/**
 * Field values: checked and normalised from the wire (JSON from clients and loaders), encoded
 * exactly for the ledger, and decoded again by the reflector. See types.ts for the table of types.
 *
 * In memory a value is `string | bigint | Buffer | null`. In the ledger every non-null value is a
 * JSON string: integers in decimal, bytes in base64, decimals in canonical form. That keeps
 * 64-bit integers and decimals exact through JSON.
 */
import { CuttleError, describeValue } from '../errors.ts';
import { LossyNumber } from '../json/wire-json.ts';
import {
  MAX_BYTESTRING_BYTES,
  MAX_DECIMAL_CHARS,
  MAX_STRING_CHARS,
  type FieldDef,
  type FieldType,
} from './types.ts';

export type Value = string | bigint | Buffer | null;
/** A row in memory: field name -> value. */
export type Row = Record<string, Value>;
/** A value as the ledger stores it. */
export type EncodedValue = string | null;
export type EncodedRow = Record<string, EncodedValue>;

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

const INTEGER_TEXT = /^-?(0|[1-9][0-9]*)$/;
const DECIMAL_TEXT = /^-?[0-9]+(\.[0-9]+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Where a value sits, for error messages that name the offending family, table, field and row. */
export interface ValueContext {
  readonly family: string;
  readonly table: string;
  readonly field: string;
  readonly row?: number;
}

export interface ValueLimits {
  /** Largest text or binary value, in bytes. @defaultValue 1 MiB */
  readonly maxValueBytes: number;
}

function where(ctx: ValueContext): string {
  return `${ctx.family}.${ctx.table}.${ctx.field}${ctx.row === undefined ? '' : ` (mutation ${ctx.row})`}`;
}

function fail(code: ConstructorParameters<typeof CuttleError>[0], ctx: ValueContext, problem: string): never {
  throw new CuttleError(code, `${where(ctx)}: ${problem}`, { details: { ...ctx } });
}

/** Checks a client's value for a field and returns it normalised. */
export function parseWireValue(raw: unknown, field: FieldDef, ctx: ValueContext, limits: ValueLimits): Value {
  if (raw === null) return null;
  switch (field.type) {
    case 'string':
      return parseText(raw, ctx, MAX_STRING_CHARS, 'chars');
    case 'text':
      return parseText(raw, ctx, limits.maxValueBytes, 'bytes');
    case 'integer':
      return parseInteger(raw, ctx);
    case 'decimal':
      return parseDecimal(raw, ctx);
    case 'bytestring':
      return parseBytes(raw, ctx, MAX_BYTESTRING_BYTES);
    case 'binary':
      return parseBytes(raw, ctx, limits.maxValueBytes);
  }
}

function parseText(raw: unknown, ctx: ValueContext, max: number, unit: 'chars' | 'bytes'): string {
  if (typeof raw !== 'string') fail('WRONG_VALUE_TYPE', ctx, `expected a string, got ${typeName(raw)}`);
  if (!raw.isWellFormed())
    fail('INVALID_UTF8', ctx, 'string holds an unpaired UTF-16 surrogate (not valid UTF-8)');
  if (raw.includes('\u0000'))
    fail('NUL_IN_TEXT', ctx, 'text may not contain NUL (U+0000); use a binary or bytestring field');
  const size = unit === 'chars' ? codePoints(raw) : Buffer.byteLength(raw, 'utf8');
  if (size > max) fail('VALUE_TOO_LARGE', ctx, `value is ${size} ${unit}, the limit is ${max}`);
  return raw;
}

function parseInteger(raw: unknown, ctx: ValueContext): bigint {
  if (raw instanceof LossyNumber) {
    fail(
      'INTEGER_PRECISION_LOST',
      ctx,
      `${raw.describe()}; send the integer as a string, as in "12345678901234567890"`,
    );
  }
  if (typeof raw === 'number') {
    if (!Number.isInteger(raw)) fail('WRONG_VALUE_TYPE', ctx, `expected an integer, got ${raw}`);
    if (!Number.isSafeInteger(raw)) {
      fail(
        'INTEGER_PRECISION_LOST',
        ctx,
        `${raw} is beyond 2^53 and may have lost precision in JSON; send it as a string`,
      );
    }
    return BigInt(raw);
  }
  if (typeof raw !== 'string' || !INTEGER_TEXT.test(raw)) {
    fail('WRONG_VALUE_TYPE', ctx, `expected an integer (number or decimal string), got ${typeName(raw)}`);
  }
  const value = BigInt(raw);
  if (value < INT64_MIN || value > INT64_MAX)
    fail('INTEGER_OUT_OF_RANGE', ctx, `${raw} does not fit in a signed 64-bit integer`);
  return value;
}

function parseDecimal(raw: unknown, ctx: ValueContext): string {
  if (raw instanceof LossyNumber) {
    fail('DECIMAL_PRECISION_LOST', ctx, `${raw.describe()}; send the decimal as a string, as in "0.1234"`);
  }
  const text = typeof raw === 'number' && Number.isFinite(raw) ? numberToPlain(raw) : raw;
  if (typeof text !== 'string' || !DECIMAL_TEXT.test(text)) {
    fail('INVALID_DECIMAL', ctx, `expected a decimal such as "-12.50", got ${describeValue(raw)}`);
  }
  const canonical = canonicalDecimal(text);
  if (canonical.length > MAX_DECIMAL_CHARS)
    fail('VALUE_TOO_LARGE', ctx, `decimal longer than ${MAX_DECIMAL_CHARS} characters`);
  return canonical;
}

function parseBytes(raw: unknown, ctx: ValueContext, max: number): Buffer {
  if (typeof raw !== 'string')
    fail('WRONG_VALUE_TYPE', ctx, `expected base64 bytes as a string, got ${typeName(raw)}`);
  if (!BASE64.test(raw)) fail('INVALID_BASE64', ctx, 'value is not standard padded base64');
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.length > max) fail('VALUE_TOO_LARGE', ctx, `value is ${bytes.length} bytes, the limit is ${max}`);
  return bytes;
}

/** Strips leading zeros of the integer part and trailing zeros of the fraction; `-0` is `0`. */
export function canonicalDecimal(text: string): string {
  const negative = text.startsWith('-');
  const unsigned = negative ? text.slice(1) : text;
  const [intPart = '0', fracPart = ''] = unsigned.split('.');
  const int = intPart.replace(/^0+(?=\d)/, '');
  const frac = fracPart.replace(/0+$/, '');
  const body = frac.length > 0 ? `${int}.${frac}` : int;
  return negative && body !== '0' ? `-${body}` : body;
}

/** A finite double as plain decimal text (no exponent), as JSON.parse understood it. */
function numberToPlain(n: number): string {
  const text = String(n);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (match === null) return text;
  const [, sign = '', lead = '', rest = '', exp = '0'] = match;
  const digits = lead + rest;
  const point = 1 + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function codePoints(s: string): number {
  // Surrogate pairs count once, as MySQL counts utf8mb4 characters.
  return s.length - (s.match(/[\ud800-\udbff][\udc00-\udfff]/g)?.length ?? 0);
}

const typeName = describeValue;

/** Approximate stored size of a value, for row-size limits and table quotas. */
export function valueSize(value: Value): number {
  if (value === null) return 1;
  if (typeof value === 'bigint') return 8;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  return value.length;
}

export function encodeValue(value: Value, type: FieldType): EncodedValue {
  if (value === null) return null;
  if (type === 'binary' || type === 'bytestring') return (value as Buffer).toString('base64');
  return typeof value === 'bigint' ? value.toString() : (value as string);
}

export function decodeValue(encoded: EncodedValue, type: FieldType): Value {
  if (encoded === null) return null;
  switch (type) {
    case 'integer':
      return BigInt(encoded);
    case 'binary':
    case 'bytestring':
      return Buffer.from(encoded, 'base64');
    default:
      return encoded;
  }
}

export function encodeRow(row: Row, fields: readonly FieldDef[]): EncodedRow {
  const out: EncodedRow = {};
  for (const f of fields) if (f.name in row) out[f.name] = encodeValue(row[f.name] ?? null, f.type);
  return out;
}

export function decodeRow(encoded: EncodedRow, fields: readonly FieldDef[]): Row {
  const out: Row = {};
  for (const f of fields) if (f.name in encoded) out[f.name] = decodeValue(encoded[f.name] ?? null, f.type);
  return out;
}

/** A value as JSON for API responses: integers beyond 2^53 and all decimals as strings, bytes as base64. */
export function valueToJson(value: Value): string | number | null {
  if (value === null) return null;
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  return typeof value === 'string' ? value : value.toString('base64');
}
