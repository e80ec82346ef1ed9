import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../../lib/ldb/catalog.ts';
import { positionFromRow, SELECT_POSITION_SQL } from '../../../lib/ldb/layout.ts';
import type { TableSchema } from '../../../lib/schema/types.ts';
import { INT64_MAX, INT64_MIN } from '../../../lib/schema/values.ts';
import { thrownCuttleError as thrown } from '../../support/errors.ts';
import { dumpDb } from '../../support/ldb.ts';
import { op } from '../../support/ledger-fixture.ts';
import { memoryLdb } from './memory-ldb.ts';

const prices: TableSchema = {
  family: 'shop',
  table: 'prices',
  fields: [
    { name: 'id', type: 'integer' },
    { name: 'name', type: 'string' },
    { name: 'price', type: 'decimal' },
    { name: 'tag', type: 'bytestring' },
    { name: 'note', type: 'text' },
    { name: 'blob', type: 'binary' },
  ],
  keyFields: ['name', 'id'],
};

describe('LdbApplier', () => {
  it('stores every type exactly and keeps keys byte-exact', () => {
    const { db, applier, batch } = memoryLdb();
    const rows = [
      {
        id: INT64_MAX,
        name: 'a',
        price: '12345678901234567890.123456789',
        tag: Buffer.from([0]),
        note: '😀',
        blob: Buffer.alloc(0),
      },
      {
        id: INT64_MIN,
        name: 'A',
        price: '-0.5',
        tag: Buffer.from([0, 0]),
        note: '',
        blob: Buffer.from([255]),
      },
      { id: 2n ** 53n + 1n, name: 'a ', price: '0', tag: null, note: null, blob: null },
    ];
    applier.apply(batch([op.createTable(prices), ...rows.map((r) => op.upsert(prices, r))]));
    const stored = dumpDb(db)['shop___prices']?.rows;
    expect(stored).toHaveLength(3);
    expect(stored).toEqual(expect.arrayContaining(rows));
    const types = db.prepare<{ t: string }>(`SELECT typeof(id) AS t FROM shop___prices`).all();
    expect(types.every((r) => r.t === 'integer')).toBe(true);
  });

  it('applies a batch with its position in one transaction: a failing entry leaves nothing', () => {
    const { db, applier, batch } = memoryLdb();
    applier.apply(batch([op.createTable(prices)]));
    const bad = batch([
      op.upsert(prices, { id: 1n, name: 'x' }),
      { family: 'shop', table: 'missing', op: 'upsert', payload: { values: { id: '1' } } },
    ]);
    const error = thrown(() => applier.apply(bad));
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toContain('shop.missing');
    expect(dumpDb(db)['shop___prices']?.rows).toEqual([]);
    expect(positionFromRow(db.prepare(SELECT_POSITION_SQL).get()).seq).toBe(1);
    expect(applier.position.seq).toBe(1);
  });

  it('refuses a batch that does not follow the position (LEDGER_GAP) and never skips', () => {
    const { applier, batch } = memoryLdb();
    applier.apply(batch([op.createTable(prices)]));
    batch([op.heartbeat()]); // seq 2 is never applied
    const error = thrown(() => applier.apply(batch([op.heartbeat()])));
    expect(error.code).toBe('LEDGER_GAP');
    expect(error.details).toEqual({ expectedSeq: 2, foundSeq: 3 });
    expect(applier.position.seq).toBe(1);
  });

  it('applies schema changes and keeps each table incarnation in the catalog', () => {
    const { db, applier, batch } = memoryLdb();
    applier.apply(batch([op.createTable(prices), op.upsert(prices, { id: 1n, name: 'a' })]));
    const added = applier.apply(batch([op.addFields(prices, [{ name: 'extra', type: 'integer' }])]));
    expect(added.schemaChanged).toBe(true);
    expect(dumpDb(db)['shop___prices']?.rows[0]).toMatchObject({ id: 1n, extra: null });
    const other: TableSchema = { ...prices, fields: [{ name: 'code', type: 'string' }], keyFields: ['code'] };
    applier.apply(batch([op.dropTable(prices), op.createTable(other), op.upsert(other, { code: 'x' })]));
    expect(dumpDb(db)['shop___prices']?.rows).toEqual([{ code: 'x' }]);
    expect(readCatalog(db).map((e) => [e.createdSeq, e.droppedSeq, e.schema.keyFields])).toEqual([
      [1, 4, ['name', 'id']],
      [5, null, ['code']],
    ]);
    expect(applier.position.catalogVersion).toBe(4);
    applier.apply(batch([op.clearTable(other)]));
    expect(dumpDb(db)['shop___prices']?.rows).toEqual([]);
  });

  it('records heartbeats as the staleness anchor and reports row changes, not heartbeats', () => {
    const { applier, batch } = memoryLdb();
    const result = applier.apply(
      batch([op.createTable(prices), op.heartbeat(), op.upsert(prices, { id: 7n, name: 'b' })], 5000),
    );
    expect(applier.position).toMatchObject({ seq: 3, committedAt: 5000, heartbeatAt: 5000 });
    expect(result.changes.map((c) => [c.seq, c.op, c.key])).toEqual([
      [1, 'create_table', null],
      [3, 'upsert', { name: 'b', id: '7' }],
    ]);
  });

  it('deletes by key and tolerates deleting a row that is not there', () => {
    const { db, applier, batch } = memoryLdb();
    applier.apply(
      batch([
        op.createTable(prices),
        op.upsert(prices, { id: 1n, name: 'a' }),
        op.upsert(prices, { id: 1n, name: 'A' }),
      ]),
    );
    applier.apply(
      batch([op.delete(prices, { id: 1n, name: 'a' }), op.delete(prices, { id: 2n, name: 'a' })]),
    );
    expect(dumpDb(db)['shop___prices']?.rows.map((r) => r['name'])).toEqual(['A']);
  });
});
