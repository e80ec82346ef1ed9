import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CuttleError } from '../../../lib/errors.ts';
import type {
  ChangeRecord,
  DeleteRecord,
  SchemaRecord,
  UpsertRecord,
} from '../../../services/loader/decode/change-record.ts';
import { ExactNumber } from '../../../services/loader/decode/exact-json.ts';
import { JsonEventDecoder } from '../../../services/loader/decode/json-decoder.ts';
import { NEW_KEY_HEADER, OLD_KEY_HEADER } from '../../../services/loader/decode/records.ts';
import { envelope, message, raw, type ColumnSpec } from '../../fixtures/debezium/envelopes.ts';

const decoder = new JsonEventDecoder();
const decode = (m: Parameters<JsonEventDecoder['decodeSync']>[0]): readonly ChangeRecord[] =>
  decoder.decodeSync(m);
const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../fixtures/debezium/${name}`, import.meta.url));

const columns: ColumnSpec[] = [
  { name: 'id', connect: { type: 'int64' } },
  {
    name: 'price',
    connect: {
      type: 'bytes',
      name: 'org.apache.kafka.connect.data.Decimal',
      parameters: { scale: '2', 'connect.decimal.precision': '10' },
    },
  },
  { name: 'order', connect: { type: 'string' } },
];
const withSchema = { columns, keyColumns: [columns[0] as ColumnSpec] };

describe('JsonEventDecoder', () => {
  it('decodes a create without the schema part', () => {
    const after = { id: 1, order: 'first', big: raw('18446744073709551615') };
    const [record] = decode(
      message({ key: { id: 1 }, value: envelope({ op: 'c', after, pos: 1140, row: 2 }) }),
    );
    expect(record).toMatchObject({
      kind: 'upsert',
      op: 'c',
      sourceTable: { database: 'ctl', table: 'widgets' },
      key: { id: 1 },
      values: { id: 1, order: 'first', big: new ExactNumber('18446744073709551615') },
      position: { file: 'mariadb-bin.000001', pos: 1140, row: 2, gtid: '0-223344-5', snapshot: false },
      sourceTsMs: 1732230353000,
      columns: null,
      primaryKeyChange: false,
    });
  });

  it('keeps every row number exact whichever parser reads it: beyond 2^53, fractions, keys', () => {
    const after = { id: raw('9007199254740993'), ratio: raw('0.1000000000000000055511'), n: 42 };
    const [record] = decode(
      message({ key: { id: raw('9007199254740993') }, value: envelope({ op: 'c', after }) }),
    );
    expect(record).toMatchObject({
      key: { id: new ExactNumber('9007199254740993') },
      values: {
        id: new ExactNumber('9007199254740993'),
        ratio: new ExactNumber('0.1000000000000000055511'),
        n: 42,
      },
    });
    // Rows of strings and safe integers come from the native parser; the envelope's ts_ns
    // (beyond 2^53) is not read, so rounding it there changes nothing.
    const [plain] = decode(
      message({ key: { id: 5 }, value: envelope({ op: 'u', after: { id: 5, name: 'n' } }) }),
    );
    expect(plain).toMatchObject({ key: { id: 5 }, values: { id: 5, name: 'n' }, sourceTsMs: 1732230353000 });
  });

  it('decodes the same event with the schema part and exposes the column schemas', () => {
    const after = { id: 7, price: 'BNI=', order: 'x' };
    const [record] = decode(
      message({ key: { id: 7 }, value: envelope({ op: 'c', after }), withSchema }),
    ) as UpsertRecord[];
    expect(record?.values).toEqual(after);
    expect(record?.key).toEqual({ id: 7 });
    expect(record?.columns?.get('price')).toEqual({
      type: 'bytes',
      optional: true,
      name: 'org.apache.kafka.connect.data.Decimal',
      parameters: { scale: '2', 'connect.decimal.precision': '10' },
    });
  });

  it('marks snapshot reads', () => {
    const [record] = decode(
      message({ key: { id: 1 }, value: envelope({ op: 'r', after: { id: 1 }, snapshot: 'last' }) }),
    );
    expect(record).toMatchObject({ kind: 'upsert', op: 'r', position: { snapshot: true } });
  });

  it('decodes an update to an upsert of the after image', () => {
    const value = envelope({ op: 'u', before: { id: 1, order: 'a' }, after: { id: 1, order: 'b' } });
    expect(decode(message({ key: { id: 1 }, value }))).toMatchObject([
      { kind: 'upsert', op: 'u', values: { id: 1, order: 'b' } },
    ]);
  });

  it('decodes a delete with its before image, and ignores the tombstone after it', () => {
    const [record] = decode(
      message({ key: { id: 3 }, value: envelope({ op: 'd', before: { id: 3, order: 'z' } }) }),
    ) as DeleteRecord[];
    expect(record).toMatchObject({
      kind: 'delete',
      key: { id: 3 },
      values: { id: 3, order: 'z' },
      primaryKeyChange: false,
    });
    expect(decode(message({ key: { id: 3 }, value: null }))).toEqual([]);
  });

  it('reads the primary-key-change headers Debezium puts on the delete and the create', () => {
    const del = decode(
      message({
        key: { id: 1 },
        value: envelope({ op: 'd', before: { id: 1 } }),
        headers: { [NEW_KEY_HEADER]: '{"id":2}' },
      }),
    );
    const create = decode(
      message({
        key: { id: 2 },
        value: envelope({ op: 'c', after: { id: 2 } }),
        headers: { [OLD_KEY_HEADER]: '{"id":1}' },
      }),
    );
    expect(del).toMatchObject([{ kind: 'delete', primaryKeyChange: true, values: { id: 1 } }]);
    expect(create).toMatchObject([{ kind: 'upsert', primaryKeyChange: true, values: { id: 2 } }]);
  });

  it('splits an update that changes key columns into delete of the old key and upsert of the new', () => {
    const value = envelope({ op: 'u', before: { id: 1, order: 'a' }, after: { id: 2, order: 'a' } });
    const records = decode(message({ key: { id: 2 }, value }));
    expect(records).toMatchObject([
      { kind: 'delete', key: null, values: { id: 1 }, primaryKeyChange: true },
      { kind: 'upsert', key: { id: 2 }, values: { id: 2 }, primaryKeyChange: true },
    ]);
  });

  it('compares binary and exact keys by value when looking for a key change', () => {
    const value = envelope({
      op: 'u',
      before: { k: raw('18446744073709551615'), v: 1 },
      after: { k: raw('18446744073709551615'), v: 2 },
    });
    expect(decode(message({ key: { k: raw('18446744073709551615') }, value }))).toHaveLength(1);
  });

  it('decodes truncates, whose key is null', () => {
    expect(decode(message({ key: null, value: envelope({ op: 't' }) }))).toMatchObject([
      { kind: 'truncate', sourceTable: { table: 'widgets' } },
    ]);
  });

  it('decodes a schema-change event with its table changes', () => {
    const [record] = decode({
      ...message({ key: { databaseName: 'ctl' }, value: {} }),
      value: fixture('schema-change-alter.json'),
    }) as SchemaRecord[];
    expect(record?.kind).toBe('schema');
    expect(record?.ddl).toContain('ADD COLUMN colour');
    expect(record?.tableChanges[0]).toMatchObject({
      type: 'ALTER',
      sourceTable: { database: 'ctl', table: 'widgets' },
      primaryKeyColumns: ['id'],
    });
    expect(record?.tableChanges[0]?.columns.map((c) => [c.name, c.typeName, c.length])).toEqual([
      ['id', 'BIGINT', 20],
      ['name', 'VARCHAR', 100],
      ['size', 'ENUM', 1],
      ['colour', 'VARCHAR', 20],
    ]);
  });

  it('ignores transaction markers', () => {
    expect(
      decode({ ...message({ key: { id: 'x' }, value: {} }), value: fixture('transaction-begin.json') }),
    ).toEqual([]);
  });

  it('rejects what is not a Debezium event with a non-retriable error naming the offset', () => {
    const bad = [
      { ...message({ value: {} }), value: Buffer.from('not json'), offset: '42' },
      { ...message({ value: [1, 2] }), offset: '42' },
      { ...message({ value: { hello: 1 } }), offset: '42' },
      { ...message({ value: envelope({ op: 'c' }) }), offset: '42' },
      { ...message({ value: { ...envelope({ op: 'c', after: { id: 1 } }), op: 'x' } }), offset: '42' },
      { ...message({ key: [1], value: envelope({ op: 'c', after: { id: 1 } }) }), offset: '42' },
    ];
    for (const m of bad) {
      let caught: unknown;
      try {
        decode(m);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(CuttleError);
      expect(caught).toMatchObject({
        code: 'BAD_REQUEST',
        retriable: false,
        details: { offset: '42', partition: 0 },
      });
    }
  });

  it('names the path of each malformed field on one line', () => {
    const good = envelope({ op: 'c', after: { id: 1 } }) as { source: Record<string, unknown> };
    const bad = { ...good, source: { ...good.source, ts_ms: 'soon' } };
    let caught: unknown;
    try {
      decode(message({ value: bad }));
    } catch (err) {
      caught = err;
    }
    expect((caught as CuttleError).message).toMatch(
      /malformed data-change envelope: ✖ .* → at source\.ts_ms$/,
    );
  });

  it('refuses invalid UTF-8 instead of repairing it', () => {
    const good = message({ key: { id: 1 }, value: envelope({ op: 'c', after: { id: 1, name: 'ok' } }) });
    const text = (good.value ?? Buffer.alloc(0)).toString('utf8');
    const at = text.indexOf('ok');
    // 0xC3 0x28: a lead byte followed by a byte that cannot continue it.
    const value = Buffer.concat([
      Buffer.from(text.slice(0, at)),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(text.slice(at + 2)),
    ]);
    let caught: unknown;
    try {
      decode({ ...good, value });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CuttleError);
    expect((caught as CuttleError).message).toContain('value is not valid UTF-8');
    expect(decode(good)).toHaveLength(1);
  });

  it('returns the same result through the async port', async () => {
    const m = message({ key: { id: 1 }, value: envelope({ op: 'c', after: { id: 1 } }) });
    await expect(decoder.decode(m)).resolves.toEqual(decode(m));
    await expect(decoder.decode({ ...m, value: Buffer.from('{') })).rejects.toBeInstanceOf(CuttleError);
  });
});

// Found by the decoder fuzz (decoder-fuzz-json.test.ts): the exact parser turns a number a double
// cannot carry into an ExactNumber object, which passed the envelope's "row is an object" check,
// so `"after": 1e400` became an upsert whose values were a number.
describe('regression: an exact number where a row belongs is a poison event', () => {
  for (const [op, part] of [
    ['c', 'after'],
    ['u', 'after'],
    ['d', 'before'],
  ] as const) {
    it(`op ${op} with ${part} 18446744073709551616 or 1e400`, () => {
      for (const number of ['18446744073709551616', '1e400', `1${'0'.repeat(400)}`]) {
        const m = message({ key: { id: 1 }, value: envelope({ op, [part]: raw(number) }) });
        let thrown: unknown;
        try {
          decode(m);
        } catch (err) {
          thrown = err;
        }
        expect(thrown).toBeInstanceOf(CuttleError);
        expect(thrown).toMatchObject({ code: 'BAD_REQUEST', retriable: false });
        expect((thrown as Error).message).toContain(part);
      }
    });
  }
});

/** What decoding `m` throws (the test fails when it decodes). */
function thrownBy(m: Parameters<typeof decode>[0]): unknown {
  try {
    decode(m);
  } catch (err) {
    return err;
  }
  return expect.fail('decoded, where a poison event was expected');
}

// Found by the decoder fuzz too: the same ExactNumber passed keyRow's object check, so a key
// payload of 1e400 became a record's key.
describe('regression: an exact number where the key belongs is a poison event', () => {
  it.each(['18446744073709551616', '1e400'])('key payload %s', (number) => {
    const m = message({ key: raw(number), value: envelope({ op: 'c', after: { id: 1 } }) });
    expect(thrownBy(m)).toMatchObject({ code: 'BAD_REQUEST', retriable: false });
    const wrapped = message({ key: { id: 1 }, value: envelope({ op: 'c', after: { id: 1 } }), withSchema });
    const key = Buffer.from(`{"schema":{"type":"int64"},"payload":${number}}`);
    expect(thrownBy({ ...wrapped, key })).toMatchObject({
      message: expect.stringContaining('key is not an object'),
    });
  });
});

// Found by the decoder fuzz: an update compares its key columns before and after, and the
// comparison rendered a nested value with JSON.stringify: 20,000 levels overflowed the stack
// (a RangeError, not a poison event).
describe('regression: a nested value in a primary-key column of an update is a poison event', () => {
  it.each([3, 20_000])('nested %i deep', (depth) => {
    // Written out: every number safe, so the native parser alone reads it (as the fuzz's event).
    const nested = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const source = '{"db":"ctl","table":"widgets","ts_ms":1,"file":"f","pos":1,"row":0}';
    const value = `{"before":{"id":1,"n":2},"after":{"id":${nested},"n":2},"source":${source},"op":"u"}`;
    const m = { ...message({ key: { id: 1 }, value: {} }), value: Buffer.from(value) };
    const thrown = thrownBy(m);
    expect(thrown).toBeInstanceOf(CuttleError);
    expect(thrown).toMatchObject({ code: 'BAD_REQUEST', retriable: false });
  });

  it('names the key column', () => {
    const m = message({
      key: { id: 1 },
      value: envelope({ op: 'u', before: { id: 1 }, after: { id: [1] } }),
    });
    expect(thrownBy(m)).toMatchObject({
      message: expect.stringContaining('primary-key column "id" holds a nested value'),
    });
  });
});
