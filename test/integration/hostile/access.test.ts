/**
 * Access: writers scoped to families (writes and reads through the executive), registration rules
 * for scopes and secrets, throttled guessing (in-process and shared through Redis), and the
 * option that puts /metrics and the schema listings behind a credential.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutive, type Executive } from '../../../services/executive/app.ts';
import { CTLDB_DIALECTS } from '../../support/ctldb.ts';
import { startTestExecutive, testExecutiveConfig, type TestExecutive } from '../../support/executive.ts';
import { stackEnv } from '../../support/stack-env.ts';
import { FAMILY, HostileRig, OTHER_FAMILY, TABLE } from './rig.ts';

interface ErrorBody {
  readonly error: { readonly code: string; readonly details: Record<string, unknown> };
}

const row = (id: number) => ({ mutations: [{ table: TABLE, values: { id, name: 'scoped' } }] });

describe.each(CTLDB_DIALECTS)('writer scopes on %s', (dialect) => {
  let rig: HostileRig;
  beforeAll(async () => {
    rig = await HostileRig.start(dialect);
  });
  afterAll(() => rig.close());

  const asWriter = (who: { writer: string; secret: string }) => ({
    'x-cuttle-writer': who.writer,
    'x-cuttle-secret': who.secret,
  });

  it('refuses a writer scoped to family A on family B (403 FAMILY_OUT_OF_SCOPE), writes and reads', async () => {
    expect((await rig.ex.mutate(rig.writer, FAMILY, row(10))).status).toBe(200);
    const before = await rig.fingerprint();
    const write = await rig.ex.mutate<ErrorBody>(rig.writer, OTHER_FAMILY, row(11));
    expect([write.status, write.body.error.code]).toEqual([403, 'FAMILY_OUT_OF_SCOPE']);
    expect(write.body.error.details).toEqual({ writer: rig.writer.writer, family: OTHER_FAMILY });
    const reads = [
      ['rows/get', { key: { id: 10, name: 'scoped' } }],
      ['rows/scan', {}],
    ] as const;
    for (const [route, body] of reads) {
      const path = `/families/${OTHER_FAMILY}/tables/${TABLE}/${route}`;
      const refused = await rig.ex.request<ErrorBody>('POST', path, { body, headers: asWriter(rig.writer) });
      expect([refused.status, refused.body.error.code]).toEqual([403, 'FAMILY_OUT_OF_SCOPE']);
      const own = `/families/${FAMILY}/tables/${TABLE}/${route}`;
      expect((await rig.ex.request('POST', own, { body, headers: asWriter(rig.writer) })).status).toBe(200);
      expect((await rig.ex.admin('POST', path, body)).status).not.toBe(403);
    }
    const outsider = await rig.ex.mutate<ErrorBody>(rig.outsider, FAMILY, row(12));
    expect([outsider.status, outsider.body.error.code]).toEqual([403, 'FAMILY_OUT_OF_SCOPE']);
    expect(await rig.fingerprint()).toBe(before);
  });

  it('lets any writer read the metadata family, and only scoped writers write it', async () => {
    const read = await rig.ex.request<ErrorBody>('POST', '/families/cuttle/tables/sources/rows/scan', {
      body: {},
      headers: asWriter(rig.writer),
    });
    expect(read.body.error.code).not.toBe('FAMILY_OUT_OF_SCOPE');
    const write = await rig.ex.mutate<ErrorBody>(rig.writer, 'cuttle', row(1));
    expect(write.body.error.code).toBe('FAMILY_OUT_OF_SCOPE');
  });

  it('registers writers only with an explicit scope, idempotently, and changes scopes at once', async () => {
    const secret = `secret-${randomBytes(6).toString('hex')}`;
    const register = (body: Record<string, unknown>) =>
      rig.ex.admin<ErrorBody>('POST', '/writers/scoped-1', body);
    const refusals: [Record<string, unknown>, string][] = [
      [{ secret }, 'WRITER_SCOPE_MISSING'],
      [{ secret, global: false }, 'WRITER_SCOPE_MISSING'],
      [{ secret, families: [] }, 'BAD_REQUEST'],
      [{ secret, families: [FAMILY], global: true }, 'BAD_REQUEST'],
      [{ secret, families: ['Not A Family'] }, 'INVALID_NAME'],
      [{ secret, families: FAMILY }, 'BAD_REQUEST'],
      [{ secret, family: [FAMILY] }, 'BAD_REQUEST'],
    ];
    for (const [body, code] of refusals) expect((await register(body)).body.error.code).toBe(code);
    expect((await register({ secret, families: [FAMILY, FAMILY] })).status).toBe(201);
    expect((await register({ secret, families: [FAMILY] })).status).toBe(200);
    const clash = await register({ secret, global: true });
    expect([clash.status, clash.body.error.code]).toEqual([409, 'WRITER_EXISTS']);
    const global = await rig.ex.admin('POST', '/writers/global-1', { secret, global: true });
    expect(global.status).toBe(201);

    const scoped = { writer: 'scoped-1', secret };
    expect((await rig.ex.mutate(scoped, OTHER_FAMILY, row(20))).status).toBe(403);
    const widened = await rig.ex.admin('PUT', '/writers/scoped-1/scope', {
      families: [FAMILY, OTHER_FAMILY],
    });
    expect(widened.body).toEqual({ writer: 'scoped-1', scope: { families: [OTHER_FAMILY, FAMILY].sort() } });
    expect((await rig.ex.mutate(scoped, OTHER_FAMILY, row(20))).status).toBe(200);
    expect((await rig.ex.mutate({ writer: 'global-1', secret }, OTHER_FAMILY, row(21))).status).toBe(200);
    const missing = await rig.ex.admin<ErrorBody>('PUT', '/writers/nobody-here/scope', { global: true });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'WRITER_NOT_FOUND']);

    const listed = await rig.ex.admin<{ writers: { name: string; scope: unknown }[] }>('GET', '/writers');
    expect(listed.body.writers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'global-1', scope: { global: true } }),
        expect.objectContaining({ name: rig.writer.writer, scope: { families: [FAMILY] } }),
      ]),
    );
  });
});

describe('failed authentication is throttled per writer name', () => {
  it('in-process (embedded mode): the name waits, a writer verified before does not', async () => {
    const ex = await startTestExecutive('sqlite', { area: 'throttle', config: { authFailureLimit: 3 } });
    try {
      await ex.setupTable('throttled', 'rows', [['id', 'integer']], ['id']);
      const writer = await ex.registerWriter('target', undefined, { families: ['throttled'] });
      const ok = { mutations: [{ table: 'rows', values: { id: 1 } }] };
      expect((await ex.mutate(writer, 'throttled', ok)).status).toBe(200);
      for (let i = 0; i < 3; i++) {
        const wrong = await ex.mutate<ErrorBody>(
          { writer: 'target', secret: `guess-${i}-xx` },
          'throttled',
          ok,
        );
        expect(wrong.body.error.code).toBe('UNAUTHENTICATED');
      }
      const throttled = await ex.mutate<ErrorBody>(
        { writer: 'target', secret: 'guess-again' },
        'throttled',
        ok,
      );
      expect([throttled.status, throttled.body.error.code]).toEqual([429, 'AUTH_THROTTLED']);
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(50);
      expect((await ex.mutate(writer, 'throttled', ok)).status).toBe(200);
      for (let i = 0; i < 3; i++)
        await ex.mutate({ writer: 'ghost', secret: `guess-${i}-xx` }, 'throttled', ok);
      expect((await ex.mutate({ writer: 'ghost', secret: 'guess-again' }, 'throttled', ok)).status).toBe(429);
    } finally {
      await ex.close();
    }
  });

  it('through Redis: failures seen by one executive throttle the name on another', async () => {
    const authKeyPrefix = `cuttle-test:auth:${randomBytes(4).toString('hex')}`;
    const shared = { redisUrl: stackEnv.redisUrl, authFailureLimit: 3, authKeyPrefix };
    const a = await startTestExecutive('mysql', { area: 'throttle', config: shared });
    let b: Executive | undefined;
    try {
      b = await createExecutive(testExecutiveConfig({ ...shared, adminToken: a.adminToken }), {
        ctldb: a.db.ctldb,
      });
      const writer = await a.registerWriter('shared-target', undefined, { global: true });
      for (let i = 0; i < 3; i++) {
        await a.request('GET', '/writers/shared-target/offsets', {
          headers: { 'x-cuttle-writer': 'shared-target', 'x-cuttle-secret': `guess-${i}-xx` },
        });
      }
      const onB = await fetch(new URL('/writers/shared-target/offsets', b.url), {
        headers: { 'x-cuttle-writer': 'shared-target', 'x-cuttle-secret': writer.secret },
      });
      expect(onB.status).toBe(429);
      expect(((await onB.json()) as ErrorBody).error.code).toBe('AUTH_THROTTLED');
    } finally {
      await b?.close();
      await a.close();
    }
  });
});

describe('metadata access', () => {
  let ex: TestExecutive;
  const metricsToken = `metrics-${randomBytes(6).toString('hex')}`;
  beforeAll(async () => {
    ex = await startTestExecutive('sqlite', {
      area: 'metadata',
      config: { metadataAccess: 'token', metricsToken },
    });
    await ex.setupTable('visible', 'rows', [['id', 'integer']], ['id']);
  });
  afterAll(() => ex.close());

  it('needs a credential for the schema listings and /metrics when asked to', async () => {
    const writer = await ex.registerWriter('reader-1', undefined, { families: ['visible'] });
    const headers = { 'x-cuttle-writer': writer.writer, 'x-cuttle-secret': writer.secret };
    for (const path of ['/families', '/schema', '/families/visible', '/families/visible/tables/rows']) {
      expect((await ex.request('GET', path)).status, path).toBe(401);
      expect((await ex.request('GET', path, { headers })).status, path).toBe(200);
      expect((await ex.admin('GET', path)).status, path).toBe(200);
      expect((await ex.request('GET', path, { headers: { authorization: 'Bearer nope' } })).status).toBe(403);
    }
    expect((await ex.request('GET', '/metrics')).status).toBe(401);
    expect((await ex.request('GET', '/metrics', { headers })).status).toBe(401);
    expect(
      (await ex.request('GET', '/metrics', { headers: { authorization: `Bearer ${metricsToken}` } })).status,
    ).toBe(200);
    expect((await ex.admin('GET', '/metrics')).status).toBe(200);
    expect((await ex.request('GET', '/healthz')).status).toBe(200);
  });
});
