/**
 * SchemaRegistry over @kafkajs/confluent-schema-registry (Confluent API; Apicurio serves it at
 * /apis/ccompat/v7). Avro longs decode to numbers when safe and to bigints beyond 2^53: avsc's
 * own long type throws "potential precision loss" there (unsigned BIGINT, epoch nanoseconds).
 * Bytes (BINARY, BLOB, precise decimals) stay Buffers.
 */
import { SchemaRegistry as ConfluentRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type * as Avsc from 'avsc';
import { createRequire } from 'node:module';
import { CuttleError } from '../../../lib/errors.ts';
import type { SchemaRegistry } from '../decode/schema-registry.ts';

// The long type must come from the very avsc instance the registry client uses, so it is
// resolved from the client's own location rather than imported as a dependency of ours.
const requireFromRegistry = createRequire(
  createRequire(import.meta.url).resolve('@kafkajs/confluent-schema-registry'),
);
const avro = requireFromRegistry('avsc') as typeof Avsc;

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export const exactLongType = avro.types.LongType.__with({
  fromBuffer: (buffer: Buffer) => {
    const value = buffer.readBigInt64LE();
    return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value;
  },
  toBuffer: (value: number | bigint) => {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64LE(BigInt(value));
    return buffer;
  },
  fromJSON: (value: number | string) => BigInt(value),
  toJSON: (value: number | bigint) => (typeof value === 'bigint' ? value.toString() : value),
  isValid: (value: unknown) => typeof value === 'bigint' || Number.isSafeInteger(value),
  compare: (a: number | bigint, b: number | bigint) =>
    BigInt(a) === BigInt(b) ? 0 : BigInt(a) < BigInt(b) ? -1 : 1,
});

/** Swaps avsc's long type (which throws beyond 2^53) for the exact one, wherever a long appears. */
export function longHook(schema: unknown): Avsc.Type | undefined {
  if (schema === 'long') return exactLongType;
  if (schema !== null && typeof schema === 'object' && (schema as { type?: unknown }).type === 'long') {
    return (schema as { logicalType?: unknown }).logicalType === undefined ? exactLongType : undefined;
  }
  return undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** avsc's reader, as far as a string needs it (avsc 5 Tap: a buffer and a position). */
interface Tap {
  buf: Buffer;
  pos: number;
  readLong(): number;
}

/**
 * avsc's string type repairs invalid UTF-8 with U+FFFD (Buffer#utf8Slice): a corrupted value
 * would be loaded altered. This one refuses it, as the JSON decoder does; the error makes the
 * event a poison event (dead letter or halt), never a silently changed row.
 */
class StrictStringType extends (avro.types.StringType as unknown as new () => Avsc.Type) {
  _read(tap: Tap): string | undefined {
    const length = tap.readLong();
    const start = tap.pos;
    tap.pos += length;
    if (length < 0 || tap.pos > tap.buf.length) return undefined; // avsc reports the truncation
    try {
      return strictUtf8.decode(tap.buf.subarray(start, tap.pos));
    } catch {
      throw new Error(`a string value is not valid UTF-8 (${length} bytes at ${start})`);
    }
  }
}
const strictStringType = new StrictStringType();

/** Plain `string` schemas get the strict type; logical types over strings keep their own. */
function stringHook(schema: unknown): Avsc.Type | undefined {
  if (schema === 'string') return strictStringType;
  if (schema !== null && typeof schema === 'object' && (schema as { type?: unknown }).type === 'string') {
    return (schema as { logicalType?: unknown }).logicalType === undefined ? strictStringType : undefined;
  }
  return undefined;
}

/** Every type cuttle replaces in avsc: exact longs and strict strings. */
export function avroTypeHook(schema: unknown): Avsc.Type | undefined {
  return longHook(schema) ?? stringHook(schema);
}

export interface ConfluentRegistryOptions {
  /** e.g. http://127.0.0.1:18081/apis/ccompat/v7 */
  readonly url: string;
}

export class ConfluentRegistryAdapter implements SchemaRegistry {
  readonly #registry: ConfluentRegistry;
  readonly #url: string;

  constructor(options: ConfluentRegistryOptions) {
    this.#url = options.url;
    this.#registry = new ConfluentRegistry(
      { host: options.url, retry: { retries: 2 } },
      // A type hook, not avsc's `registry` option: the client reuses one options object for every
      // schema, and a shared registry would reject the second schema naming the same record type.
      { [SchemaType.AVRO]: { typeHook: avroTypeHook } },
    );
  }

  /** For tests and tools that need to write Avro the way Debezium's converter does. */
  get client(): ConfluentRegistry {
    return this.#registry;
  }

  async decode(buffer: Buffer): Promise<unknown> {
    try {
      return (await this.#registry.decode(buffer)) as unknown;
    } catch (err) {
      if (isUnreachable(err)) {
        throw new CuttleError(
          'UNAVAILABLE',
          `schema registry at ${this.#url} is unreachable: ${String(err)}`,
          {
            cause: err,
            retryAfterSeconds: 1,
          },
        );
      }
      throw err;
    }
  }
}

const NETWORK_ERROR =
  /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE|EHOSTUNREACH|ENETUNREACH|UND_ERR\w*)\b|socket hang up/;

/**
 * Network failures and 5xx are worth retrying; an unknown schema id or bad bytes are not. The
 * client (mappersmith underneath) reports a refused or reset connection as a ResponseError with
 * status 400 and the socket error only in its message, so the message is checked first.
 */
export function isUnreachable(err: unknown): boolean {
  if (err === null || typeof err !== 'object') return false;
  const { status, code, cause, message } = err as {
    status?: unknown;
    code?: unknown;
    cause?: unknown;
    message?: unknown;
  };
  if (typeof code === 'string' && NETWORK_ERROR.test(code)) return true;
  if (typeof message === 'string' && NETWORK_ERROR.test(message)) return true;
  if (typeof status === 'number') return status >= 500;
  return cause !== undefined && cause !== err && isUnreachable(cause);
}
