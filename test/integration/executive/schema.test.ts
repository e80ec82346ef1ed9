/** Schema changes: each is its own ledger batch; retries after a half-done DDL converge. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addColumnSql, createFamilyTableSql } from '../../../lib/ctldb/family-sql.ts';
import { CtldbLedgerSource } from '../../../lib/ctldb/ledger-source.ts';
import { CTLDB_DIALECTS } from '../../support/ctldb.ts';
import { startTestExecutive, type TestExecutive, type WriterCredentials } from '../../support/executive.ts';

interface Seq {
  seq: number;
}

describe.each(CTLDB_DIALECTS)('schema changes on %s', (dialect) => {
  let ex: TestExecutive;
  let writer: WriterCredentials;
  const ledger = () => new CtldbLedgerSource(ex.db.ctldb).readAfter(0, 10_000);

  beforeAll(async () => {
    ex = await startTestExecutive(dialect);
    writer = await ex.registerWriter('schema-writer');
  });
  afterAll(() => ex.close());

  it('creates families and tables, and describes them', async () => {
    expect((await ex.admin('POST', '/families/crm')).status).toBe(201);
    expect((await ex.admin<{ error: { code: string } }>('POST', '/families/crm')).body.error.code).toBe(
      'FAMILY_EXISTS',
    );
    const created = await ex.admin<Seq>('POST', '/families/crm/tables/people', {
      fields: [['id', 'integer'], { name: 'email', type: 'string' }],
      keyFields: ['id'],
    });
    expect(created.status).toBe(201);
    const entry = (await ledger()).find((e) => e.seq === created.body.seq);
    expect(entry).toMatchObject({
      op: 'create_table',
      family: 'crm',
      table: 'people',
      batchSeq: created.body.seq,
      batchEnd: true,
    });
    expect(entry?.payload).toEqual({
      fields: [
        ['id', 'integer'],
        ['email', 'string'],
      ],
      keyFields: ['id'],
    });
    const table = await ex.request<Record<string, unknown>>('GET', '/families/crm/tables/people');
    expect(table.body).toMatchObject({
      family: 'crm',
      table: 'people',
      keyFields: ['id'],
      fields: [
        { name: 'id', type: 'integer' },
        { name: 'email', type: 'string' },
      ],
    });
    expect((await ex.request<{ families: string[] }>('GET', '/families')).body.families).toContain('crm');
    expect((await ex.request<{ tables: unknown[] }>('GET', '/families/crm')).body.tables).toHaveLength(1);
    expect(
      (await ex.request<{ families: { family: string }[] }>('GET', '/schema')).body.families.map(
        (f) => f.family,
      ),
    ).toContain('crm');
    expect(
      (
        await ex.admin<{ error: { code: string } }>('POST', '/families/nope/tables/people', {
          fields: [['id', 'integer']],
          keyFields: ['id'],
        })
      ).body.error.code,
    ).toBe('FAMILY_NOT_FOUND');
  });

  it('adds several fields atomically in one ledger entry; old rows read NULL', async () => {
    await ex.mutate(writer, 'crm', { mutations: [{ table: 'people', values: { id: 1, email: 'a@x' } }] });
    const added = await ex.admin<Seq>('POST', '/families/crm/tables/people/fields', {
      fields: [
        ['name', 'text'],
        ['score', 'integer'],
      ],
    });
    expect(added.status).toBe(200);
    const entry = (await ledger()).find((e) => e.seq === added.body.seq);
    expect(entry).toMatchObject({
      op: 'add_fields',
      payload: {
        fields: [
          ['name', 'text'],
          ['score', 'integer'],
        ],
      },
    });
    const row = await ex.admin<{ row: unknown }>('POST', '/families/crm/tables/people/rows/get', {
      key: { id: 1 },
    });
    expect(row.body.row).toEqual({ id: 1, email: 'a@x', name: null, score: null });
    const again = await ex.admin<{ error: { code: string } }>('POST', '/families/crm/tables/people/fields', {
      fields: [['name', 'text']],
    });
    expect(again.body.error.code).toBe('FIELD_EXISTS');
    const write = await ex.mutate(writer, 'crm', {
      mutations: [{ table: 'people', values: { id: 2, name: 'Bo', score: 7 } }],
    });
    expect(write.status).toBe(200);
  });

  it('converges when an earlier attempt left DDL behind without a catalog entry', async () => {
    const { ctldb } = ex.db;
    // As if a create_table's DDL ran with another definition but its transaction never committed.
    await ctldb.ddl(
      createFamilyTableSql(ctldb.dialect, {
        family: 'crm',
        table: 'orphan',
        fields: [{ name: 'x', type: 'string' }],
        keyFields: ['x'],
      }),
    );
    const created = await ex.admin('POST', '/families/crm/tables/orphan', {
      fields: [
        ['id', 'integer'],
        ['v', 'text'],
      ],
      keyFields: ['id'],
    });
    expect(created.status).toBe(201);
    expect((await ctldb.columnsOf('crm___orphan')).sort()).toEqual(['id', 'v']);
    // As if add_fields added a column of another type and then failed.
    await ctldb.ddl(addColumnSql(ctldb.dialect, 'crm___orphan', { name: 'extra', type: 'binary' }));
    const added = await ex.admin('POST', '/families/crm/tables/orphan/fields', {
      fields: [['extra', 'integer']],
    });
    expect(added.status).toBe(200);
    const write = await ex.mutate(writer, 'crm', {
      mutations: [{ table: 'orphan', values: { id: 1, v: 'x', extra: '-5' } }],
    });
    expect(write.status).toBe(200);
    const row = await ex.admin<{ row: unknown }>('POST', '/families/crm/tables/orphan/rows/get', {
      key: { id: 1 },
    });
    expect(row.body.row).toEqual({ id: 1, v: 'x', extra: -5 });
  });

  it('clears and drops a table with confirmation, each as its own ledger batch', async () => {
    const cleared = await ex.admin<Seq>('POST', '/families/crm/tables/people/clear?confirm=crm.people');
    expect(cleared.status).toBe(200);
    const scan = await ex.admin<{ rows: unknown[] }>('POST', '/families/crm/tables/people/rows/scan', {});
    expect(scan.body.rows).toEqual([]);
    const dropped = await ex.admin<Seq>('DELETE', '/families/crm/tables/people?confirm=crm.people');
    expect(dropped.status).toBe(200);
    const ops = (await ledger()).filter((e) => e.seq >= cleared.body.seq).map((e) => [e.op, e.batchEnd]);
    expect(ops).toEqual([
      ['clear_table', true],
      ['drop_table', true],
    ]);
    const write = await ex.mutate<{ error: { code: string } }>(writer, 'crm', {
      mutations: [{ table: 'people', values: { id: 1 } }],
    });
    expect(write.body.error.code).toBe('TABLE_NOT_FOUND');
    expect(
      (
        await ex.admin<{ error: { code: string } }>(
          'DELETE',
          '/families/crm/tables/people?confirm=crm.people',
        )
      ).body.error.code,
    ).toBe('TABLE_NOT_FOUND');
    // The name can be used again, with a new definition.
    expect(
      (await ex.admin('POST', '/families/crm/tables/people', { fields: [['k', 'string']], keyFields: ['k'] }))
        .status,
    ).toBe(201);
    expect(
      (await ex.mutate(writer, 'crm', { mutations: [{ table: 'people', values: { k: 'x' } }] })).status,
    ).toBe(200);
  });
});
