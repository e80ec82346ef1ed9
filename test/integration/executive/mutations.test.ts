import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CtldbLedgerSource } from '../../../lib/ctldb/ledger-source.ts';
import { CTLDB_DIALECTS } from '../../support/ctldb.ts';
import { startTestExecutive, type TestExecutive, type WriterCredentials } from '../../support/executive.ts';

interface Applied {
  status: string;
  firstSeq: number;
  lastSeq: number;
}

describe.each(CTLDB_DIALECTS)('mutations on %s', (dialect) => {
  let ex: TestExecutive;
  let writer: WriterCredentials;

  beforeAll(async () => {
    ex = await startTestExecutive(dialect);
    await ex.setupTable(
      'shop',
      'items',
      [
        ['id', 'integer'],
        ['name', 'string'],
        ['price', 'decimal'],
        ['blob', 'binary'],
      ],
      ['id'],
    );
    writer = await ex.registerWriter('loader-1');
  });
  afterAll(() => ex.close());

  const ledger = (after = 0) => new CtldbLedgerSource(ex.db.ctldb).readAfter(after, 10_000);

  it('applies a batch in one ledger batch and reads it back', async () => {
    const r = await ex.mutate<Applied>(writer, 'shop', {
      mutations: [
        {
          table: 'items',
          values: { id: 1, name: 'one', price: '1.50', blob: Buffer.from([0, 1]).toString('base64') },
        },
        { table: 'items', values: { id: 2, name: 'two' } },
        { table: 'items', op: 'delete', key: { id: 2 } },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('applied');
    expect(r.body.lastSeq - r.body.firstSeq).toBe(2);
    const entries = (await ledger()).filter((e) => e.seq >= r.body.firstSeq);
    expect(entries.map((e) => [e.op, e.batchSeq, e.batchEnd])).toEqual([
      ['upsert', r.body.firstSeq, false],
      ['upsert', r.body.firstSeq, false],
      ['delete', r.body.firstSeq, true],
    ]);
    expect(entries[0]?.payload).toEqual({ values: { id: '1', name: 'one', price: '1.5', blob: 'AAE=' } });
    expect(entries[1]?.payload).toEqual({ values: { id: '2', name: 'two', price: null, blob: null } });
    const row = await ex.admin<{ row: unknown }>('POST', '/families/shop/tables/items/rows/get', {
      key: { id: 1 },
    });
    expect(row.body.row).toEqual({ id: 1, name: 'one', price: '1.5', blob: 'AAE=' });
    const gone = await ex.admin<{ error: { code: string } }>('POST', '/families/shop/tables/items/rows/get', {
      key: { id: 2 },
    });
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('ROW_NOT_FOUND');
  });

  it('upsert replaces the whole row: fields left out become NULL', async () => {
    await ex.mutate(writer, 'shop', {
      mutations: [{ table: 'items', values: { id: 5, name: 'five', price: '5' } }],
    });
    await ex.mutate(writer, 'shop', { mutations: [{ table: 'items', values: { id: 5, name: 'FIVE' } }] });
    const row = await ex.admin<{ row: unknown }>('POST', '/families/shop/tables/items/rows/get', {
      key: { id: 5 },
    });
    expect(row.body.row).toEqual({ id: 5, name: 'FIVE', price: null, blob: null });
  });

  it('acknowledges a replayed batch as duplicate and applies it once', async () => {
    const batch = {
      mutations: [{ table: 'items', values: { id: 10, name: 'ten' } }],
      offsets: [
        { stream: 'topic/0', expected: null, next: '11' },
        { stream: 'topic/1', expected: null, next: '3' },
      ],
    };
    const first = await ex.mutate<Applied>(writer, 'shop', batch);
    expect(first.body.status).toBe('applied');
    const head = first.body.lastSeq;
    const replay = await ex.mutate<{ status: string }>(writer, 'shop', batch);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ status: 'duplicate' });
    expect((await ledger(head)).length).toBe(0);
    const offsets = await ex.admin<{ offsets: unknown }>('GET', '/writers/loader-1/offsets');
    expect(offsets.body.offsets).toEqual([
      { stream: 'topic/0', next: '11' },
      { stream: 'topic/1', next: '3' },
    ]);
  });

  it('rejects a stale expected offset with 409 and the stored offsets, writing nothing', async () => {
    const before = (await ledger()).length;
    const r = await ex.mutate<{ error: { code: string; details: { stored: unknown } } }>(writer, 'shop', {
      mutations: [{ table: 'items', values: { id: 11, name: 'eleven' } }],
      offsets: [{ stream: 'topic/0', expected: '7', next: '12' }],
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('OFFSET_CONFLICT');
    expect(r.body.error.details.stored).toEqual({ 'topic/0': '11' });
    expect((await ledger()).length).toBe(before);
    const row = await ex.admin('POST', '/families/shop/tables/items/rows/get', { key: { id: 11 } });
    expect(row.status).toBe(404);
  });

  it('supports the cookie compare-and-set', async () => {
    const cookie = (s: string) => Buffer.from(s).toString('base64');
    const w = await ex.registerWriter('cookie-writer');
    const ok = await ex.mutate<Applied>(w, 'shop', {
      mutations: [{ table: 'items', values: { id: 20 } }],
      cookie: { expected: null, next: cookie('c1') },
    });
    expect(ok.body.status).toBe('applied');
    const dup = await ex.mutate<{ status: string }>(w, 'shop', {
      mutations: [{ table: 'items', values: { id: 20 } }],
      cookie: { expected: null, next: cookie('c1') },
    });
    expect(dup.body.status).toBe('duplicate');
    const conflict = await ex.mutate<{ error: { code: string; details: { cookie: string } } }>(w, 'shop', {
      mutations: [{ table: 'items', values: { id: 21 } }],
      cookie: { expected: cookie('zz'), next: cookie('c2') },
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.details.cookie).toBe(cookie('c1'));
    const offsets = await ex.admin<{ cookie: string }>('GET', '/writers/cookie-writer/offsets');
    expect(offsets.body.cookie).toBe(cookie('c1'));
  });

  it('stores offsets without rows (a batch of only filtered events)', async () => {
    const r = await ex.mutate<{ status: string; firstSeq: unknown }>(writer, 'shop', {
      mutations: [],
      offsets: [{ stream: 'topic/9', expected: null, next: '5' }],
    });
    expect(r.body).toEqual({ status: 'applied', firstSeq: null, lastSeq: null });
  });

  it('refuses wrong writer credentials', async () => {
    const r = await ex.mutate<{ error: { code: string } }>(
      { writer: 'loader-1', secret: 'wrong-secret' },
      'shop',
      { mutations: [{ table: 'items', values: { id: 1 } }] },
    );
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('UNAUTHENTICATED');
  });
});
