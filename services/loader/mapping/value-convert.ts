/**
 * Exact conversion of one Debezium column value into a cuttle wire value (lib/schema/values.ts:
 * integers as numbers when safe and decimal strings beyond 2^53, decimals as strings, bytes as
 * base64). A converter is compiled once per column from its plan and the source's encodings; the
 * Connect schema of the column, when the event carries one, takes precedence over the settings.
 */
import type { ErrorCode } from '../../../lib/errors.ts';
import { INT64_MAX } from '../../../lib/schema/values.ts';
import { DECIMAL_SCHEMA_NAME, type ConnectField } from '../decode/connect-schema.ts';
import { ExactNumber, toBigInt } from '../decode/exact-json.ts';
import {
  bigIntFromTwosComplement,
  decimalFromUnscaled,
  doubleText,
  floatText,
  plainDecimalText,
} from './decimal-text.ts';
import type { DebeziumEncodings } from './encodings.ts';
import type { ColumnPlan } from './field-type.ts';
import { formatDate, formatDateTime, formatTime, normaliseZonedTimestamp } from './temporal.ts';

export type WireValue = string | number | null;
/**
 * `snapshot`: the value comes from Debezium's snapshot (read over JDBC) rather than the binlog;
 * a few types arrive differently from the two (ENUM and SET members are escaped in the binlog).
 */
export type Converter = (raw: unknown, field: ConnectField | undefined, snapshot?: boolean) => WireValue;

/** A value that cannot become a cuttle value; the caller adds family/table/field/event context. */
export class ValueProblem extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Encodings that cannot carry a column exactly: refused when the source is registered. */
export function encodingProblem(plan: ColumnPlan, encodings: DebeziumEncodings): string | undefined {
  if (plan.kind === 'decimal' && encodings.decimalHandlingMode === 'double') {
    return 'decimal.handling.mode=double rounds decimals; use string or precise';
  }
  if (
    encodings.timePrecisionMode === 'connect' &&
    (plan.kind === 'datetime' || plan.kind === 'time') &&
    plan.fsp > 3
  ) {
    return `time.precision.mode=connect keeps milliseconds only, the column has ${plan.fsp} fractional digits; use adaptive_time_microseconds`;
  }
  return undefined;
}

const TWO_64 = 1n << 64n;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64_URL = /^[A-Za-z0-9_-]*={0,2}$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const DECIMAL_TEXT = /^-?\d+(?:\.\d+)?$/;

function describe(raw: unknown): string {
  if (raw instanceof ExactNumber) return `number ${raw.text}`;
  if (Buffer.isBuffer(raw)) return `${raw.length} bytes`;
  if (typeof raw === 'bigint') return `number ${raw}`;
  return `${typeof raw} ${JSON.stringify(raw)}`;
}

function wrongType(expected: string, raw: unknown): never {
  throw new ValueProblem('WRONG_VALUE_TYPE', `expected ${expected}, got ${describe(raw)}`);
}

export function wireInteger(value: bigint): WireValue {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

function integerOf(raw: unknown): bigint {
  if (typeof raw === 'boolean') return raw ? 1n : 0n;
  return toBigInt(raw) ?? wrongType('an integer', raw);
}

function bytesOf(raw: unknown, mode: DebeziumEncodings['binaryHandlingMode']): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  if (typeof raw !== 'string') return wrongType('bytes', raw);
  if (mode === 'hex') return HEX.test(raw) ? Buffer.from(raw, 'hex') : wrongType('hex text', raw);
  if (mode === 'base64-url-safe') {
    return BASE64_URL.test(raw) ? Buffer.from(raw, 'base64url') : wrongType('url-safe base64', raw);
  }
  return BASE64.test(raw) ? Buffer.from(raw, 'base64') : wrongType('base64', raw);
}

function micros(raw: unknown, unit: 'ms' | 'us' | 'ns'): bigint {
  const n = integerOf(raw);
  return unit === 'ms' ? n * 1000n : unit === 'ns' ? n / 1000n : n;
}

