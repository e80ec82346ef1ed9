/**
 * The loader's decoders against generated Debezium events (issue 12): every event, JSON or Avro,
 * whole or mutated, is either decoded (exactly, when it was not mutated) or refused as a poison
 * event — a CuttleError that is not retriable, with a code of lib/errors.ts. Any other outcome (a
 * TypeError, a RangeError from the stack, a retriable error for bytes that will never change)
 * would crash the partition or retry it forever.
 *
 * Mutations: truncation at every length (for a sample), byte flips, bytes inserted and appended,
 * fields of the wrong type, payload or schema missing, huge numbers, deep nesting, bad UTF-8.
 * The seed is fixed; FUZZ_SEED overrides it.
 */
import type * as Avsc from 'avsc';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, isCuttleError } from '../../../lib/errors.ts';
import { avroTypeHook } from '../../../services/loader/adapters/confluent-registry-adapter.ts';
import { AvroEventDecoder } from '../../../services/loader/decode/avro-decoder.ts';
import type { DecodedRecords } from '../../../services/loader/decode/change-record.ts';
import type { EventDecoder } from '../../../services/loader/decode/decoder.ts';
import { ExactNumber } from '../../../services/loader/decode/exact-json.ts';
import { JsonEventDecoder } from '../../../services/loader/decode/json-decoder.ts';
import type { SchemaRegistry } from '../../../services/loader/decode/schema-registry.ts';
import type { InboundMessage } from '../../../services/loader/message.ts';
import { envelope, message, raw, toJson, type ColumnSpec } from '../../fixtures/debezium/envelopes.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 1212);
const params = (numRuns: number) => ({ seed: SEED, numRuns, endOnFailure: true });

/** The avsc instance the registry client uses (the adapter resolves it the same way). */
const avro = createRequire(createRequire(import.meta.url).resolve('@kafkajs/confluent-schema-registry'))(
  'avsc',
) as typeof Avsc;

type Outcome = { readonly decoded: unknown } | { readonly poison: string };

/** Decodes, and fails the test on anything but records or a poison event. */
async function outcomeOf(decoder: EventDecoder, m: InboundMessage, what: string): Promise<Outcome> {
  let decoded: DecodedRecords;
  try {
    decoded = await decoder.decode(m);
  } catch (err) {
    expectPoison(err, what);
    return { poison: (err as { code: string }).code };
  }
  for (const record of decoded) expectRows(record, what);
  await decoder
    .decodeTransactionEnd(m)
    .catch((err: unknown) => expectPoison(err, `${what} (transaction end)`));
  return { decoded };
}

/** A decoded record's key and values, when present, are rows: objects of columns. */
function expectRows(record: object, what: string): void {
  for (const part of ['key', 'values'] as const) {
    const row: unknown = (record as Record<string, unknown>)[part];
    if (row === undefined || row === null) continue;
    const isRow =
      typeof row === 'object' &&
      !Array.isArray(row) &&
      !Buffer.isBuffer(row) &&
      !(row instanceof ExactNumber);
    expect(isRow, `seed ${SEED}, ${what}: the record's ${part} is not a row`).toBe(true);
  }
}

function expectPoison(err: unknown, what: string): void {
  const describe = () =>
    `seed ${SEED}, ${what}: ${err instanceof Error ? `${err.constructor.name}: ${err.message.slice(0, 300)}` : String(err)}`;
  if (!isCuttleError(err)) expect.fail(`not a CuttleError: ${describe()}`);
  expect(err.code in ErrorCodes, describe()).toBe(true);
  expect(err.retriable, `a retriable error for bytes that cannot change: ${describe()}`).toBe(false);
}

// ---------------------------------------------------------------------------------------------
// JSON events

const columns: ColumnSpec[] = [
  { name: 'id', connect: { type: 'int64' } },
  { name: 'name', connect: { type: 'string' } },
  { name: 'n', connect: { type: 'int32' } },
];
const withSchema = { columns, keyColumns: [columns[0] as ColumnSpec] };

/** A row of the widgets table as Debezium writes it, numbers as exact JSON text. */
const jsonRow = fc.record({
  id: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  name: fc.string({ unit: 'grapheme', maxLength: 30 }),
  n: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
});

const jsonEvent = fc.record({
  op: fc.constantFrom('c' as const, 'u' as const, 'd' as const, 'r' as const),
  row: jsonRow,
  schema: fc.boolean(),
  pos: fc.nat(),
});

type JsonEvent = typeof jsonEvent extends fc.Arbitrary<infer T> ? T : never;

