/**
 * Limits end to end: two executive processes on one MariaDB ctldb and one Redis, tuned through
 * the `cuttle limits` CLI.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../cli/program.ts';
import { createTestCtldb, type TestCtldb } from '../../support/ctldb.ts';
import { stackEnv } from '../../support/stack-env.ts';
import { dropPrefix, PrivateRedis, uniquePrefix } from './context.ts';
import { ExecutiveProcess, runLoader, type Writer } from './executive-processes.ts';

const FIELDS = [
  ['id', 'integer'],
  ['name', 'string'],
  ['note', 'text'],
];

interface Rig {
  readonly db: TestCtldb;
  readonly a: ExecutiveProcess;
  readonly b: ExecutiveProcess;
  readonly prefix: string;
}

async function startRig(redisUrl: string): Promise<Rig> {
  const db = await createTestCtldb('mysql', 'limits');
  const prefix = uniquePrefix('exec');
  const env = {
    EXECUTIVE_CTLDB_DRIVER: 'mysql',
    EXECUTIVE_CTLDB_URL: db.connect.driver === 'mysql' ? db.connect.url : '',
    EXECUTIVE_REDIS_URL: redisUrl,
    EXECUTIVE_ADMIN_TOKEN: `admin-${randomBytes(8).toString('hex')}`,
    EXECUTIVE_LIMITS_MODE: 'redis',
    EXECUTIVE_LIMITS_KEY_PREFIX: prefix,
    EXECUTIVE_LIMITS_MEASURE_INTERVAL_MS: '500',
    EXECUTIVE_LIMITS_FALLBACK_SHARE: '2',
  };
  const [a, b] = await Promise.all([ExecutiveProcess.start(env), ExecutiveProcess.start(env)]);
  return { db, a, b, prefix };
}

async function stopRig(rig: Rig | undefined, redisUrl = stackEnv.redisUrl): Promise<void> {
  if (rig === undefined) return;
  await Promise.all([rig.a.stop(), rig.b.stop()]);
  await dropPrefix(rig.prefix, redisUrl).catch(() => undefined);
  await rig.db.close();
}

async function setUpTables(
  rig: Rig,
  tables: readonly string[],
  writers: readonly string[],
): Promise<Writer[]> {
  expect((await rig.a.admin('POST', '/families/fam')).status).toBe(201);
  for (const table of tables) {
    const created = await rig.a.admin('POST', `/families/fam/tables/${table}`, {
      fields: FIELDS,
      keyFields: ['id'],
    });
    expect(created.status).toBe(201);
  }
  return Promise.all(
    writers.map(async (name) => {
      const secret = `secret-${randomBytes(8).toString('hex')}`;
      expect((await rig.a.admin('POST', `/writers/${name}`, { secret, families: ['fam'] })).status).toBe(201);
      return { name, secret };
    }),
  );
}

async function cuttle(
  executive: ExecutiveProcess,
  ...args: string[]
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['--executive', executive.url, '--admin-token', executive.adminToken, ...args], {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function rowCount(rig: Rig, table: string): Promise<number> {
  const [row] = await rig.db.ctldb.all(`SELECT COUNT(*) AS n FROM "fam___${table}"`);
  return Number(row?.n);
}

describe('two executives sharing limits through Redis', () => {
  let rig: Rig | undefined;
  let loader: Writer;
  let other: Writer;

  beforeAll(async () => {
    rig = await startRig(stackEnv.redisUrl);
    const writers = await setUpTables(rig, ['items', 'quota'], ['loader-a', 'other-b']);
    loader = writers[0]!;
    other = writers[1]!;
  });
  afterAll(() => stopRig(rig));

  it('a limit changed through the CLI applies to both executives within a second', async () => {
    const { a, b } = rig!;
    const set = await cuttle(a, 'limits', 'set', 'writer', 'loader-a', '--rate', '50/500ms');
    expect(set).toMatchObject({ code: 0, err: '' });
    const changed = performance.now();
    for (const executive of [a, b]) {
      await vi.waitFor(
        async () => {
          const shown = await cuttle(executive, '--json', 'limits', 'show', 'writer', 'loader-a');
          expect(JSON.parse(shown.out)).toMatchObject({
            rate: { perSecond: 100, burst: 50 },
            overridden: true,
            mode: 'redis',
          });
        },
        { timeout: 1000, interval: 20 },
      );
    }
    expect(performance.now() - changed).toBeLessThan(1000);
    const list = await cuttle(b, 'limits', 'list');
    expect(list.out).toMatch(/loader-a\s+100\/s burst 50\s+\d+%\s+override/);
    expect(list.out).toMatch(/other-b\s+1000\/s burst 1000\s+\d+%\s+default/);
  });

  it('an over-limit writer gets 429 with Retry-After and the limit named, and nothing of that batch is written', async () => {
    const { a, b } = rig!;
    const batch = (from: number) => ({
      mutations: Array.from({ length: 48 }, (_, k) => ({
        table: 'items',
        values: { id: 10_000 + from + k, name: 'burst', note: null },
      })),
    });
    // Burst 50 shared by both executives: of two batches of 48 sent at once, one waits.
    type Refusal = { error: { code: string; details: Record<string, unknown> } };
    const answers = await Promise.all([
      a.mutate<Refusal>(loader, 'fam', batch(0)),
      b.mutate<Refusal>(loader, 'fam', batch(48)),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 429]);
    const refused = answers.find((r) => r.status === 429)!;
    const refusedFrom = answers[0] === refused ? 0 : 48;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.body.error).toMatchObject({
      code: 'RATE_LIMITED',
      details: { limit: 'writer_rate', writer: 'loader-a', perSecond: 100, burst: 50, mutations: 48 },
    });
    expect(refused.body.error.details.retryAfterMs).toBeGreaterThan(0);
    const counts = await rig!.db.ctldb.all(
      'SELECT COUNT(*) AS n FROM "fam___items" WHERE id >= ? AND id < ?',
      [10_000 + refusedFrom, 10_048 + refusedFrom],
    );
    expect(Number(counts[0]?.n)).toBe(0);
  });

  it('a loader writing above its limit delivers every change, in order, just later', async () => {
    const run = await runLoader([rig!.a, rig!.b], loader, {
      family: 'fam',
      table: 'items',
      batches: 20,
      size: 10,
    });
    // 220 mutations at 100/s with a burst of 50 take at least 1.7 s.
    expect(run.statuses[429]).toBeGreaterThan(0);
    expect(Object.keys(run.statuses).sort()).toEqual(['200', '429']);
    expect(run.elapsedMs).toBeGreaterThan(1500);
    const rows = await rig!.db.ctldb.all('SELECT id, name FROM "fam___items" WHERE id <= 200 ORDER BY id');
    expect(rows).toHaveLength(201);
    expect(rows[0]).toMatchObject({ name: '19' }); // the last batch's value of row 0 won
    const offsets = await rig!.a.admin<{ offsets: { stream: string; next: string }[] }>(
      'GET',
      '/writers/loader-a/offsets',
    );
    expect(offsets.body.offsets).toEqual([expect.objectContaining({ stream: 'topic/0', next: '20' })]);
  });

  it('a table over its hard quota refuses growth and accepts deletes; the soft quota raises its metric', async () => {
    const { a, b } = rig!;
    await runLoader([a], other, { family: 'fam', table: 'quota', batches: 10, size: 20 });
    expect(await rowCount(rig!, 'quota')).toBe(201);
    const measured = async () => {
      const shown = await cuttle(b, '--json', 'limits', 'show', 'table', 'fam.quota');
      return JSON.parse(shown.out) as {
        size: { rows: number; quotaBytes: number } | null;
        overSoft: boolean;
        overHard: boolean;
      };
    };
    await vi.waitFor(async () => expect((await measured()).size?.rows).toBe(201), {
      timeout: 5000,
      interval: 100,
    });
    const bytes = (await measured()).size!.quotaBytes;
    const set = await cuttle(
      a,
      'limits',
      'set',
      'table',
      'fam.quota',
      '--max-bytes',
      String(bytes + 200),
      '--warn-bytes',
      String(bytes - 100),
    );
    expect(set.code).toBe(0);
    await vi.waitFor(
      async () => expect(await measured()).toMatchObject({ overSoft: true, overHard: false }),
      { timeout: 1000, interval: 20 },
    );

    // The table gauges follow within a second (each executive republishes them on its size poll).
    await vi.waitFor(
      async () => {
        const metrics = await b.request<string>('GET', '/metrics');
        expect(metrics.body).toMatch(/cuttle_limits_table_over_soft\{[^}]*table="quota"[^}]*\} 1/);
      },
      { timeout: 2000, interval: 100 },
    );
    const grow = {
      mutations: Array.from({ length: 5 }, (_, k) => ({
        table: 'quota',
        values: { id: 5000 + k, name: 'more', note: 'y'.repeat(100) },
      })),
    };
    const full = await b.mutate<{ error: { code: string; details: Record<string, unknown> } }>(
      other,
      'fam',
      grow,
    );
    expect(full.status).toBe(507);
    expect(full.body.error).toMatchObject({
      code: 'TABLE_FULL',
      details: { limit: 'table_size', family: 'fam', table: 'quota' },
    });
    const deletes = {
      mutations: Array.from({ length: 50 }, (_, k) => ({ table: 'quota', op: 'delete', key: { id: 1 + k } })),
    };
    expect((await a.mutate(other, 'fam', deletes)).status).toBe(200);
    expect(await rowCount(rig!, 'quota')).toBe(151);

    // Once measured without the deleted rows, the table has room again.
    await vi.waitFor(async () => expect((await measured()).size?.rows).toBe(151), {
      timeout: 5000,
      interval: 100,
    });
    expect((await b.mutate(other, 'fam', grow)).status).toBe(200);
  });
});

describe('two executives while Redis is killed and restarted', () => {
  let redis: PrivateRedis;
  let rig: Rig | undefined;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    rig = await startRig(redis.url);
  });
  afterAll(async () => {
    await redis.restart();
    await stopRig(rig, redis.url);
    await redis.kill();
  });

  it('writes go on under each executive’s share, readiness reports it, and nothing is lost', async () => {
    const [loader] = await setUpTables(rig!, ['items'], ['loader-r']);
    const { a, b } = rig!;
    expect((await cuttle(a, 'limits', 'set', 'writer', 'loader-r', '--rate', '100/s')).code).toBe(0);
    const ready = async (e: ExecutiveProcess) =>
      await e.request<{ status?: string; limiter?: string }>('GET', '/readyz');
    expect((await ready(a)).status).toBe(200);
    let batch = 0;
    const outage = { killedAt: 30, restartAt: 60, readyDuring: [] as number[] };
    const run = await runLoader([a, b], loader!, {
      family: 'fam',
      table: 'items',
      batches: 90,
      size: 10,
      between: async () => {
        batch++;
        if (batch === outage.killedAt) await redis.kill();
        if (batch === outage.killedAt + 5) {
          for (const e of [a, b]) {
            const r = await ready(e);
            outage.readyDuring.push(r.status);
            expect(r.body).toEqual({ status: 'degraded', limiter: 'fallback' });
          }
        }
        if (batch === outage.restartAt) await redis.restart();
      },
    });
    // Still in rotation: the fallback admits each executive's share of the limit.
    expect(outage.readyDuring).toEqual([200, 200]);
    // Every batch was delivered; refusals only delayed them (no 5xx: Redis is not on the write path).
    expect(Object.keys(run.statuses).sort()).toEqual(['200', '429']);
    expect(await rowCount(rig!, 'items')).toBe(901);
    const offsets = await a.admin<{ offsets: { next: string }[] }>('GET', '/writers/loader-r/offsets');
    expect(offsets.body.offsets[0]?.next).toBe('90');
    await vi.waitFor(
      async () =>
        expect([(await ready(a)).body, (await ready(b)).body]).toEqual([
          { status: 'ready' },
          { status: 'ready' },
        ]),
      {
        timeout: 5000,
        interval: 100,
      },
    );
  });
});