function unitFromSchema(field: ConnectField | undefined): 'ms' | 'us' | 'ns' | undefined {
  const name = field?.name ?? '';
  if (name.endsWith('.MicroTime') || name.endsWith('.MicroTimestamp')) return 'us';
  if (name.endsWith('.NanoTime') || name.endsWith('.NanoTimestamp')) return 'ns';
  if (name.endsWith('.Time') || name.endsWith('.Timestamp')) return 'ms';
  return undefined;
}

export function compileConverter(plan: ColumnPlan, encodings: DebeziumEncodings): Converter {
  const build = builders[plan.kind];
  const convert = build(plan, encodings);
  return (raw, field, snapshot = false) =>
    raw === null || raw === undefined ? null : convert(raw, field, snapshot);
}

type Builder = (
  plan: ColumnPlan,
  encodings: DebeziumEncodings,
) => (raw: unknown, field: ConnectField | undefined, snapshot: boolean) => WireValue;

/** YEAR 0000 reaches the binlog reader as 1900 (its byte 0 read as 1900 + n); 1900 is no YEAR. */
const BINLOG_YEAR_ZERO = 1900n;

/** A TIMESTAMP's zero value ('0000-00-00 00:00:00'); Debezium sends it as the epoch, never valid otherwise. */
const EPOCH_TIMESTAMP = /^1970-01-01T00:00:00(?:\.0+)?Z$/;

const builders: Record<ColumnPlan['kind'], Builder> = {
  integer: () => (raw) => wireInteger(integerOf(raw)),
  year: () => (raw) => {
    const year = integerOf(raw);
    return wireInteger(year === BINLOG_YEAR_ZERO ? 0n : year);
  },
  'unsigned-bigint': (plan, enc) => (raw, field) => {
    const value = unsignedValue(raw, field, enc);
    if (plan.fieldType === 'decimal') return value.toString();
    if (value > INT64_MAX) {
      throw new ValueProblem(
        'INTEGER_OUT_OF_RANGE',
        `${value} is above 2^63-1 and cannot be a cuttle integer key`,
      );
    }
    return wireInteger(value);
  },
  bit: () => (raw) => {
    const value = Buffer.isBuffer(raw) ? BigInt(raw.some((b) => b !== 0) ? 1 : 0) : integerOf(raw);
    return wireInteger(value);
  },
  bits: (plan) => (raw) => bitsToBigEndian(bytesOf(raw, 'bytes'), plan.fixedBytes ?? 1).toString('base64'),
  decimal: (plan, enc) => (raw, field) => decimalText(raw, field, plan.scale, enc),
  float: () => (raw) => shortestText(raw, floatText),
  double: () => (raw) => shortestText(raw, doubleText),
  date: () => (raw) =>
    typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(raw) ? raw : formatDate(integerOf(raw)),
  time: (plan, enc) => {
    const mode = enc.timePrecisionMode;
    const fallback = mode === 'connect' || (mode === 'adaptive' && plan.fsp <= 3) ? 'ms' : 'us';
    return (raw, field) => formatTime(micros(raw, unitFromSchema(field) ?? fallback), plan.fsp);
  },
  datetime: (plan, enc) => {
    const fallback = enc.timePrecisionMode === 'connect' || plan.fsp <= 3 ? 'ms' : 'us';
    return (raw, field) => formatDateTime(micros(raw, unitFromSchema(field) ?? fallback), plan.fsp);
  },
  timestamp: (plan) => (raw) => {
    if (typeof raw !== 'string') return wrongType('an ISO-8601 timestamp string', raw);
    const utc = normaliseZonedTimestamp(raw, plan.fsp) ?? wrongType('an ISO-8601 timestamp string', raw);
    return EPOCH_TIMESTAMP.test(utc) ? zeroTimestamp(plan.fsp) : utc;
  },
  text: () => (raw) => (typeof raw === 'string' ? raw : wrongType('a string', raw)),
  enum: () => members,
  set: () => members,
  bytes: (plan, enc) => (raw) =>
    padRight(bytesOf(raw, enc.binaryHandlingMode), plan.fixedBytes).toString('base64'),
};

