import { describe, expect, it } from 'vitest';
import type {
  ChangeRecord,
  DeleteRecord,
  UpsertRecord,
} from '../../../services/loader/decode/change-record.ts';
import { ExactNumber } from '../../../services/loader/decode/exact-json.ts';
import {
  sourceConfigSchema,
  type TableMappingConfig,
} from '../../../services/loader/mapping/source-config.ts';
import { SourceMapper } from '../../../services/loader/mapping/source-mapper.ts';
import { thrownBy } from './helpers.ts';

const widgets: TableMappingConfig = {
  source: { database: 'ctl', table: 'Widgets' },
  target: { family: 'shop', table: 'widgets' },
  columns: [
    { name: 'id', type: 'bigint(20) unsigned' },
    { name: 'region', type: 'varbinary(16)' },
    { name: 'order', type: 'int(11)' },
    { name: 'select', type: 'varchar(10)' },
    { name: 'Price', type: 'decimal(10,2)' },
    { name: 'secret', type: 'varchar(50)' },
    { name: 'shape', type: 'geometry' },
  ],
  keyColumns: ['id', 'region'],
  exclude: ['secret', 'shape'],
  renames: { Price: 'price_usd' },
};

function mapper(tables: TableMappingConfig[] = [widgets], extra: Record<string, unknown> = {}): SourceMapper {
  return new SourceMapper(
    sourceConfigSchema.parse({
      name: 'origin',
      encodings: { decimalHandlingMode: 'string' },
      tables,
      ...extra,
    }),
  );
}

const base = {
  sourceTable: { database: 'ctl', table: 'Widgets' },
  position: { file: 'mariadb-bin.000001', pos: 4, row: 0, gtid: null, snapshot: false, txOrder: null },
  sourceTsMs: 1,
  columns: null,
  primaryKeyChange: false,
};
const row = {
  id: 9007199254740993n,
  region: 'AAEA',
  order: 3,
  select: 'x',
  Price: '12.30',
  secret: 's3cr3t',
  shape: 'AQID',
};
const upsert = (values: Record<string, unknown>): UpsertRecord => ({
  ...base,
  kind: 'upsert',
  op: 'c',
  key: null,
  values,
});
const del = (values: Record<string, unknown>, key: Record<string, unknown> | null = null): DeleteRecord => ({
  ...base,
  kind: 'delete',
  key,
  values,
});

