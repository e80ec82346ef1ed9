/**
 * The Avro decoder against generated Debezium events (issue 12; the JSON decoder's twin is
 * decoder-fuzz-json.test.ts): every event, whole or mutated, is either decoded (exactly, when it
 * was not mutated) or refused as a poison event. Mutations: truncation at every length (for a
 * sample), byte flips, bytes inserted and appended, an unknown schema id, values whose types do
 * not match the envelope. The seed is fixed; FUZZ_SEED overrides it.
 */
import type * as Avsc from 'avsc';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { avroTypeHook } from '../../../services/loader/adapters/confluent-registry-adapter.ts';
import { AvroEventDecoder } from '../../../services/loader/decode/avro-decoder.ts';
import type { SchemaRegistry } from '../../../services/loader/decode/schema-registry.ts';
import type { InboundMessage } from '../../../services/loader/message.ts';
import {
  bigintText,
  byteMutationProperty,
  outcomeOf,
  params,
  SEED,
  withValue,
} from './decoder-fuzz-shared.ts';

/** The avsc instance the registry client uses (the adapter resolves it the same way). */
const avro = createRequire(createRequire(import.meta.url).resolve('@kafkajs/confluent-schema-registry'))(
  'avsc',
) as typeof Avsc;

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
    await fc.assert(byteMutationProperty(avroEvent, decoder, avroMessage), params(800));
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