function jsonMessage(e: JsonEvent): InboundMessage {
  const row = { id: raw(e.row.id.toString()), name: e.row.name, n: e.row.n };
  const value = envelope({
    op: e.op,
    pos: e.pos,
    before: e.op === 'c' || e.op === 'r' ? null : row,
    after: e.op === 'd' ? null : row,
  });
  return message({ key: { id: row.id }, value, ...(e.schema ? { withSchema } : {}) });
}

const withValue = (m: InboundMessage, value: Buffer | null): InboundMessage => ({ ...m, value });

/** Up to four byte changes (position, nonzero xor or new byte), applied in one of three ways. */
const byteChanges = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), {
  minLength: 1,
  maxLength: 4,
});
const byteChangeKind = fc.constantFrom('flip', 'insert', 'append');

function mutated(original: Buffer, changes: readonly [number, number][], how: string): Buffer {
  let bytes = Buffer.from(original);
  for (const [at, x] of changes) {
    const i = at % bytes.length;
    if (how === 'flip') bytes[i] = (bytes[i] ?? 0) ^ x;
    else if (how === 'insert')
      bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([x]), bytes.subarray(i)]);
    else bytes = Buffer.concat([bytes, Buffer.from([x])]);
  }
  return bytes;
}

/** Replaces the value at a path of the (parsed) envelope, as JSON text. */
function replaced(value: unknown, path: readonly string[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const [head = '', ...rest] = path;
  return { ...value, [head]: replaced((value as Record<string, unknown>)[head], rest, replacement) };
}

const PATHS: readonly (readonly string[])[] = [
  [],
  ['op'],
  ['before'],
  ['after'],
  ['after', 'id'],
  ['after', 'name'],
  ['source'],
  ['source', 'pos'],
  ['source', 'file'],
  ['source', 'row'],
  ['source', 'ts_ms'],
  ['source', 'snapshot'],
  ['source', 'table'],
  ['source', 'db'],
  ['source', 'gtid'],
  ['transaction'],
  ['ts_ms'],
];

/** Values of the wrong type, huge, or nested beyond any stack. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    raw('1e400'),
    raw('-0'),
    raw(`1${'0'.repeat(400)}`),
    raw('18446744073709551616'),
    raw('0.1000000000000000055511'),
    '\ud800',
    'a\u0000b',
    undefined,
  ),
  fc
    .tuple(fc.integer({ min: 1000, max: 20_000 }), fc.boolean())
    .map(([depth, array]) =>
      raw(
        array ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
      ),
    ),
);

/** The envelope with one field of the wrong type, or the payload or schema missing. */
const reshaped = fc
  .tuple(jsonEvent, fc.constantFrom(...PATHS), wrongValue, fc.nat())
  .map(([e, path, v, which]) => {
    const parsed = JSON.parse((jsonMessage(e).value ?? Buffer.alloc(0)).toString()) as Record<
      string,
      unknown
    >;
    const wrapped = 'payload' in parsed;
    const target = wrapped ? parsed.payload : parsed;
    let value: unknown = wrapped
      ? { ...parsed, payload: replaced(target, path, v) }
      : replaced(target, path, v);
    if (wrapped && which % 4 === 1) value = { schema: parsed.schema };
    if (wrapped && which % 4 === 2) value = { payload: parsed.payload, schema: v };
    return { e, text: toJson(value) ?? '' };
  });

describe('JSON decoder fuzz', () => {
  const decoder = new JsonEventDecoder();

  it('decodes generated events exactly', async () => {
    await fc.assert(
      fc.asyncProperty(jsonEvent, async (e) => {
        const outcome = await outcomeOf(decoder, jsonMessage(e), `event ${JSON.stringify(e, bigintText)}`);
        expect(outcome).toHaveProperty('decoded');
        const [record] = (outcome as { decoded: unknown[] }).decoded as Record<string, unknown>[];
        const id = Number.isSafeInteger(Number(e.row.id))
          ? Number(e.row.id)
          : new ExactNumber(e.row.id.toString());
        const expected = { id, name: e.row.name, n: e.row.n };
        if (e.op === 'd') expect(record).toMatchObject({ kind: 'delete', key: { id } });
        else expect(record).toMatchObject({ kind: 'upsert', values: expected, position: { pos: e.pos } });
      }),
      params(300),
    );
  });

  it('decodes or poisons every truncation of a sample of events', async () => {
    for (const e of fc.sample(jsonEvent, { seed: SEED, numRuns: 12 })) {
      const m = jsonMessage(e);
      const bytes = m.value ?? Buffer.alloc(0);
      for (let length = 0; length < bytes.length; length++) {
        await outcomeOf(decoder, withValue(m, bytes.subarray(0, length)), `truncated to ${length}`);
        if (m.key !== null)
          await outcomeOf(decoder, { ...m, key: m.key.subarray(0, length) }, `key cut to ${length}`);
      }
    }
  });

  it('decodes or poisons events with bytes flipped, inserted or appended', async () => {
    await fc.assert(
      fc.asyncProperty(jsonEvent, byteChanges, byteChangeKind, async (e, changes, how) => {
        const m = jsonMessage(e);
        const bytes = mutated(m.value ?? Buffer.alloc(0), changes, how);
        await outcomeOf(decoder, withValue(m, bytes), `${how} ${JSON.stringify(changes)}`);
      }),
      params(600),
    );
  });

  it('decodes or poisons events with fields of the wrong type, huge numbers, deep nesting, parts missing', async () => {
    await fc.assert(
      fc.asyncProperty(reshaped, async ({ e, text }) => {
        await outcomeOf(decoder, withValue(jsonMessage(e), Buffer.from(text)), `value ${text.slice(0, 300)}`);
        await outcomeOf(decoder, { ...jsonMessage(e), key: Buffer.from(text) }, `key ${text.slice(0, 300)}`);
      }),
      params(400),
    );
  });
});

function bigintText(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

// ---------------------------------------------------------------------------------------------
// Avro events

const sourceSchema: Avsc.Schema = {
  type: 'record',
  name: 'Source',
  namespace: 'io.debezium.connector.mariadb',
  fields: [
    { name: 'version', type: 'string' },
    { name: 'connector', type: 'string' },
    { name: 'name', type: 'string' },
    { name: 'ts_ms', type: 'long' },
    { name: 'snapshot', type: ['null', 'string'], default: null },
    { name: 'db', type: 'string' },
    { name: 'table', type: ['null', 'string'], default: null },
    { name: 'server_id', type: 'long' },
    { name: 'gtid', type: ['null', 'string'], default: null },
    { name: 'file', type: 'string' },
    { name: 'pos', type: 'long' },
    { name: 'row', type: 'int' },
    { name: 'thread', type: ['null', 'long'], default: null },
    { name: 'query', type: ['null', 'string'], default: null },
  ],
};
const valueSchema: Avsc.Schema = {
  type: 'record',
  name: 'Value',
  namespace: 'ctl.ctl.widgets',
  fields: [
    { name: 'id', type: { type: 'long', 'connect.type': 'int64' } },
    { name: 'name', type: ['null', 'string'], default: null },
    { name: 'blob', type: ['null', 'bytes'], default: null },
    { name: 'ratio', type: ['null', 'double'], default: null },
  ],
};
const envelopeSchema: Avsc.Schema = {
  type: 'record',
  name: 'Envelope',
  namespace: 'ctl.ctl.widgets',
  fields: [
    { name: 'before', type: ['null', valueSchema], default: null },
    { name: 'after', type: ['null', 'Value'], default: null },
    { name: 'source', type: sourceSchema },
    { name: 'op', type: 'string' },
    { name: 'ts_ms', type: ['null', 'long'], default: null },
  ],
};
const keySchema: Avsc.Schema = {
  type: 'record',
  name: 'Key',
  namespace: 'ctl.ctl.widgets',
  fields: [{ name: 'id', type: 'long' }],
};

const ENVELOPE_ID = 7;
const KEY_ID = 8;

/** The registry port over schemas held in memory, decoding with the adapter's avsc type hook. */
class InMemoryRegistry implements SchemaRegistry {
  readonly #types = new Map<number, Avsc.Type>([
    [ENVELOPE_ID, avro.Type.forSchema(envelopeSchema, { typeHook: avroTypeHook })],
    [KEY_ID, avro.Type.forSchema(keySchema, { typeHook: avroTypeHook })],
  ]);

  encode(id: number, value: unknown): Buffer {
    const header = Buffer.alloc(5);
    header.writeUInt32BE(id, 1);
    return Buffer.concat([header, this.#type(id).toBuffer(value)]);
  }

  decode(buffer: Buffer): Promise<unknown> {
    try {
      return Promise.resolve(this.#type(buffer.readUInt32BE(1)).fromBuffer(buffer.subarray(5)));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  #type(id: number): Avsc.Type {
    const type = this.#types.get(id);
    if (type === undefined) throw new Error(`schema ${id} not found`);
    return type;
  }
}

const avroRow = fc.record({
  id: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  name: fc.option(fc.string({ unit: 'grapheme', maxLength: 30 }), { nil: null }),
  blob: fc.option(
    fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b)),
    { nil: null },
  ),
  ratio: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
});

const avroEvent = fc.record({
  op: fc.constantFrom('c', 'u', 'd', 'r'),
  row: avroRow,
  pos: fc.bigInt({ min: 0n, max: 2n ** 53n - 1n }),
});
type AvroEvent = typeof avroEvent extends fc.Arbitrary<infer T> ? T : never;

const registry = new InMemoryRegistry();
const longValue = (v: bigint): number | bigint => (Number.isSafeInteger(Number(v)) ? Number(v) : v);

function avroMessage(e: AvroEvent): InboundMessage {
  const row = { ...e.row, id: e.row.id };
  const value = {
    before: e.op === 'c' || e.op === 'r' ? null : row,
    after: e.op === 'd' ? null : row,
    source: {
      version: '3.2.7.Final',
      connector: 'mariadb',
      name: 'ctl',
      ts_ms: 1732230353000,
      snapshot: 'false',
      db: 'ctl',
      table: 'widgets',
      server_id: 223344,
      gtid: null,
      file: 'mariadb-bin.000001',
      pos: e.pos,
      row: 0,
      thread: null,
      query: null,
    },
    op: e.op,
    ts_ms: 1732230353123,
  };
  return {
    topic: 'ctl.ctl.widgets',
    partition: 0,
    offset: '1',
    key: registry.encode(KEY_ID, { id: e.row.id }),
    value: registry.encode(ENVELOPE_ID, value),
    headers: {},
    timestampMs: 0,
  };
}

describe('Avro decoder fuzz', () => {
  const decoder = new AvroEventDecoder(registry);

  it('decodes generated events exactly', async () => {
    await fc.assert(
      fc.asyncProperty(avroEvent, async (e) => {
        const outcome = await outcomeOf(decoder, avroMessage(e), `event ${JSON.stringify(e, bigintText)}`);
        expect(outcome).toHaveProperty('decoded');
        const [record] = (outcome as { decoded: unknown[] }).decoded as Record<string, unknown>[];
        const id = longValue(e.row.id);
        if (e.op === 'd') expect(record).toMatchObject({ kind: 'delete', key: { id } });
        else {
          expect(record).toMatchObject({ kind: 'upsert', key: { id }, position: { pos: Number(e.pos) } });
          expect(record?.values).toEqual({ ...e.row, id });
        }
      }),
      params(300),
    );
  });

  it('decodes or poisons every truncation of a sample of events', async () => {
    for (const e of fc.sample(avroEvent, { seed: SEED, numRuns: 12 })) {
      const m = avroMessage(e);
      const bytes = m.value ?? Buffer.alloc(0);
      for (let length = 0; length < bytes.length; length++) {
        await outcomeOf(decoder, withValue(m, bytes.subarray(0, length)), `truncated to ${length}`);
      }
      const key = m.key ?? Buffer.alloc(0);
      for (let length = 0; length < key.length; length++) {
        await outcomeOf(decoder, { ...m, key: key.subarray(0, length) }, `key cut to ${length}`);
      }
    }
  });

  it('decodes or poisons events with bytes flipped, inserted or appended, or an unknown schema id', async () => {
    await fc.assert(
      fc.asyncProperty(avroEvent, byteChanges, byteChangeKind, async (e, changes, how) => {
        const m = avroMessage(e);
        const bytes = mutated(m.value ?? Buffer.alloc(0), changes, how);
        await outcomeOf(decoder, withValue(m, bytes), `${how} ${JSON.stringify(changes)}`);
      }),
      params(800),
    );
  });

  it('poisons values whose types do not match the envelope (the key schema, huge lengths)', async () => {
    await fc.assert(
      fc.asyncProperty(avroEvent, fc.bigInt({ min: 2n ** 31n, max: 2n ** 62n }), async (e, huge) => {
        const m = avroMessage(e);
        // The key's bytes under the envelope's id, and a string length no buffer holds.
        const keyAsValue = Buffer.from(m.key ?? Buffer.alloc(0));
        keyAsValue.writeUInt32BE(ENVELOPE_ID, 1);
        const hugeLength = Buffer.concat([Buffer.from([0, 0, 0, 0, ENVELOPE_ID, 0x02]), zigzag(huge)]);
        for (const value of [keyAsValue, hugeLength]) {
          const outcome = await outcomeOf(decoder, withValue(m, value), `value ${value.toString('hex')}`);
          expect(outcome).toHaveProperty('poison');
        }
      }),
      params(100),
    );
  });
});

/** An Avro long as zig-zag varint bytes. */
function zigzag(n: bigint): Buffer {
  let z = n >= 0n ? n << 1n : (-n << 1n) - 1n;
  const bytes: number[] = [];
  while (z >= 0x80n) {
    bytes.push(Number((z & 0x7fn) | 0x80n));
    z >>= 7n;
  }
  bytes.push(Number(z));
  return Buffer.from(bytes);
}
