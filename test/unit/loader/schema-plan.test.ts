import { describe, expect, it } from 'vitest';
import type { SchemaColumn, TableChange } from '../../../services/loader/decode/change-record.ts';
import { DEFAULT_ENCODINGS } from '../../../services/loader/mapping/encodings.ts';
import { planSchemaChange } from '../../../services/loader/mapping/schema-plan.ts';
import {
  tableMappingSchema,
  type TableMappingConfig,
} from '../../../services/loader/mapping/source-config.ts';
import { compileTableMapping } from '../../../services/loader/mapping/table-mapping.ts';

const config: TableMappingConfig = {
  source: { database: 'ctl', table: 'widgets' },
  target: { family: 'shop', table: 'widgets' },
  columns: [
    { name: 'id', type: 'bigint(20)' },
    { name: 'name', type: 'varchar(100)' },
  ],
  keyColumns: ['id'],
};
const table = compileTableMapping(tableMappingSchema.parse(config), DEFAULT_ENCODINGS);

const col = (
  name: string,
  typeName: string,
  length: number | null = null,
  scale: number | null = null,
): SchemaColumn => ({
  name,
  typeName,
  typeExpression: typeName,
  length,
  scale,
  optional: true,
  enumValues: null,
});
const id = col('id', 'BIGINT', 20);
const name = col('name', 'VARCHAR', 100);
const change = (columns: SchemaColumn[], extra: Partial<TableChange> = {}): TableChange => ({
  type: 'ALTER',
  sourceTable: { database: 'ctl', table: 'widgets' },
  primaryKeyColumns: ['id'],
  columns,
  ...extra,
});

describe('planSchemaChange', () => {
  it('does nothing when the columns did not change', () => {
    expect(planSchemaChange(table, change([id, name]), 'hold', DEFAULT_ENCODINGS)).toEqual({
      action: 'none',
    });
  });

  it('adds new columns as fields when the source allows it', () => {
    const plan = planSchemaChange(
      table,
      change([id, name, col('colour', 'VARCHAR', 20), col('note', 'TEXT')]),
      'add-columns',
      DEFAULT_ENCODINGS,
    );
    expect(plan).toMatchObject({
      action: 'apply',
      addFields: [
        { name: 'colour', type: 'string' },
        { name: 'note', type: 'text' },
      ],
      mapping: {
        columns: [
          { name: 'id' },
          { name: 'name' },
          { name: 'colour', type: 'varchar(20)' },
          { name: 'note', type: 'text' },
        ],
      },
    });
  });

  it('holds new columns, with the reason, when the source holds schema changes', () => {
    expect(
      planSchemaChange(table, change([id, name, col('colour', 'VARCHAR', 20)]), 'hold', DEFAULT_ENCODINGS),
    ).toEqual({
      action: 'hold',
      reason: 'origin columns colour were added to ctl.widgets; the source holds schema changes',
    });
  });

  it('holds a new column it cannot map, suggesting to exclude it', () => {
    const plan = planSchemaChange(
      table,
      change([id, name, col('shape', 'GEOMETRY')]),
      'add-columns',
      DEFAULT_ENCODINGS,
    );
    expect(plan).toMatchObject({
      action: 'hold',
      reason: expect.stringMatching(/spatial types.*exclude the column to let the rest through/),
    });
  });

  it('accepts a widened column that keeps its field type, and holds one that changes it', () => {
    expect(
      planSchemaChange(table, change([id, col('name', 'VARCHAR', 150)]), 'hold', DEFAULT_ENCODINGS),
    ).toMatchObject({
      action: 'apply',
      addFields: [],
      mapping: { columns: [{ name: 'id' }, { name: 'name', type: 'varchar(150)' }] },
    });
    expect(
      planSchemaChange(table, change([id, col('name', 'VARCHAR', 500)]), 'add-columns', DEFAULT_ENCODINGS),
    ).toEqual({
      action: 'hold',
      reason: expect.stringMatching(
        /^column name changed to varchar\(500\), which maps to text, but field name is string; .*cuttle sources resolve/,
      ),
    });
  });

  it('holds narrowed and retyped columns: MariaDB rewrote their values without row events', () => {
    expect(
      planSchemaChange(table, change([id, col('name', 'VARCHAR', 10)]), 'hold', DEFAULT_ENCODINGS),
    ).toEqual({
      action: 'hold',
      reason: expect.stringMatching(
        /^column name of ctl\.widgets changed from varchar\(100\) to varchar\(10\), and MariaDB rewrote its values.*`cuttle sources resolve <source> <database\.table>`/,
      ),
    });
    expect(
      planSchemaChange(table, change([col('id', 'INT', 11), name]), 'hold', DEFAULT_ENCODINGS),
    ).toMatchObject({
      action: 'hold',
      reason: expect.stringContaining('changed from bigint(20) to int(11)'),
    });
  });

  it('holds dropped columns, key changes and dropped tables', () => {
    expect(planSchemaChange(table, change([id]), 'add-columns', DEFAULT_ENCODINGS)).toMatchObject({
      action: 'hold',
      reason: expect.stringContaining('name of ctl.widgets were dropped or renamed'),
    });
    expect(
      planSchemaChange(
        table,
        change([id, name], { primaryKeyColumns: ['id', 'name'] }),
        'add-columns',
        DEFAULT_ENCODINGS,
      ),
    ).toMatchObject({
      action: 'hold',
      reason: 'the primary key of ctl.widgets changed from (id) to (id, name)',
    });
    expect(planSchemaChange(table, change([], { type: 'DROP' }), 'add-columns', DEFAULT_ENCODINGS)).toEqual({
      action: 'hold',
      reason: 'origin table ctl.widgets was dropped',
    });
  });
});
