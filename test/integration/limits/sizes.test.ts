import { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../lib/config.ts';
import { createLogger } from '../../../lib/logging.ts';
import { Registry } from '../../../lib/metrics.ts';
import { createLimits, type Limits } from '../../../services/executive/limits/create-limits.ts';
import { CtldbTableSizeSource } from '../../../services/executive/limits/ctldb-size-source.ts';
import { limitsOptions } from '../../../services/executive/limits/limits-config.ts';
import { RedisLimitsStore } from '../../../services/executive/limits/redis-store-adapter.ts';
import { createTestCtldb, type TestCtldb } from '../../support/ctldb.ts';
import { stackEnv } from '../../support/stack-env.ts';
import { dropPrefix, keysFor, metricValue, MutableSettings, uniquePrefix } from './context.ts';

const prefix = uniquePrefix('sizes');
const INTERVAL_MS = 400;
const settings = new MutableSettings();
const logLines: Record<string, unknown>[] = [];
const executives: { limits: Limits; registry: Registry }[] = [];
let db: TestCtldb;
let counter: RedisLimitsStore;

const upserts = (table: string, rows: number, bytes: number, deletes = 0) => ({
  writer: 'loader-1',
  family: 'fam',
  tables: [{ table, mutations: rows + deletes, upserts: rows, deletes, upsertBytes: bytes }],
});

/** Rows with known value sizes: id (8) + name (utf-8 bytes) + note (bytes, or 1 when NULL). */
async function insertRows(table: string, from: number, count: number): Promise<number> {
  let bytes = 0;
  for (let id = from; id < from + count; id++) {
    const name = `name-é-${id}`;
    const note = id % 3 === 0 ? null : 'x'.repeat(id % 200);
    await db.ctldb.run(`INSERT INTO "fam___${table}" (id, name, note) VALUES (?, ?, ?)`, [id, name, note]);
    bytes += 8 + Buffer.byteLength(name) + (note === null ? 1 : note.length);
  }
  return bytes;
}

function startExecutive(): { limits: Limits; registry: Registry } {
  const registry = new Registry();
  const log = createLogger({
    service: 'executive',
    destination: new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  });
  const config = loadConfig('T', limitsOptions, {
    T_LIMITS_REDIS_URL: stackEnv.redisUrl,
    T_LIMITS_KEY_PREFIX: prefix,
    T_LIMITS_MEASURE_INTERVAL_MS: String(INTERVAL_MS),
    T_LIMITS_WRITER_RATE_PER_SECOND: '0',
    T_LIMITS_TABLE_WARN_BYTES: '0',
    T_LIMITS_TABLE_MAX_BYTES: '0',
  });
  const limits = createLimits(config, {
    settingsSource: settings,
    sizeSource: new CtldbTableSizeSource(db.ctldb, 'mysql'),
    log,
    registry,
    queuePrefix: prefix,
  });
  return { limits, registry };
}

beforeAll(async () => {
  db = await createTestCtldb('mysql', 'limits');
  for (const table of ['small', 'quota']) {
    await db.ctldb.ddl(
      `CREATE TABLE "fam___${table}" (id BIGINT NOT NULL, name VARCHAR(191) CHARACTER SET utf8mb4 NOT NULL, note MEDIUMTEXT NULL, PRIMARY KEY (id)) ENGINE=InnoDB`,
    );
  }
  counter = new RedisLimitsStore({ url: stackEnv.redisUrl, keys: keysFor(prefix) });
  await counter.connect();
  for (let i = 0; i < 2; i++) executives.push(startExecutive());
  for (const e of executives) await e.limits.start();
});

afterAll(async () => {
  for (const e of executives) await e.limits.stop();
  await counter.close();
  await dropPrefix(prefix);
  await db.close();
});

describe('table sizes', () => {
  it('are measured exactly, once per interval however many executives run', async () => {
    const expected = await insertRows('small', 1, 300);
    const before = await counter.measurementCount();
    const started = performance.now();
    await delay(INTERVAL_MS * 8);
    const measured = (await counter.measurementCount()) - before;
    const intervals = (performance.now() - started) / INTERVAL_MS;
    // Two executives, each with a worker: still one measurement per interval (not two).
    expect(measured).toBeGreaterThanOrEqual(Math.floor(intervals) - 2);
    expect(measured).toBeLessThanOrEqual(Math.ceil(intervals) + 1);
    const usage = await executives[1]!.limits.limiter.usage({
      writers: [],
      tables: [{ family: 'fam', table: 'small' }],
    });
    expect(usage.tables[0]!.size).toMatchObject({ rows: 300, dataBytes: expected });
    expect(usage.tables[0]!.size!.ldbBytes).toBeGreaterThan(expected);
    expect(await metricValue(executives[0]!.registry, 'cuttle_limits_table_rows', { table: 'small' })).toBe(
      300,
    );
  });

  it('over the soft quota: a metric, one log line and a warning on the table status', async () => {
    const { limiter } = executives[0]!.limits;
    const status = async () =>
      (await limiter.usage({ writers: [], tables: [{ family: 'fam', table: 'small' }] })).tables[0]!;
    const ldbBytes = (await status()).size!.ldbBytes;
    settings.overrides = {
      writers: [],
      tables: [{ family: 'fam', table: 'small', warnBytes: ldbBytes - 100 }],
    };
    for (const e of executives) await e.limits.limiter.settingsChanged();
    await vi.waitFor(
      async () => {
        expect(await status()).toMatchObject({ overSoft: true, overHard: false, warnBytes: ldbBytes - 100 });
        expect(
          await metricValue(executives[1]!.registry, 'cuttle_limits_table_over_soft', { table: 'small' }),
        ).toBe(1);
        expect(
          logLines.filter(
            (l) => l.msg === 'limits: table is over its soft size quota' && l.table === 'small',
          ),
        ).toHaveLength(1);
      },
      { timeout: 5000, interval: 100 },
    );
    // Further measurements do not repeat the line.
    await delay(INTERVAL_MS * 3);
    expect(logLines.filter((l) => l.msg === 'limits: table is over its soft size quota')).toHaveLength(1);
    // Writes still pass: the soft quota only warns.
    await limiter.admit(upserts('small', 10, 1000));
  });

  it('over the hard quota: growth is refused with TABLE_FULL, deletes and replacements pass', async () => {
    await insertRows('quota', 1, 200);
    const [a, b] = executives.map((e) => e.limits.limiter);
    await executives[0]!.limits.measureNow();
    const size = async () =>
      (await a!.usage({ writers: [], tables: [{ family: 'fam', table: 'quota' }] })).tables[0]!.size;
    await vi.waitFor(async () => expect((await size())?.rows).toBe(200), { timeout: 5000 });
    const ldbBytes = (await size())!.ldbBytes;
    // Room for about 500 LDB bytes: a small upsert fits, ten rows of 50 bytes (~750) do not.
    const maxBytes = ldbBytes + 500;
    settings.overrides = { writers: [], tables: [{ family: 'fam', table: 'quota', maxBytes }] };
    await a!.settingsChanged();
    await vi.waitFor(async () => {
      const u = await b!.usage({ writers: [], tables: [{ family: 'fam', table: 'quota' }] });
      expect(u.tables[0]!.maxBytes).toBe(maxBytes);
    });

    await a!.admit(upserts('quota', 1, 10));
    const full = await b!.admit(upserts('quota', 10, 500)).catch((e: unknown) => e);
    expect(full).toMatchObject({
      code: 'TABLE_FULL',
      status: 507,
      details: { limit: 'table_size', family: 'fam', table: 'quota', maxBytes },
    });
    await b!.admit(upserts('quota', 0, 0, 50)); // deletes only
    await b!.admit(upserts('quota', 2, 100, 2)); // replaces two rows by two small ones
    expect(
      await metricValue(executives[1]!.registry, 'cuttle_limits_rejections_total', { limit: 'table_size' }),
    ).toBe(1);

    // The rows really were added: the next measurement keeps the table over its quota ...
    await insertRows('quota', 1000, 30);
    await executives[1]!.limits.measureNow();
    await vi.waitFor(async () => expect((await size())?.rows).toBe(230), { timeout: 5000 });
    await expect(a!.admit(upserts('quota', 1, 10))).rejects.toMatchObject({ code: 'TABLE_FULL' });
    // ... and deleting them makes room again once measured.
    await db.ctldb.run('DELETE FROM "fam___quota" WHERE id >= 1000 OR id <= 100');
    await executives[0]!.limits.measureNow();
    await vi.waitFor(async () => expect((await size())?.rows).toBe(100), { timeout: 5000 });
    await a!.admit(upserts('quota', 1, 10));
  });
});
