/**
 * The JSON decoder against generated Debezium events (issue 12; the Avro decoder's twin is
 * decoder-fuzz-avro.test.ts): every event, whole or mutated, is either decoded (exactly, when it
 * was not mutated) or refused as a poison event — a CuttleError that is not retriable, with a code of lib/errors.ts. Any other outcome (a
 * TypeError, a RangeError from the stack, a retriable error for bytes that will never change)
 * would crash the partition or retry it forever.
 *
 * Mutations: truncation at every length (for a sample), byte flips, bytes inserted and appended,
 * fields of the wrong type, payload or schema missing, huge numbers, deep nesting, bad UTF-8.
 * The seed is fixed; FUZZ_SEED overrides it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExactNumber } from '../../../services/loader/decode/exact-json.ts';
import { JsonEventDecoder } from '../../../services/loader/decode/json-decoder.ts';
import type { InboundMessage } from '../../../services/loader/message.ts';
import { envelope, message, raw, toJson, type ColumnSpec } from '../../fixtures/debezium/envelopes.ts';
import {
  bigintText,
  byteMutationProperty,
  outcomeOf,
  params,
  SEED,
  withValue,
} from './decoder-fuzz-shared.ts';

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
    await fc.assert(byteMutationProperty(jsonEvent, decoder, jsonMessage), params(600));
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
