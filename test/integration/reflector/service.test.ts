/**
 * The reflector service as main.ts composes it (createReflectorApp): Redis wake-ups end a long
 * poll wait at once, and the HTTP endpoint serves health, readiness, metrics and the sidecar.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { LEDGER_ADVANCED_CHANNEL } from '../../../lib/ledger/entry.ts';
import { sleep } from '../../../lib/lifecycle.ts';
import { silentLogger } from '../../../lib/logging.ts';
import { openLdb, type LdbReader } from '../../../lib/reader/ldb-reader.ts';
import type { TableSchema } from '../../../lib/schema/types.ts';
import { createReflectorApp, type ReflectorApp } from '../../../services/reflector/app.ts';
import { loadReflectorConfig } from '../../../services/reflector/config.ts';
import { tempDir, type TempDir } from '../../support/ldb.ts';
import { op, openLedgerFixture, type LedgerFixture } from '../../support/ledger-fixture.ts';
import { stackEnv } from '../../support/stack-env.ts';

const flags: TableSchema = {
  family: 'acme',
  table: 'flags',
  fields: [
    { name: 'tenant', type: 'string' },
    { name: 'tag', type: 'bytestring' },
    { name: 'big', type: 'integer' },
    { name: 'rate', type: 'decimal' },
  ],
  keyFields: ['tenant', 'tag'],
};

let ledger: LedgerFixture | undefined;
let dir: TempDir | undefined;
let app: ReflectorApp | undefined;
afterEach(async () => {
  await app?.close();
  await ledger?.close();
  dir?.remove();
  app = undefined;
});

async function start(
  env: Record<string, string>,
): Promise<{ app: ReflectorApp; ledger: LedgerFixture; ldbPath: string }> {
  ledger = await openLedgerFixture('mysql');
  dir = tempDir();
  const ldbPath = dir.file('ldb.db');
  const config = loadReflectorConfig({
    REFLECTOR_CTLDB: ledger.address,
    REFLECTOR_LDB_PATH: ldbPath,
    REFLECTOR_PORT: '0',
    ...env,
  });
  app = await createReflectorApp(config, { log: silentLogger() });
  return { app, ledger, ldbPath };
}

async function seenWithin(reader: LdbReader, seq: number, ms: number): Promise<number | null> {
  const started = performance.now();
  while (performance.now() - started < ms) {
    if (reader.lastSeq() >= seq) return performance.now() - started;
    await sleep(2);
  }
  return null;
}

describe('reflector service', () => {
  it('applies a committed batch right after a Redis PUBLISH even with a 5 s poll interval', async () => {
    const { ledger, ldbPath, app } = await start({
      REFLECTOR_REDIS_URL: stackEnv.redisUrl,
      REFLECTOR_POLL_INTERVAL_MS: '5000',
      REFLECTOR_POLL_JITTER: '0',
    });
    const redis = new Redis(stackEnv.redisUrl);
    const { lastSeq: created } = await ledger.append([op.createTable(flags)]);
    await redis.publish(LEDGER_ADVANCED_CHANNEL, String(created));
    expect(await app.reflector.waitForSeq(created, 2000)).toBe(true);
    const reader = openLdb(ldbPath);
    try {
      // Without a notification the committed batch waits for the next poll (seconds away).
      const quiet = await ledger.append([op.upsert(flags, { tenant: 'q', tag: Buffer.from('x') })]);
      expect(await seenWithin(reader, quiet.lastSeq, 1000)).toBeNull();
      await redis.publish(LEDGER_ADVANCED_CHANNEL, String(quiet.lastSeq));
      for (let i = 0; i < 3; i++) {
        const { lastSeq } = await ledger.append([
          op.upsert(flags, { tenant: `t${i}`, tag: Buffer.from([i]) }),
        ]);
        await redis.publish(LEDGER_ADVANCED_CHANNEL, String(lastSeq));
        const lag = await seenWithin(reader, lastSeq, 4000);
        expect(lag).not.toBeNull();
        expect(lag).toBeLessThan(1000);
      }
    } finally {
      reader.close();
      await redis.quit();
    }
  });

  it('serves health, readiness, metrics and the sidecar read API', async () => {
    const { ledger, app } = await start({
      REFLECTOR_SIDECAR: 'true',
      REFLECTOR_POLL_INTERVAL_MS: '20',
      REFLECTOR_SIDECAR_MAX_ROWS: '3',
    });
    const rows = [
      { tenant: 'a', tag: Buffer.from([1]), big: 2n ** 60n, rate: '0.125' },
      { tenant: 'a', tag: Buffer.from([2]), big: -5n, rate: null },
      { tenant: 'a', tag: Buffer.from([3]), big: 7n, rate: '1' },
      { tenant: 'b', tag: Buffer.from('b'), big: 0n, rate: '2.5' },
    ];
    const { lastSeq } = await ledger.append([
      op.createTable(flags),
      ...rows.map((r) => op.upsert(flags, r)),
      op.heartbeat(),
    ]);
    expect(await app.reflector.waitForSeq(lastSeq, 10_000)).toBe(true);
    const get = (path: string, init?: RequestInit): Promise<Response> => fetch(`${app.url}${path}`, init);

    expect((await get('/health')).status).toBe(200);
    for (let i = 0; i < 100 && (await get('/ready')).status !== 200; i++) await sleep(20);
    expect(await (await get('/ready')).json()).toMatchObject({ caughtUp: true, seq: lastSeq });
    const metrics = await (await get('/metrics')).text();
    expect(metrics).toContain(`cuttle_reflector_seq{service="reflector"} ${lastSeq}`);
    expect(metrics).toContain('cuttle_reflector_batch_apply_seconds_bucket');

    const row = await get(`/v1/acme/flags/row?tenant=a&tag=${Buffer.from([1]).toString('base64')}`);
    expect(await row.json()).toEqual({ tenant: 'a', tag: 'AQ==', big: '1152921504606846976', rate: '0.125' });
    const missing = await get('/v1/acme/flags/row?tenant=z&tag=AA==');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'ROW_NOT_FOUND' } });
    expect((await (await get('/v1/acme/flags/row?tenant=a')).json()) as object).toMatchObject({
      error: { code: 'MISSING_KEY_FIELD' },
    });
    expect((await get('/v1/acme/nope/row?x=1')).status).toBe(404);

    const page1 = (await (await get('/v1/acme/flags/rows?tenant=a&limit=2')).json()) as {
      rows: { big: unknown }[];
      next: string;
    };
    expect(page1.rows.map((r) => r.big)).toEqual(['1152921504606846976', -5]);
    const page2 = (await (await get(`/v1/acme/flags/rows?tenant=a&limit=2&after=${page1.next}`)).json()) as {
      rows: { big: unknown }[];
      next: string | null;
    };
    expect(page2).toEqual({ rows: [expect.objectContaining({ big: 7 })], next: null });
    expect((await get('/v1/acme/flags/rows?limit=4')).status).toBe(400);
    expect(await (await get('/v1/staleness')).json()).toMatchObject({ seq: lastSeq });

    // ctlstore's routes
    const post = (path: string, body: unknown): Promise<Response> =>
      get(path, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
    const legacy = await post('/get-row-by-key/acme/flags', { Key: [{ Value: 'b' }, { Value: 'b' }] });
    expect(await legacy.json()).toMatchObject({ tenant: 'b', big: 0 });
    const notFound = await post('/get-row-by-key/acme/flags', { Key: [{ Value: 'b' }, { Binary: 'AA==' }] });
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('x-ctlstore')).toBe('Not Found');
    expect((await post('/get-rows-by-key-prefix/acme/flags', { Key: [] })).status).toBe(416);
    expect(
      await (await post('/get-rows-by-key-prefix/acme/flags', { Key: [{ Value: 'b' }] })).json(),
    ).toHaveLength(1);
    expect(await (await get('/get-ledger-latency')).json()).toMatchObject({ unit: 'seconds' });
    expect((await get('/healthcheck')).status).toBe(200);
  });
});
