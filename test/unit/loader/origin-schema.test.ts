import { describe, expect, it } from 'vitest';
import { tableMappingFromOrigin } from '../../../services/loader/sources/origin-schema.ts';

describe('tableMappingFromOrigin', () => {
  const columns = [
    { name: 'region', type: 'varbinary(16)', position: 2, keyPosition: 2 },
    { name: 'id', type: 'bigint(20) unsigned', position: 1, keyPosition: 1 },
    { name: 'Name', type: 'varchar(50)', position: 3, keyPosition: null },
  ];

  it('keeps origin column order and primary-key order', () => {
    expect(tableMappingFromOrigin({ database: 'ctl', table: 'Widgets', family: 'shop' }, columns)).toEqual({
      source: { database: 'ctl', table: 'Widgets' },
      target: { family: 'shop', table: 'widgets' },
      columns: [
        { name: 'id', type: 'bigint(20) unsigned' },
        { name: 'region', type: 'varbinary(16)' },
        { name: 'Name', type: 'varchar(50)' },
      ],
      keyColumns: ['id', 'region'],
      exclude: [],
      renames: {},
    });
  });

  it('passes the operator’s choices through', () => {
    const mapping = tableMappingFromOrigin(
      {
        database: 'ctl',
        table: 'w',
        family: 'shop',
        targetTable: 'things',
        include: ['id', 'region'],
        renames: { id: 'ident' },
      },
      columns,
    );
    expect(mapping).toMatchObject({
      target: { table: 'things' },
      include: ['id', 'region'],
      renames: { id: 'ident' },
    });
  });

  it('refuses a missing table and a table without a key', () => {
    expect(() => tableMappingFromOrigin({ database: 'ctl', table: 'nope', family: 'shop' }, [])).toThrow(
      /ctl\.nope does not exist/,
    );
    const keyless = columns.map((c) => ({ ...c, keyPosition: null }));
    expect(() => tableMappingFromOrigin({ database: 'ctl', table: 'w', family: 'shop' }, keyless)).toThrow(
      /no primary key/,
    );
    expect(
      tableMappingFromOrigin({ database: 'ctl', table: 'w', family: 'shop', keyColumns: ['id'] }, keyless)
        .keyColumns,
    ).toEqual(['id']);
  });
});
