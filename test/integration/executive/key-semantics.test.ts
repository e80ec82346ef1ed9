/** Values and keys compare and round-trip exactly the same in MariaDB and SQLite. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CTLDB_DIALECTS } from '../../support/ctldb.ts';
import { startTestExecutive, type TestExecutive, type WriterCredentials } from '../../support/executive.ts';

const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');

describe.each(CTLDB_DIALECTS)('key semantics on %s', (dialect) => {
  let ex: TestExecutive;
  let writer: WriterCredentials;

  beforeAll(async () => {
    ex = await startTestExecutive(dialect);
    await ex.setupTable(
      'keys',
      'by_string',
      [
        ['k', 'string'],
        ['v', 'text'],
      ],
      ['k'],
    );
    await ex.setupTable(
      'keys',
      'by_bytes',
      [
        ['k', 'bytestring'],
        ['v', 'binary'],
      ],
      ['k'],
    );
    await ex.setupTable(
      'keys',
      'by_int',
      [
        ['k', 'integer'],
        ['n', 'integer'],
        ['d', 'decimal'],
      ],
      ['k'],
    );
    writer = await ex.registerWriter('keys-writer');
  });
  afterAll(() => ex.close());

  const scan = async (table: string) =>
    (
      await ex.admin<{ rows: Record<string, unknown>[] }>(
        'POST',
        `/families/keys/tables/${table}/rows/scan`,
        { limit: 1000 },
      )
    ).body.rows;

  it("keeps 'a', 'A', 'a ' and an emoji as four distinct rows", async () => {
    const keys = ['a', 'A', 'a ', '😀'];
    const r = await ex.mutate(writer, 'keys', {
      mutations: keys.map((k) => ({ table: 'by_string', values: { k, v: `value of ${k} 🎉` } })),
    });
    expect(r.status).toBe(200);
    const rows = await scan('by_string');
    expect(rows.map((row) => row.k)).toEqual(['A', 'a', 'a ', '😀']);
    expect(rows.find((row) => row.k === 'a ')?.v).toBe('value of a  🎉');
    // Deleting 'a' removes only 'a'.
    await ex.mutate(writer, 'keys', { mutations: [{ table: 'by_string', op: 'delete', key: { k: 'a' } }] });
    expect((await scan('by_string')).map((row) => row.k)).toEqual(['A', 'a ', '😀']);
  });

  it('keeps binary keys differing only in trailing zero bytes apart, and stores NUL bytes', async () => {
    const r = await ex.mutate(writer, 'keys', {
      mutations: [
        { table: 'by_bytes', values: { k: b64([0x61]), v: b64([0, 0, 1, 0]) } },
        { table: 'by_bytes', values: { k: b64([0x61, 0]), v: b64([]) } },
        { table: 'by_bytes', values: { k: b64([0x41]), v: b64([0xff, 0x00, 0xfe]) } },
      ],
    });
    expect(r.status).toBe(200);
    expect(await scan('by_bytes')).toEqual([
      { k: b64([0x41]), v: b64([0xff, 0x00, 0xfe]) },
      { k: b64([0x61]), v: b64([0, 0, 1, 0]) },
      { k: b64([0x61, 0]), v: '' },
    ]);
  });

  it('round-trips int64 min and max, also as keys, and decimals exactly', async () => {
    const min = '-9223372036854775808';
    const max = '9223372036854775807';
    const r = await ex.mutate(writer, 'keys', {
      mutations: [
        { table: 'by_int', values: { k: min, n: max, d: '-0.000000000000000000000000000001' } },
        { table: 'by_int', values: { k: max, n: min, d: '123456789012345678901234567890.5' } },
        { table: 'by_int', values: { k: 0, n: 9007199254740991, d: 0.1 } },
      ],
    });
    expect(r.status).toBe(200);
    expect(await scan('by_int')).toEqual([
      { k: min, n: max, d: '-0.000000000000000000000000000001' },
      { k: 0, n: 9007199254740991, d: '0.1' },
      { k: max, n: min, d: '123456789012345678901234567890.5' },
    ]);
    const one = await ex.admin<{ row: unknown }>('POST', '/families/keys/tables/by_int/rows/get', {
      key: { k: max },
    });
    expect(one.body.row).toEqual({ k: max, n: min, d: '123456789012345678901234567890.5' });
  });
});
