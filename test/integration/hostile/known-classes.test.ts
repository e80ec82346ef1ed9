/**
 * Every class of wrong answer issue 12 found, as a fixed request: each is refused with a 4xx
 * (or 413/414/431), cuttle's error body and a stable code, and leaves ctldb as it was. The
 * generated suite (fuzz.test.ts) goes wide; this one names each case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CTLDB_DIALECTS } from '../../support/ctldb.ts';
import { FAMILY, HostileRig, TABLE, type RawResponse } from './rig.ts';

interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details: Record<string, unknown>;
  };
}

const deep = (depth: number, leaf = '"x"'): string => `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;

function errorOf(response: RawResponse): ErrorBody['error'] {
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(response.body) as ErrorBody;
  expect(typeof body.error.code).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.message.length).toBeLessThan(1000);
  return body.error;
}

describe.each(CTLDB_DIALECTS)('issue 12 classes on %s', (dialect) => {
  let rig: HostileRig;
  let before: string;

  beforeAll(async () => {
    rig = await HostileRig.start(dialect);
    before = await rig.fingerprint();
  });
  afterAll(() => rig.close());

  /** A request with a raw JSON text body, as the given credentials. */
  const send = (
    method: string,
    path: string,
    body: string | undefined,
    as: 'admin' | 'writer' | 'none' = 'writer',
    extraHeaders = '',
  ): Promise<RawResponse> => {
    const auth =
      as === 'admin'
        ? `authorization: Bearer ${rig.ex.adminToken}\r\n`
        : as === 'writer'
          ? `x-cuttle-writer: ${rig.writer.writer}\r\nx-cuttle-secret: ${rig.writer.secret}\r\n`
          : '';
    const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(body, 'utf8');
    const head =
      `${method} ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n${auth}${extraHeaders}` +
      (body === undefined ? '' : `content-type: application/json\r\ncontent-length: ${bytes.length}\r\n`);
    return rig.raw(Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), bytes]));
  };

  const refused = async (
    response: Promise<RawResponse>,
    status: number,
    code: string,
  ): Promise<ErrorBody['error']> => {
    const r = await response;
    expect([r.status, errorOf(r).code], r.body).toEqual([status, code]);
    expect(await rig.fingerprint()).toBe(before);
    return errorOf(r);
  };

  const mutations = `/families/${FAMILY}/mutations`;
  const upsert = (values: string) => `{"mutations":[{"table":"${TABLE}","values":${values}}]}`;

  describe('500s: values 10,000 deep where a scalar belongs (and 25 deep, under the depth bound)', () => {
    const places: [string, (v: string) => [string, string, string, 'admin' | 'writer']][] = [
      [
        'mutation op',
        (v) => ['POST', mutations, `{"mutations":[{"table":"${TABLE}","op":${v},"values":{}}]}`, 'writer'],
      ],
      ['mutation table', (v) => ['POST', mutations, `{"mutations":[{"table":${v},"values":{}}]}`, 'writer']],
      ['decimal value', (v) => ['POST', mutations, upsert(`{"id":5,"name":"d","price":${v}}`), 'writer']],
      [
        'offset stream',
        (v) => ['POST', mutations, `{"offsets":[{"stream":${v},"expected":null,"next":"1"}]}`, 'writer'],
      ],
      [
        'offset expected',
        (v) => ['POST', mutations, `{"offsets":[{"stream":"s/0","expected":${v},"next":"1"}]}`, 'writer'],
      ],
      [
        'field definition',
        (v) => [
          'POST',
          `/families/${FAMILY}/tables/newtable`,
          `{"fields":[${v}],"keyFields":["id"]}`,
          'admin',
        ],
      ],
      [
        'key field',
        (v) => [
          'POST',
          `/families/${FAMILY}/tables/newtable`,
          `{"fields":[["id","integer"]],"keyFields":[${v}]}`,
          'admin',
        ],
      ],
      [
        'limit setting',
        (v) => [
          'PUT',
          `/limits/writers/${rig.writer.writer}`,
          `{"rateAmount":${v},"ratePeriodMs":1000}`,
          'admin',
        ],
      ],
    ];
    it.each(places)('%s', async (_place, request) => {
      const [method, path, body, as] = request(deep(10_000));
      await refused(send(method, path, body, as), 400, 'JSON_TOO_DEEP');
      const [m2, p2, b2, as2] = request(deep(25));
      const shallower = await send(m2, p2, b2, as2);
      expect(shallower.status).toBe(400);
      expect(errorOf(shallower).code).not.toBe('JSON_TOO_DEEP');
      expect(await rig.fingerprint()).toBe(before);
    });
  });

  it('500s: repeated query keys on the limit-usage route', async () => {
    await refused(send('GET', '/limits/usage?writer=a&writer=b', undefined, 'admin'), 400, 'BAD_REQUEST');
  });

  it('500s: a forged scan cursor holding an integer beyond 64 bits', async () => {
    const cursor = Buffer.from(JSON.stringify(['99999999999999999999999', 'x'])).toString('base64url');
    const path = `/families/${FAMILY}/tables/${TABLE}/rows/scan`;
    await refused(send('POST', path, JSON.stringify({ cursor }), 'admin'), 400, 'BAD_REQUEST');
    const huge = Buffer.from(JSON.stringify([`1${'0'.repeat(400)}`, 'x'])).toString('base64url');
    await refused(send('POST', path, JSON.stringify({ cursor: huge }), 'writer'), 400, 'BAD_REQUEST');
  });

  it('500s: a family whose tables SQLite would name sqlite_… is refused at creation', async () => {
    const error = await refused(
      send('POST', '/families/sqlite_stuff', undefined, 'admin'),
      400,
      'INVALID_NAME',
    );
    expect(error.message).toContain('sqlite_');
    await refused(
      send(
        'POST',
        '/families/sqlite_stuff/tables/things',
        '{"fields":[["id","integer"]],"keyFields":["id"]}',
        'admin',
      ),
      400,
      'INVALID_NAME',
    );
  });

  it('no body: bad percent-encoding in the path', async () => {
    await refused(send('GET', `/families/${FAMILY}/tables/%E0%A4%A`, undefined), 400, 'MALFORMED_REQUEST');
    await refused(send('POST', '/families/%zz/mutations', '{}'), 400, 'MALFORMED_REQUEST');
  });

  it('no body: over-long path parameters', async () => {
    await refused(
      send('GET', `/writers/${'w'.repeat(500)}/offsets`, undefined, 'admin'),
      414,
      'URI_TOO_LONG',
    );
    await refused(send('POST', `/families/${'f'.repeat(2000)}/mutations`, '{}'), 414, 'URI_TOO_LONG');
  });

  const malformed: [string, string, number, string][] = [
    [
      'Content-Length with Transfer-Encoding',
      `POST ${mutations} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 4\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
      400,
      'MALFORMED_REQUEST',
    ],
    [
      'two Content-Lengths',
      `POST ${mutations} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n{}`,
      400,
      'MALFORMED_REQUEST',
    ],
    [
      'a bad chunk size',
      `POST ${mutations} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      400,
      'MALFORMED_REQUEST',
    ],
    [
      'NUL in a header name',
      'GET /healthz HTTP/1.1\r\nhost: x\r\nx-a\u0000b: 1\r\n\r\n',
      400,
      'MALFORMED_REQUEST',
    ],
    [
      'a space in a header name',
      'GET /healthz HTTP/1.1\r\nhost: x\r\nx a: 1\r\n\r\n',
      400,
      'MALFORMED_REQUEST',
    ],
    ['an unknown method', 'BREW /healthz HTTP/1.1\r\nhost: x\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    [
      'oversized headers',
      `GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(70_000)}\r\n\r\n`,
      431,
      'HEADERS_TOO_LARGE',
    ],
  ];
  it.each(malformed)('no body: malformed HTTP, %s', async (_name, request, status, code) => {
    await refused(rig.raw(Buffer.from(request, 'latin1')), status, code);
  });

  it('no body: a method HTTP knows but no route serves', async () => {
    await refused(send('PROPFIND', '/healthz', undefined), 404, 'NOT_FOUND');
  });

  it('accepted: a non-object body for a table limit', async () => {
    const path = `/limits/tables/${FAMILY}/${TABLE}`;
    for (const body of ['"limits"', '[1,2]', '7', 'null', '{"rateamount":5}']) {
      await refused(send('PUT', path, body, 'admin'), 400, 'BAD_REQUEST');
    }
  });

  it('accepted: writer secrets no HTTP client can send', async () => {
    for (const secret of [
      'sécret-€uro-sign',
      ' leading space',
      'trailing space ',
      'nul\u0000inside',
      'tab\tinside',
      'bell\u0007x',
    ]) {
      const error = await refused(
        send('POST', '/writers/unsendable', JSON.stringify({ secret, global: true }), 'admin'),
        400,
        'BAD_REQUEST',
      );
      expect(error.details).toMatchObject({ field: 'secret' });
    }
  });

  describe('accepted: numbers JSON cannot carry exactly', () => {
    const cases: [string, string, string, string][] = [
      [
        'a decimal',
        '{"id":7,"name":"n","price":0.12345678901234567890123}',
        'DECIMAL_PRECISION_LOST',
        'price',
      ],
      ['an integer beyond 2^64', '{"id":12345678901234567890,"name":"n"}', 'INTEGER_PRECISION_LOST', 'id'],
      [
        '1.0000000000000001 for an integer',
        '{"id":1.0000000000000001,"name":"n"}',
        'INTEGER_PRECISION_LOST',
        'id',
      ],
      ['a key given as 2^53 + 1', '{"id":9007199254740993,"name":"n"}', 'INTEGER_PRECISION_LOST', 'id'],
    ];
    it.each(cases)('%s is refused by field', async (_name, values, code, field) => {
      const error = await refused(send('POST', mutations, upsert(values)), 400, code);
      expect(error.details).toMatchObject({ family: FAMILY, table: TABLE, field });
      expect(error.message).toContain(field);
    });

    it('the same values as strings stay exact', async () => {
      const ok = await send(
        'POST',
        mutations,
        upsert('{"id":"12345678901234567","name":"exact","price":"0.12345678901234567890123"}'),
      );
      expect(ok.status, ok.body).toBe(200);
      const row = await send(
        'POST',
        `/families/${FAMILY}/tables/${TABLE}/rows/get`,
        '{"key":{"id":"12345678901234567","name":"exact"}}',
      );
      expect(JSON.parse(row.body)).toMatchObject({
        row: { id: '12345678901234567', price: '0.12345678901234567890123' },
      });
      before = await rig.fingerprint();
    });
  });
});
