/** Reads with paging, limit settings, writers, health, metrics and the OpenAPI document. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CTLDB_DIALECTS } from '../../support/ctldb.ts';
import { startTestExecutive, type TestExecutive, type WriterCredentials } from '../../support/executive.ts';

interface Page {
  rows: { region: string; id: number }[];
  nextCursor: string | null;
}

describe.each(CTLDB_DIALECTS)('executive API on %s', (dialect) => {
  let ex: TestExecutive;
  let writer: WriterCredentials;

  beforeAll(async () => {
    ex = await startTestExecutive(dialect);
    await ex.setupTable(
      'geo',
      'places',
      [
        ['region', 'string'],
        ['id', 'integer'],
        ['name', 'text'],
      ],
      ['region', 'id'],
    );
    writer = await ex.registerWriter('geo-writer');
    const mutations = [];
    for (const region of ['eu', 'us'])
      for (let id = 1; id <= 25; id++)
        mutations.push({ table: 'places', values: { region, id, name: `${region}-${id}` } });
    expect((await ex.mutate(writer, 'geo', { mutations })).status).toBe(200);
  });
  afterAll(() => ex.close());

  it('pages through rows by key prefix in key order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { body: Page } = await ex.request<Page>('POST', '/families/geo/tables/places/rows/scan', {
        body: { prefix: { region: 'eu' }, limit: 10, cursor },
        headers: { 'x-cuttle-writer': writer.writer, 'x-cuttle-secret': writer.secret },
      });
      seen.push(...page.body.rows.map((r) => `${r.region}-${r.id}`));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `eu-${i + 1}`));
    const all = await ex.admin<Page>('POST', '/families/geo/tables/places/rows/scan', { limit: 1000 });
    expect(all.body.rows).toHaveLength(50);
    const bad = await ex.admin<{ error: { code: string } }>('POST', '/families/geo/tables/places/rows/scan', {
      prefix: { id: 1 },
    });
    expect(bad.body.error.code).toBe('INVALID_KEY');
    const partial = await ex.admin<{ error: { code: string } }>(
      'POST',
      '/families/geo/tables/places/rows/get',
      { key: { region: 'eu' } },
    );
    expect(partial.body.error.code).toBe('MISSING_KEY_FIELD');
    const anonymous = await ex.request<{ error: { code: string } }>(
      'POST',
      '/families/geo/tables/places/rows/scan',
      { body: {} },
    );
    expect(anonymous.status).toBe(401);
  });

  it('stores limit settings', async () => {
    expect(
      (await ex.admin('PUT', '/limits/writers/geo-writer', { rateAmount: 1000, ratePeriodMs: 60_000 }))
        .status,
    ).toBe(200);
    expect(
      (
        await ex.admin('PUT', '/limits/tables/geo/places', {
          warnBytes: 1000,
          maxBytes: 2000,
          rateAmount: 5,
          ratePeriodMs: 1000,
        })
      ).status,
    ).toBe(200);
    const listed = await ex.admin('GET', '/limits');
    expect(listed.body).toEqual({
      writers: [{ writer: 'geo-writer', rateAmount: 1000, ratePeriodMs: 60_000 }],
      tables: [
        {
          family: 'geo',
          table: 'places',
          rateAmount: 5,
          ratePeriodMs: 1000,
          warnBytes: 1000,
          maxBytes: 2000,
        },
      ],
    });
    const bad = await ex.admin<{ error: { code: string } }>('PUT', '/limits/tables/geo/places', {
      warnBytes: 3000,
      maxBytes: 2000,
    });
    expect(bad.body.error.code).toBe('BAD_REQUEST');
    const unknown = await ex.admin<{ error: { code: string } }>('PUT', '/limits/writers/nobody', {
      rateAmount: 1,
      ratePeriodMs: 1,
    });
    expect(unknown.body.error.code).toBe('WRITER_NOT_FOUND');
    expect((await ex.admin('DELETE', '/limits/writers/geo-writer')).status).toBe(200);
    expect((await ex.admin('DELETE', '/limits/tables/geo/places')).status).toBe(200);
    expect(
      (await ex.admin<{ error: { code: string } }>('DELETE', '/limits/tables/geo/places')).body.error.code,
    ).toBe('NOT_FOUND');
  });

  it('registers idempotently, refuses another secret, rotates, and guards offsets', async () => {
    expect(
      (await ex.admin('POST', '/writers/geo-writer', { secret: writer.secret, global: true })).status,
    ).toBe(200);
    const clash = await ex.admin<{ error: { code: string } }>('POST', '/writers/geo-writer', {
      secret: 'another secret',
      global: true,
    });
    expect([clash.status, clash.body.error.code]).toEqual([409, 'WRITER_EXISTS']);
    const other = await ex.registerWriter('other-writer');
    const peek = await ex.request<{ error: { code: string } }>('GET', '/writers/geo-writer/offsets', {
      headers: { 'x-cuttle-writer': other.writer, 'x-cuttle-secret': other.secret },
    });
    expect(peek.status).toBe(403);
    expect(
      (await ex.admin('POST', '/writers/other-writer/rotate', { secret: 'the new secret' })).status,
    ).toBe(200);
    const stale = await ex.mutate<{ error: { code: string } }>(other, 'geo', {
      mutations: [{ table: 'places', values: { region: 'x', id: 1 } }],
    });
    expect(stale.body.error.code).toBe('UNAUTHENTICATED');
    const rotated = await ex.mutate({ writer: 'other-writer', secret: 'the new secret' }, 'geo', {
      mutations: [{ table: 'places', values: { region: 'x', id: 1 } }],
    });
    expect(rotated.status).toBe(200);
    const writers = await ex.admin<{ writers: { name: string }[] }>('GET', '/writers');
    expect(writers.body.writers.map((w) => w.name)).toEqual(['geo-writer', 'other-writer']);
  });

  it('removes a writer: its secret is refused, its offsets are gone, and a second removal is 404', async () => {
    const doomed = await ex.registerWriter('doomed-writer');
    const removed = await ex.admin('DELETE', '/writers/doomed-writer');
    expect([removed.status, removed.body]).toEqual([200, { writer: 'doomed-writer', removed: true }]);
    const refused = await ex.mutate<{ error: { code: string } }>(doomed, 'geo', {
      mutations: [{ table: 'places', values: { region: 'x', id: 2 } }],
    });
    expect([refused.status, refused.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    for (const [method, path] of [
      ['DELETE', '/writers/doomed-writer'],
      ['GET', '/writers/doomed-writer/offsets'],
    ] as const) {
      const gone = await ex.admin<{ error: { code: string } }>(method, path);
      expect([gone.status, gone.body.error.code]).toEqual([404, 'WRITER_NOT_FOUND']);
    }
    const badName = await ex.admin<{ error: { code: string } }>('DELETE', '/writers/no%20such%00writer');
    expect(badName.status).toBe(400);
    const unauthorised = await ex.request('DELETE', '/writers/geo-writer');
    expect(unauthorised.status).toBe(401);
    const writers = await ex.admin<{ writers: { name: string }[] }>('GET', '/writers');
    expect(writers.body.writers.map((w) => w.name)).toEqual(['geo-writer', 'other-writer']);
  });

  it('serves health, readiness, metrics and OpenAPI', async () => {
    expect((await ex.request('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await ex.request('GET', '/readyz')).body).toEqual({ status: 'ready' });
    const metrics = await ex.request<string>('GET', '/metrics');
    expect(metrics.body).toMatch(/executive_mutations_total\{[^}]*family="geo"[^}]*\} \d+/);
    const openapi = await ex.request<{ openapi: string; paths: Record<string, unknown> }>(
      'GET',
      '/openapi.json',
    );
    expect(openapi.body.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining([
        '/families/{family}/mutations',
        '/families/{family}/tables/{table}',
        '/writers/{writer}',
        '/limits/tables/{family}/{table}',
        '/readyz',
      ]),
    );
  });
});
