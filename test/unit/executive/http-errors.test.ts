import { describe, expect, it } from 'vitest';
import { CtldbError } from '../../../lib/ctldb/dialect.ts';
import { CuttleError } from '../../../lib/errors.ts';
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
    ).toBe('BAD_REQUEST');
  });
  it('maps ctldb outages to 503 and everything else to 500', () => {
    expect(toCuttleError(new CtldbError('unavailable', 'down', undefined)).status).toBe(503);
    expect(toCuttleError(new CtldbError('deadlock', 'again', undefined)).code).toBe('UNAVAILABLE');
    expect(toCuttleError(new CtldbError('other', 'syntax', undefined)).code).toBe('INTERNAL');
    expect(toCuttleError(new TypeError('bug')).code).toBe('INTERNAL');
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
