/**
 * Debezium events written by Kafka Connect's JsonConverter, with `schemas.enable` on
 * (`{"schema": …, "payload": …}`) or off (the payload alone). Both shapes are accepted on the same
 * topic, so flipping the converter setting needs no loader change.
 */
import { ensureError } from '../../../lib/errors.ts';
import type { InboundMessage } from '../message.ts';
import type { DecodedRecords, SourceRow, TransactionEnd } from './change-record.ts';
import { rowColumnsOf, type ConnectField } from './connect-schema.ts';
import type { EventDecoder } from './decoder.ts';
import { isRow } from './envelope.ts';
import { parseExactJson } from './exact-json.ts';
import { invalidEvent, recordsFromValue, transactionEndFromValue } from './records.ts';

interface Unwrapped {
  readonly payload: unknown;
  readonly schema: unknown;
}

export class JsonEventDecoder implements EventDecoder {
  decode(message: InboundMessage): Promise<DecodedRecords> {
    try {
      return Promise.resolve(this.decodeSync(message));
    } catch (err) {
      return Promise.reject(ensureError(err));
    }
  }

  decodeTransactionEnd(message: InboundMessage): Promise<TransactionEnd | null> {
    try {
      if (message.value === null) return Promise.resolve(null);
      return Promise.resolve(
        transactionEndFromValue(unwrap(parseBuffer(message, message.value, 'value')).payload, message),
      );
    } catch (err) {
      return Promise.reject(ensureError(err));
    }
  }

  decodeSync(message: InboundMessage): DecodedRecords {
    // A tombstone follows every delete so that compaction can drop the key; the delete itself
    // already carried the change.
    if (message.value === null) return [];
    const value = unwrap(parseBuffer(message, message.value, 'value'));
    if (value.payload === null) return [];
    const key =
      message.key === null ? null : keyRow(message, unwrap(parseBuffer(message, message.key, 'key')).payload);
    const columns: ReadonlyMap<string, ConnectField> | null =
      value.schema === undefined ? null : rowColumnsOf(value.schema);
    return recordsFromValue(value.payload, { message, key, columns });
  }
}

/** Refuses invalid UTF-8 instead of repairing it with U+FFFD, as Buffer#toString would. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function parseBuffer(message: InboundMessage, buffer: Buffer, part: 'key' | 'value'): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(buffer);
  } catch (err) {
    throw invalidEvent(message, `${part} is not valid UTF-8`, err);
  }
  try {
    // The native parser alone when every number the loader uses came through it exactly; the
    // exact parser (three times slower) only when a row holds a number a double may not carry.
    const parsed: unknown = JSON.parse(text);
    return nativeIsExact(unwrap(parsed).payload, part) ? parsed : parseExactJson(text);
  } catch (err) {
    throw invalidEvent(message, `${part} is not JSON (${(err as Error).message})`, err);
  }
}

/**
 * True when the natively parsed payload needs no exact numbers: a key, or a data-change
 * envelope, whose row values are all strings, booleans, nulls or safe integers. Every other
 * number (beyond 2^53, fractional, a decimal in `double` mode) may have lost digits, so the
 * text is parsed again exactly. The envelope's own 64-bit fields (`ts_us`, `ts_ns`) are rounded
 * by the native parser, which is harmless: the loader reads only `ts_ms`, `pos`, `row` and
 * `total_order`, all far below 2^53. Anything else (schema changes, transaction markers, rows
 * with structs) takes the exact path.
 */
function nativeIsExact(payload: unknown, part: 'key' | 'value'): boolean {
  if (payload === null) return true;
  if (typeof payload !== 'object' || Array.isArray(payload)) return false;
  if (part === 'key') return rowIsExact(payload);
  if (!('op' in payload)) return false;
  const { before, after } = payload as { before?: unknown; after?: unknown };
  return rowIsExact(before) && rowIsExact(after);
}

function rowIsExact(row: unknown): boolean {
  if (row === null || row === undefined) return true;
  if (typeof row !== 'object') return false;
  for (const value of Object.values(row)) {
    if (
      typeof value === 'number' ? !Number.isSafeInteger(value) : typeof value === 'object' && value !== null
    ) {
      return false;
    }
  }
  return true;
}

/** `{schema, payload}` from JsonConverter with schemas enabled; anything else is a bare payload. */
export function unwrap(parsed: unknown): Unwrapped {
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const keys = Object.keys(parsed);
    if (keys.length === 2 && 'schema' in parsed && 'payload' in parsed && isConnectSchema(parsed.schema)) {
      return { payload: parsed.payload, schema: parsed.schema };
    }
  }
  return { payload: parsed, schema: undefined };
}

function isConnectSchema(value: unknown): boolean {
  return value !== null && typeof value === 'object' && 'type' in value && typeof value.type === 'string';
}

export function keyRow(message: InboundMessage, payload: unknown): SourceRow | null {
  if (payload === null) return null;
  if (!isRow(payload)) {
    throw invalidEvent(message, 'key is not an object of primary-key columns');
  }
  return payload as SourceRow;
}
