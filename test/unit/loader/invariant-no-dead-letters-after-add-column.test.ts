/**
 * Chaos invariant "dead-letter counts are zero", broken by a chaos run: after an origin ADD COLUMN
 * the loaders followed the schema change and rebuilt their consumers on the new mapping, which
 * repositioned the table's partition at ctldb's offset; the events written before the ADD COLUMN
 * were read again, lacked the new column, and were taken for a dropped column: dead letter, halted
 * partition. A column added by a schema change now records where (`since`, a binlog key), and
 * only events after that point must have it.
 */
import { describe, expect, it } from 'vitest';
import type { UpsertRecord } from '../../../services/loader/decode/change-record.ts';
import { planSchemaChange } from '../../../services/loader/mapping/schema-plan.ts';
import { sourceConfigSchema } from '../../../services/loader/mapping/source-config.ts';
import { SourceMapper } from '../../../services/loader/mapping/source-mapper.ts';

const ADDED_AT = '0000000001:00000000000000005000:0000000000';

function mapper(): SourceMapper {
  return new SourceMapper(
    sourceConfigSchema.parse({
      name: 'fleet',
      tables: [
        {
          source: { database: 'origin', table: 'items' },
          target: { family: 'fleet', table: 'items' },
          columns: [
            { name: 'id', type: 'bigint(20)' },
            { name: 'name', type: 'varchar(64)' },
            { name: 'x_new', type: 'varchar(40)', since: ADDED_AT },
          ],
          keyColumns: ['id'],
        },
      ],
    }),
  );
}

const upsertAt = (pos: number, values: Record<string, unknown>): UpsertRecord => ({
  kind: 'upsert',
  op: 'u',
  sourceTable: { database: 'origin', table: 'items' },
  position: { file: 'mariadb-bin.000001', pos, row: 0, gtid: null, snapshot: false, txOrder: 1 },
  sourceTsMs: 1,
  key: null,
  values,
  columns: null,
  primaryKeyChange: false,
});

describe('invariant: dead letters stay at zero when events from before an ADD COLUMN are read again', () => {
  it('maps an event from before the column was added, with the column null', () => {
    expect(mapper().map(upsertAt(4000, { id: 1, name: 'a' }))).toEqual({
      kind: 'mutations',
      family: 'fleet',
      mutations: [{ table: 'items', op: 'upsert', values: { id: 1, name: 'a', x_new: null } }],
    });
  });

  it('still calls the column missing in an event after it was added', () => {
    expect(mapper().map(upsertAt(6000, { id: 1, name: 'a' }))).toMatchObject({
      kind: 'schema-drift',
      missing: ['x_new'],
    });
  });

  it('records where a schema change added a column, and keeps it through later changes', () => {
    const m = mapper();
    const table = m.table({ database: 'origin', table: 'items' });
    if (table === undefined) throw new Error('no items mapping');
    const column = (name: string, typeName: string, length: number | null) => ({
      name,
      jdbcType: 12,
      typeName,
      typeExpression: typeName,
      length,
      scale: null,
      optional: true,
      enumValues: null,
    });
    const change = {
      type: 'ALTER' as const,
      sourceTable: { database: 'origin', table: 'items' },
      primaryKeyColumns: ['id'],
      columns: [
        { ...column('id', 'BIGINT', 20), jdbcType: -5, optional: false },
        column('name', 'VARCHAR', 64),
        column('x_new', 'VARCHAR', 40),
        column('x_newer', 'VARCHAR', 40),
      ],
    };
    const later = '0000000001:00000000000000009000:0000000000';
    const plan = planSchemaChange(table, change, 'add-columns', m.config.encodings, later);
    expect(plan.action).toBe('apply');
    if (plan.action !== 'apply') return;
    expect(plan.mapping.columns.map((c) => [c.name, c.since])).toEqual([
      ['id', undefined],
      ['name', undefined],
      ['x_new', ADDED_AT],
      ['x_newer', later],
    ]);
  });
});
