/**
 * The OpenAPI document's security matches the code, route by route: walks every operation of
 * /openapi.json against the running executive, without credentials (an operation that declares
 * security must answer 401; one that declares none must not ask for any) and with each declared
 * alternative (which must be let through). In both metadata-access modes.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAMILY, HostileRig, TABLE } from './rig.ts';

type Security = Record<string, string[]>[];
interface OpenApi {
  readonly paths: Record<string, Record<string, { readonly security?: Security }>>;
}

const METHODS = ['get', 'post', 'put', 'delete', 'patch'];

describe.each(['open', 'token'] as const)('OpenAPI security with metadataAccess=%s', (metadataAccess) => {
  const metricsToken = `metrics-${randomBytes(6).toString('hex')}`;
  let rig: HostileRig;
  let operations: { method: string; path: string; security: Security }[];

  beforeAll(async () => {
    rig = await HostileRig.start('sqlite', { metadataAccess, metricsToken });
    const doc = (await rig.ex.request<OpenApi>('GET', '/openapi.json')).body;
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, op]) => ({ method: method.toUpperCase(), path, security: op.security ?? [] })),
    );
  });
  afterAll(() => rig.close());

  const concrete = (path: string): string =>
    path
      .replaceAll('{family}', FAMILY)
      .replaceAll('{table}', TABLE)
      .replaceAll('{writer}', rig.writer.writer);

  const credentials = (scheme: string): Record<string, string> => {
    if (scheme === 'admin') return { authorization: `Bearer ${rig.ex.adminToken}` };
    if (scheme === 'metrics') return { authorization: `Bearer ${metricsToken}` };
    if (scheme === 'writer') return { 'x-cuttle-writer': rig.writer.writer };
    if (scheme === 'writerSecret') return { 'x-cuttle-secret': rig.writer.secret };
    throw new Error(`the document names a security scheme the test does not know: ${scheme}`);
  };

  it('documents every route the executive serves, each with its security', () => {
    expect(operations.length).toBeGreaterThan(25);
    const routes = operations.map((o) => `${o.method} ${o.path}`);
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /families/{family}/tables/{table}/rows/get',
        'POST /families/{family}/tables/{table}/rows/scan',
        'GET /writers/{writer}/offsets',
        'PUT /writers/{writer}/scope',
        'GET /metrics',
      ]),
    );
  });

  it('answers 401 without credentials exactly where the document declares security', async () => {
    for (const op of operations) {
      const r = await rig.ex.request<{ error?: { code: string } }>(op.method, concrete(op.path));
      const label = `${op.method} ${op.path}: ${r.status} ${JSON.stringify(r.body)}`;
      if (op.security.length === 0) expect([401, 403], label).not.toContain(r.status);
      else expect([r.status, r.body.error?.code], label).toEqual([401, 'UNAUTHENTICATED']);
    }
  });

  it('lets each declared alternative through', async () => {
    // Deletions last: DELETE /writers/{writer} removes the writer the other operations act as.
    const deletionsLast = [...operations].sort(
      (a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'),
    );
    for (const op of deletionsLast) {
      for (const requirement of op.security) {
        const headers = Object.assign({}, ...Object.keys(requirement).map(credentials)) as Record<
          string,
          string
        >;
        const r = await rig.ex.request(op.method, concrete(op.path), { headers });
        expect(
          [401, 403, 429],
          `${op.method} ${op.path} as ${Object.keys(requirement).join('+')}: ${r.status}`,
        ).not.toContain(r.status);
      }
    }
  });
});
