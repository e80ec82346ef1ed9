/**
 * The mapping plan over a fake origin (the real one is in test/integration/loader/sources.test.ts):
 * an INET6 column anywhere in the captured database is refused, elsewhere on the server warned,
 * since Debezium's DDL parser stops the connector at its table's definition. (No INET6 table is
 * ever created on the shared stack's origin: it would stop every connector reading it.)
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENCODINGS } from '../../../services/loader/mapping/encodings.ts';
import type { OriginColumn } from '../../../services/loader/sources/origin-schema.ts';
import { planSource, type OriginSchemaReader } from '../../../services/loader/sources/source-plan.ts';

function origin(inet6: { db: string; tbl: string; col: string }[]): OriginSchemaReader {
  const columns: OriginColumn[] = [
    { name: 'id', type: 'int(11)', position: 1, keyPosition: 1, nullable: false, defaultValue: null },
    { name: 'v', type: 'varchar(10)', position: 2, keyPosition: null, nullable: true, defaultValue: null },
  ];
  return {
    columns: () => Promise.resolve(columns),
    query: (sql) => Promise.resolve(sql.includes("DATA_TYPE = 'inet6'") ? inet6 : []),
  };
}

const request = {
  name: 'shop',
  database: 'ctl',
  tables: [{ table: 'items', family: 'shop' }],
  config: { name: 'shop', format: 'json' as const, encodings: DEFAULT_ENCODINGS },
};

describe('planSource', () => {
  it('maps a plain table without refusals', async () => {
    const plan = await planSource(request, origin([]));
    expect(plan.refusals).toEqual([]);
    expect(plan.tables[0]?.columns.map((c) => [c.column, c.status, c.fieldType])).toEqual([
      ['id', 'mapped', 'integer'],
      ['v', 'mapped', 'string'],
    ]);
  });

  it('refuses an INET6 column in the captured database and warns about one elsewhere', async () => {
    const plan = await planSource(
      request,
      origin([
        { db: 'ctl', tbl: 'devices', col: 'addr' },
        { db: 'other', tbl: 'hosts', col: 'ip' },
      ]),
    );
    expect(plan.refusals).toEqual([
      {
        code: 'INVALID_FIELD_TYPE',
        table: 'ctl.devices',
        message: expect.stringMatching(
          /^column ctl\.devices\.addr is INET6, .*change it to BINARY\(16\)/,
        ) as unknown,
      },
    ]);
    expect(plan.warnings).toEqual([
      expect.stringMatching(/^column other\.hosts\.ip is INET6, .*another database/),
    ]);
  });
});