function unsignedValue(raw: unknown, field: ConnectField | undefined, enc: DebeziumEncodings): bigint {
  if (Buffer.isBuffer(raw)) return bigIntFromTwosComplement(raw);
  if (typeof raw === 'string') {
    const asBytes =
      field === undefined ? enc.bigintUnsignedHandlingMode === 'precise' : field.type === 'bytes';
    if (asBytes) return bigIntFromTwosComplement(bytesOf(raw, 'bytes'));
    return /^\d+$/.test(raw) ? BigInt(raw) : wrongType('an unsigned integer', raw);
  }
  const value = integerOf(raw);
  // bigint.unsigned.handling.mode=long wraps values above 2^63-1 into negative longs.
  return value < 0n ? value + TWO_64 : value;
}

function decimalText(
  raw: unknown,
  field: ConnectField | undefined,
  scale: number,
  enc: DebeziumEncodings,
): string {
  const isBytes =
    field === undefined
      ? enc.decimalHandlingMode === 'precise' && (typeof raw === 'string' || Buffer.isBuffer(raw))
      : field.type === 'bytes' || field.name === DECIMAL_SCHEMA_NAME;
  if (isBytes) {
    const schemaScale = field?.parameters.scale;
    const unscaled = bigIntFromTwosComplement(bytesOf(raw, 'bytes'));
    return decimalFromUnscaled(unscaled, schemaScale === undefined ? scale : Number(schemaScale));
  }
  if (typeof raw === 'string') return DECIMAL_TEXT.test(raw) ? raw : wrongType('decimal text', raw);
  return floatingText(raw, doubleText);
}

/**
 * ENUM and SET values as the origin holds them. Snapshot reads carry the member as it is; binlog
 * events carry it escaped as in Debezium's list of allowed members (`a,b` → `a\,b`, `\` → `\\`).
 */
function members(raw: unknown, _field: ConnectField | undefined, snapshot: boolean): string {
  if (typeof raw !== 'string') return wrongType('a string', raw);
  return snapshot ? raw : raw.replace(/\\(.)/gs, '$1');
}

/** The TIMESTAMP zero value in cuttle's TIMESTAMP text form, with the column's fractional digits. */
export function zeroTimestamp(fsp: number): string {
  return `0000-00-00T00:00:00${fsp > 0 ? `.${'0'.repeat(fsp)}` : ''}Z`;
}

/**
 * FLOAT and DOUBLE: the shortest text that reads back as the same value at the column's own
 * precision (float32 or float64), whatever text the converter wrote (Java's Float/Double
 * toString, an exponent, a float widened to a double by Avro).
 */
function shortestText(raw: unknown, shortest: (n: number) => string | undefined): string {
  const value = raw instanceof ExactNumber ? Number(raw.text) : raw;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return shortest(value) ?? wrongType('a finite number', raw);
  return wrongType('a number', raw);
}

function floatingText(raw: unknown, fromNumber: (n: number) => string | undefined): string {
  if (raw instanceof ExactNumber) return plainDecimalText(raw.text) ?? wrongType('a number', raw);
  if (typeof raw === 'bigint') return raw.toString();
  if (typeof raw === 'number') return fromNumber(raw) ?? wrongType('a finite number', raw);
  return wrongType('a number', raw);
}

/** Debezium's `io.debezium.data.Bits` is little-endian; MariaDB returns BIT(n) big-endian. */
export function bitsToBigEndian(littleEndian: Buffer, width: number): Buffer {
  const bigEndian = Buffer.from(littleEndian).reverse();
  if (bigEndian.length === width) return bigEndian;
  if (bigEndian.length < width) return Buffer.concat([Buffer.alloc(width - bigEndian.length), bigEndian]);
  const extra = bigEndian.subarray(0, bigEndian.length - width);
  if (extra.some((b) => b !== 0))
    throw new ValueProblem('VALUE_TOO_LARGE', `BIT value is wider than ${width * 8} bits`);
  return bigEndian.subarray(bigEndian.length - width);
}

/** BINARY(n) is right-padded with 0x00; the binlog drops the padding (DBZ-254). */
function padRight(bytes: Buffer, width: number | null): Buffer {
  if (width === null || bytes.length >= width) return bytes;
  return Buffer.concat([bytes, Buffer.alloc(width - bytes.length)]);
}