describe('SourceMapper', () => {
  it('maps an upsert with renames, exclusions and reserved-word field names', () => {
    expect(mapper().map(upsert(row))).toEqual({
      kind: 'mutations',
      family: 'shop',
      mutations: [
        {
          table: 'widgets',
          op: 'upsert',
          values: { id: '9007199254740993', region: 'AAEA', order: 3, select: 'x', price_usd: '12.3' },
        },
      ],
    });
  });

  it('exposes the cuttle table schema and the registration warnings', () => {
    const [table] = mapper().tables;
    expect(table?.schema).toEqual({
      family: 'shop',
      table: 'widgets',
      fields: [
        { name: 'id', type: 'integer' },
        { name: 'region', type: 'bytestring' },
        { name: 'order', type: 'integer' },
        { name: 'select', type: 'string' },
        { name: 'price_usd', type: 'decimal' },
      ],
      keyFields: ['id', 'region'],
    });
    expect(table?.warnings).toEqual([expect.stringContaining('BIGINT UNSIGNED')]);
  });

  it('rejects an unsigned key above 2^63-1 as poison, naming the field', () => {
    expect(thrownBy(() => mapper().map(upsert({ ...row, id: new ExactNumber('-1') })))).toMatchObject({
      code: 'INTEGER_OUT_OF_RANGE',
      retriable: false,
      details: expect.objectContaining({ field: 'id' }),
    });
  });

  it('maps a delete from the before image, falling back to the Kafka key', () => {
    const withKey = mapper([{ ...widgets, keyColumns: ['order'] }]);
    expect(withKey.map(del({ order: 7 }))).toMatchObject({
      mutations: [{ table: 'widgets', op: 'delete', key: { order: 7 } }],
    });
    expect(withKey.map(del({}, { order: 8 }))).toMatchObject({
      mutations: [{ op: 'delete', key: { order: 8 } }],
    });
  });

  it('refuses a null key', () => {
    expect(thrownBy(() => mapper().map(upsert({ ...row, region: null })))).toMatchObject({
      code: 'MISSING_KEY_FIELD',
    });
    expect(() => mapper().map(del({ id: 1 }))).toThrow(/key column region of ctl\.Widgets is null/);
  });

  it('reports columns it does not know, and mapped columns that are gone, instead of guessing', () => {
    expect(mapper().map(upsert({ ...row, colour: 'red' }))).toMatchObject({
      kind: 'schema-drift',
      added: ['colour'],
      missing: [],
    });
    const withoutSelect: Record<string, unknown> = { ...row };
    delete withoutSelect.select;
    expect(mapper().map(upsert(withoutSelect))).toMatchObject({
      kind: 'schema-drift',
      added: [],
      missing: ['select'],
    });
  });

  it('ignores unknown columns when the mapping lists the columns it includes', () => {
    const including = mapper([{ ...widgets, include: ['id', 'region', 'order'], exclude: [] }]);
    expect(including.map(upsert({ ...row, colour: 'red' }))).toMatchObject({
      mutations: [{ values: { id: '9007199254740993', region: 'AAEA', order: 3 } }],
    });
  });

  it('passes through records it cannot turn into mutations', () => {
    const m = mapper();
    const other: ChangeRecord = { ...upsert(row), sourceTable: { database: 'ctl', table: 'other' } };
    expect(m.map(other)).toEqual({ kind: 'unmapped', sourceTable: { database: 'ctl', table: 'other' } });
    expect(m.map({ ...base, kind: 'truncate' })).toMatchObject({
      kind: 'truncate',
      table: { schema: { table: 'widgets' } },
    });
    const schema: ChangeRecord = { ...base, kind: 'schema', ddl: 'ALTER TABLE x', tableChanges: [] };
    expect(m.map(schema)).toEqual({ kind: 'schema', record: schema });
  });

  it('lists every problem of a mapping at once', () => {
    const broken: TableMappingConfig = {
      source: { database: 'ctl', table: 'bad' },
      target: { family: 'shop', table: 'bad' },
      columns: [
        { name: 'id', type: 'decimal(10,0)' },
        { name: 'Name-With-Dash', type: 'varchar(10)' },
        { name: 'shape', type: 'polygon' },
        { name: 'a', type: 'int(11)' },
        { name: 'A2', type: 'int(11)' },
      ],
      keyColumns: ['id', 'missing'],
      exclude: ['nope'],
      renames: { A2: 'a' },
    };
    let error: unknown;
    try {
      mapper([broken]);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ details: { sourceTable: 'ctl.bad' } });
    const problems = (error as { details: { problems: string[] } }).details.problems;
    expect(problems).toEqual([
      'keyColumns names column missing, which bad does not have',
      'exclude names column nope, which bad does not have',
      expect.stringMatching(/ctl\.bad\.id \(decimal\(10,0\)\) cannot be mapped: it is a key column/),
      expect.stringMatching(
        /column Name-With-Dash maps to field "name-with-dash", which is not a valid field name; add a rename/,
      ),
      expect.stringMatching(/ctl\.bad\.shape \(polygon\) cannot be mapped: spatial types/),
      'columns a and A2 both map to field a',
    ]);
  });

  it('refuses an encoding that would round decimals', () => {
    const config = sourceConfigSchema.parse({
      name: 'o',
      encodings: { decimalHandlingMode: 'double' },
      tables: [widgets],
    });
    expect(() => new SourceMapper(config)).toThrow(/decimal\.handling\.mode=double rounds decimals/);
  });

  it('refuses an invalid target table name', () => {
    expect(() => mapper([{ ...widgets, target: { family: 'shop', table: 'Widgets!' } }])).toThrow(
      /table name "Widgets!"/,
    );
  });
});
