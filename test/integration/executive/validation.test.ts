/** Every nasty input gets a 4xx with its stable code, and nothing reaches the ledger. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CtldbLedgerSource } from '../../../lib/ctldb/ledger-source.ts';
import { CTLDB_DIALECTS } from '../../support/ctldb.ts';
import { startTestExecutive, type TestExecutive, type WriterCredentials } from '../../support/executive.ts';

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

const limits = { maxValueBytes: 1000, maxRowBytes: 2000, maxBatchMutations: 50, maxBodyBytes: 64 * 1024 };
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe.each(CTLDB_DIALECTS)('validation on %s', (dialect) => {
  let ex: TestExecutive;
  let writer: WriterCredentials;
  let headSeq: number;

  beforeAll(async () => {
    ex = await startTestExecutive(dialect, { config: limits });
    await ex.setupTable(
      'app',
      'nasty',
      [
        ['key', 'string'],
        ['select', 'text'],
        ['order', 'integer'],
        ['group', 'decimal'],
        ['data', 'binary'],
      ],
      ['key'],
    );
    writer = await ex.registerWriter('validator');
    headSeq = await new CtldbLedgerSource(ex.db.ctldb).headSeq();
  });
  afterAll(() => ex.close());

  const upsert = (values: unknown, table = 'nasty') => ({ mutations: [{ table, values }] });
  const raw = (text: string | Buffer) =>
    ex.mutate<ErrorBody>(writer, 'app', Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'));

  it('accepts reserved SQL words as field names', async () => {
    const r = await ex.mutate(
      writer,
      'app',
      upsert({ key: 'k1', select: 's', order: 5, group: '1.10', data: b64('x') }),
    );
    expect(r.status).toBe(200);
    const row = await ex.admin<{ row: unknown }>('POST', '/families/app/tables/nasty/rows/get', {
      key: { key: 'k1' },
    });
    expect(row.body.row).toEqual({ key: 'k1', select: 's', order: 5, group: '1.1', data: b64('x') });
    headSeq = await new CtldbLedgerSource(ex.db.ctldb).headSeq();
  });

  const cases: [
    string,
    () => Promise<{ status: number; body: ErrorBody }>,
    number,
    string,
    Record<string, unknown>?,
  ][] = [
    [
      'NUL in text',
      () => ex.mutate(writer, 'app', upsert({ key: 'k', select: 'a\u0000b' })),
      400,
      'NUL_IN_TEXT',
      { field: 'select', row: 0 },
    ],
    [
      'NUL in a string key',
      () => ex.mutate(writer, 'app', upsert({ key: 'a\u0000' })),
      400,
      'NUL_IN_TEXT',
      { field: 'key' },
    ],
    [
      'a lone surrogate',
      () => raw('{"mutations":[{"table":"nasty","values":{"key":"k","select":"\\ud800"}}]}'),
      400,
      'INVALID_UTF8',
      { field: 'select' },
    ],
    [
      'invalid UTF-8 bytes in the body',
      () =>
        raw(
          Buffer.concat([
            Buffer.from('{"mutations":[{"table":"nasty","values":{"key":"'),
            Buffer.from([0xc3, 0x28]),
            Buffer.from('"}}]}'),
          ]),
        ),
      400,
      'INVALID_UTF8',
    ],
    [
      '2^53+1 as a JSON number',
      () => raw('{"mutations":[{"table":"nasty","values":{"key":"k","order":9007199254740993}}]}'),
      400,
      'INTEGER_PRECISION_LOST',
      { field: 'order' },
    ],
    [
      '2^63 as a string',
      () => ex.mutate(writer, 'app', upsert({ key: 'k', order: '9223372036854775808' })),
      400,
      'INTEGER_OUT_OF_RANGE',
      { field: 'order' },
    ],
    [
      'a fraction for an integer',
      () => ex.mutate(writer, 'app', upsert({ key: 'k', order: 1.5 })),
      400,
      'WRONG_VALUE_TYPE',
      { field: 'order' },
    ],
    [
      'a number for text',
      () => ex.mutate(writer, 'app', upsert({ key: 'k', select: 5 })),
      400,
      'WRONG_VALUE_TYPE',
      { field: 'select' },
    ],
    [
      'an object for text',
      () => ex.mutate(writer, 'app', upsert({ key: 'k', select: { a: 1 } })),
      400,
      'WRONG_VALUE_TYPE',
      { field: 'select' },
    ],
    [
      'bad base64',
      () => ex.mutate(writer, 'app', upsert({ key: 'k', data: 'not base64!' })),
      400,
      'INVALID_BASE64',
      { field: 'data' },
    ],
    [
      'a bad decimal',
      () => ex.mutate(writer, 'app', upsert({ key: 'k', group: '1e5x' })),
      400,
      'INVALID_DECIMAL',
      { field: 'group' },
    ],
    [
      'a huge text value',
      () => ex.mutate(writer, 'app', upsert({ key: 'k', select: 'x'.repeat(1001) })),
      400,
      'VALUE_TOO_LARGE',
      { field: 'select' },
    ],
    [
      'a 192-character key',
      () => ex.mutate(writer, 'app', upsert({ key: 'é'.repeat(192) })),
      400,
      'VALUE_TOO_LARGE',
      { field: 'key' },
    ],
    [
      'a decimal over 100 characters',
      () => ex.mutate(writer, 'app', upsert({ key: 'k', group: '1'.repeat(101) })),
      400,
      'VALUE_TOO_LARGE',
      { field: 'group' },
    ],
    [
      'a row over the row limit',
      () =>
        ex.mutate(writer, 'app', upsert({ key: 'k', select: 'x'.repeat(1000), data: b64('y'.repeat(1000)) })),
      400,
      'ROW_TOO_LARGE',
      { row: 0 },
    ],
    [
      'a huge batch',
      () =>
        ex.mutate(writer, 'app', {
          mutations: Array.from({ length: 51 }, (_, i) => ({ table: 'nasty', values: { key: `k${i}` } })),
        }),
      400,
      'BATCH_TOO_LARGE',
    ],
    [
      'a body over the body limit',
      () => ex.mutate(writer, 'app', upsert({ key: 'k', select: 'x'.repeat(70_000) })),
      413,
      'BODY_TOO_LARGE',
    ],
    [
      'an unknown table',
      () => ex.mutate(writer, 'app', upsert({ key: 'k' }, 'missing')),
      404,
      'TABLE_NOT_FOUND',
      { table: 'missing' },
    ],
    [
      'an unknown family',
      () => ex.mutate(writer, 'nofamily', upsert({ key: 'k' })),
      404,
      'FAMILY_NOT_FOUND',
      { family: 'nofamily' },
    ],
    [
      'an invalid table name',
      () => ex.mutate(writer, 'app', upsert({ key: 'k' }, 'Bad-Name')),
      400,
      'INVALID_NAME',
    ],
    [
      'an unknown field',
      () => ex.mutate(writer, 'app', upsert({ key: 'k', colour: 'red' })),
      400,
      'UNKNOWN_FIELD',
      { field: 'colour' },
    ],
    [
      'a __proto__ field',
      () => raw('{"mutations":[{"table":"nasty","values":{"key":"k","__proto__":"x"}}]}'),
      400,
      'UNKNOWN_FIELD',
      { field: '__proto__' },
    ],
    [
      'a missing key field',
      () => ex.mutate(writer, 'app', upsert({ select: 'no key' })),
      400,
      'MISSING_KEY_FIELD',
      { field: 'key' },
    ],
    [
      'a null key field',
      () => ex.mutate(writer, 'app', upsert({ key: null })),
      400,
      'MISSING_KEY_FIELD',
      { field: 'key' },
    ],
    [
      'a delete naming a non-key field',
      () =>
        ex.mutate(writer, 'app', {
          mutations: [{ table: 'nasty', op: 'delete', key: { key: 'k', order: 1 } }],
        }),
      400,
      'INVALID_KEY',
    ],
    ['values that are not an object', () => ex.mutate(writer, 'app', upsert([1, 2])), 400, 'BAD_REQUEST'],
    [
      'an unknown op',
      () => ex.mutate(writer, 'app', { mutations: [{ table: 'nasty', op: 'merge', values: { key: 'k' } }] }),
      400,
      'BAD_REQUEST',
    ],
    ['invalid JSON', () => raw('{"mutations": ['), 400, 'BAD_REQUEST'],
    ['an empty batch', () => ex.mutate(writer, 'app', { mutations: [] }), 400, 'EMPTY_BATCH'],
    [
      'malformed offsets',
      () => ex.mutate(writer, 'app', { ...upsert({ key: 'k' }), offsets: [{ stream: 't/0', next: '1' }] }),
      400,
      'INVALID_OFFSETS',
    ],
    [
      'a too-long cookie',
      () => ex.mutate(writer, 'app', { ...upsert({ key: 'k' }), cookie: { next: b64('c'.repeat(1025)) } }),
      400,
      'INVALID_OFFSETS',
    ],
    [
      'a non-JSON content type',
      () =>
        ex.request('POST', '/families/app/mutations', {
          body: Buffer.from('hello'),
          headers: {
            'content-type': 'text/plain',
            'x-cuttle-writer': writer.writer,
            'x-cuttle-secret': writer.secret,
          },
        }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
  ];

  it.each(cases)('rejects %s', async (_name, send, status, code, details) => {
    const r = await send();
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
    if (details !== undefined) expect(r.body.error.details).toMatchObject(details);
  });

  it('wrote nothing for any rejected request', async () => {
    expect(await new CtldbLedgerSource(ex.db.ctldb).headSeq()).toBe(headSeq);
    const rows = await ex.admin<{ rows: unknown[] }>('POST', '/families/app/tables/nasty/rows/scan', {});
    expect(rows.body.rows).toHaveLength(1);
  });

  it('checks table definitions', async () => {
    const create = (table: string, body: unknown) =>
      ex.admin<ErrorBody>('POST', `/families/app/tables/${table}`, body);
    expect((await create('t_binkey', { fields: [['b', 'binary']], keyFields: ['b'] })).body.error.code).toBe(
      'INVALID_KEY',
    );
    expect((await create('t_nokey', { fields: [['a', 'string']], keyFields: [] })).body.error.code).toBe(
      'INVALID_KEY',
    );
    expect((await create('t_type', { fields: [['a', 'float']], keyFields: ['a'] })).body.error.code).toBe(
      'INVALID_FIELD_TYPE',
    );
    expect(
      (await create('t_name', { fields: [['Bad', 'string']], keyFields: ['Bad'] })).body.error.code,
    ).toBe('INVALID_NAME');
    expect((await create('x', { fields: [['a', 'string']], keyFields: ['a'] })).body.error.code).toBe(
      'INVALID_NAME',
    );
    expect((await create('nasty', { fields: [['a', 'string']], keyFields: ['a'] })).body.error.code).toBe(
      'TABLE_EXISTS',
    );
  });

  it('guards admin routes and destructive changes', async () => {
    const none = await ex.request<ErrorBody>('POST', '/families/other');
    expect([none.status, none.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    const wrong = await ex.request<ErrorBody>('POST', '/families/other', {
      headers: { authorization: 'Bearer nope' },
    });
    expect([wrong.status, wrong.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const drop = await ex.admin<ErrorBody>('DELETE', '/families/app/tables/nasty?confirm=app.other');
    expect([drop.status, drop.body.error.code]).toEqual([400, 'CONFIRMATION_REQUIRED']);
    const clear = await ex.admin<ErrorBody>('POST', '/families/app/tables/nasty/clear');
    expect([clear.status, clear.body.error.code]).toEqual([400, 'CONFIRMATION_REQUIRED']);
    const route = await ex.request<ErrorBody>('GET', '/no/such/route');
    expect([route.status, route.body.error.code]).toEqual([404, 'NOT_FOUND']);
    const secret = await ex.admin<ErrorBody>('POST', '/writers/shorty', { secret: 'short', global: true });
    expect([secret.status, secret.body.error.code]).toEqual([400, 'BAD_REQUEST']);
    const writerName = await ex.admin<ErrorBody>('POST', '/writers/a', {
      secret: 'long enough secret',
      global: true,
    });
    expect([writerName.status, writerName.body.error.code]).toEqual([400, 'INVALID_NAME']);
  });
});
