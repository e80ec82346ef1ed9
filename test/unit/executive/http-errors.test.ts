import { describe, expect, it } from 'vitest';
import { CtldbError } from '../../../lib/ctldb/dialect.ts';
import { CuttleError } from '../../../lib/errors.ts';
import { clientErrorOf, rawErrorResponse } from '../../../services/executive/http/client-errors.ts';
import { toCuttleError } from '../../../services/executive/http/errors.ts';
import { parseJsonBody } from '../../../services/executive/http/json-body.ts';
import { hashSecret, verifySecret } from '../../../services/executive/writers/secret-hash.ts';
import { codeOf } from '../../support/errors.ts';

describe('toCuttleError', () => {
  it('keeps CuttleErrors', () => {
    const err = new CuttleError('TABLE_NOT_FOUND', 'x');
    expect(toCuttleError(err)).toBe(err);
  });
  it('maps fastify client errors to 4xx codes', () => {
    expect(
      toCuttleError(
        Object.assign(new Error('too big'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }),
      ).code,
    ).toBe('BODY_TOO_LARGE');
    expect(
      toCuttleError(
        Object.assign(new Error('media'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }),
      ).code,
    ).toBe('UNSUPPORTED_MEDIA_TYPE');
    const badUrl = toCuttleError(
      Object.assign(new Error('bad'), { statusCode: 400, code: 'FST_ERR_BAD_URL' }),
    );
    expect([badUrl.code, badUrl.status]).toEqual(['MALFORMED_REQUEST', 400]);
    const long = toCuttleError(
      Object.assign(new Error('x'.repeat(10_000)), { statusCode: 414, code: 'FST_ERR_MAX_PARAM_LENGTH' }),
    );
    expect([long.code, long.status]).toEqual(['URI_TOO_LONG', 414]);
    expect(long.message.length).toBeLessThan(400);
    expect(toCuttleError(Object.assign(new Error('odd'), { statusCode: 422 })).code).toBe('BAD_REQUEST');
  });
  it('maps ctldb outages to 503 and everything else to 500', () => {
    expect(toCuttleError(new CtldbError('unavailable', 'down', undefined)).status).toBe(503);
    expect(toCuttleError(new CtldbError('deadlock', 'again', undefined)).code).toBe('UNAVAILABLE');
    expect(toCuttleError(new CtldbError('other', 'syntax', undefined)).code).toBe('INTERNAL');
    expect(toCuttleError(new TypeError('bug')).code).toBe('INTERNAL');
  });
});

describe('clientErrorOf', () => {
  const parserError = (code: string) => Object.assign(new Error(code), { code });
  it('maps Node parser errors to codes and writes a complete raw response', () => {
    expect(clientErrorOf(parserError('HPE_HEADER_OVERFLOW')).status).toBe(431);
    expect(clientErrorOf(parserError('ERR_HTTP_REQUEST_TIMEOUT')).code).toBe('REQUEST_TIMEOUT');
    const malformed = clientErrorOf(parserError('HPE_INVALID_CHUNK_SIZE'));
    expect([malformed.code, malformed.details]).toEqual([
      'MALFORMED_REQUEST',
      { parserCode: 'HPE_INVALID_CHUNK_SIZE' },
    ]);
    const raw = rawErrorResponse(malformed);
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(head).toContain(`content-length: ${Buffer.byteLength(body)}`);
    expect(JSON.parse(body)).toEqual(malformed.toJSON());
  });
});

describe('parseJsonBody', () => {
  it('refuses invalid UTF-8 instead of repairing it', () => {
    expect(codeOf(() => parseJsonBody(Buffer.from([0x22, 0xff, 0x22])))).toBe('INVALID_UTF8');
  });
  it('turns a syntax error into BAD_REQUEST', () => {
    expect(codeOf(() => parseJsonBody(Buffer.from('{')))).toBe('BAD_REQUEST');
  });
  it('parses JSON and treats an empty body as none', () => {
    expect(parseJsonBody(Buffer.from('{"a":"😀"}'))).toEqual({ a: '😀' });
    expect(parseJsonBody(Buffer.from(' '))).toBeUndefined();
  });
});

describe('secret hashes', () => {
  it('are salted and verify only the right secret', async () => {
    const a = await hashSecret('correct horse');
    const b = await hashSecret('correct horse');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifySecret('correct horse', a)).toBe(true);
    expect(await verifySecret('wrong horse', a)).toBe(false);
    expect(await verifySecret('correct horse', 'sha256$abc')).toBe(false);
  });
});
