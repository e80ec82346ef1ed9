/**
 * Heartbeats: a local timer without Redis; with Redis a BullMQ job scheduler shared by several
 * executives, which between them write one heartbeat per interval (not one each). Also the Redis
 * ledger wake-up.
 */
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Ctldb } from '../../../lib/ctldb/dialect.ts';
import { CtldbLedgerSource } from '../../../lib/ctldb/ledger-source.ts';
import { openCtldb } from '../../../lib/ctldb/open.ts';
import { RedisLedgerAdvanceSource } from '../../../lib/ledger/redis-notifier-adapter.ts';
import { silentLogger } from '../../../lib/logging.ts';
import { createExecutive, type Executive } from '../../../services/executive/app.ts';
import { createTestCtldb, type TestCtldb } from '../../support/ctldb.ts';
import { startTestExecutive, testExecutiveConfig } from '../../support/executive.ts';
import { stackEnv } from '../../support/stack-env.ts';

async function heartbeats(ctldb: Ctldb): Promise<number> {
  const entries = await new CtldbLedgerSource(ctldb).readAfter(0, 100_000);
  return entries.filter((e) => e.op === 'heartbeat' && e.family === '' && e.table === '' && e.batchEnd)
    .length;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('heartbeat', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('writes heartbeat entries on a local timer without Redis (embedded mode)', async () => {
    const ex = await startTestExecutive('sqlite', { config: { heartbeatIntervalMs: 100 } });
    cleanups.push(() => ex.close());
    await waitFor(async () => (await heartbeats(ex.db.ctldb)) >= 3, 10_000);
  });

  it('lets several executives write one heartbeat per interval through a BullMQ job scheduler', async () => {
    const prefix = `cuttle-test-${randomBytes(4).toString('hex')}`;
    const db: TestCtldb = await createTestCtldb('mysql', 'heartbeat');
    cleanups.push(() => db.close());
    const redis = new Redis(stackEnv.redisUrl);
    cleanups.push(async () => {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    });
    const interval = 250;
    const executives: Executive[] = [];
    const pools: Ctldb[] = [];
    for (let i = 0; i < 3; i++) {
      const ctldb = await openCtldb(db.connect, { runMigrations: false });
      pools.push(ctldb);
      executives.push(
        await createExecutive(
          testExecutiveConfig({ redisUrl: stackEnv.redisUrl, heartbeatIntervalMs: interval }),
          { ctldb, bullmqPrefix: prefix },
        ),
      );
    }
    const started = Date.now();
    await waitFor(async () => (await heartbeats(db.ctldb)) >= 4, 15_000);
    await new Promise((r) => setTimeout(r, 1000));
    for (const ex of executives) await ex.close();
    const elapsed = Date.now() - started;
    for (const pool of pools) await pool.close();
    const count = await heartbeats(db.ctldb);
    // Three independent timers would write about three per interval.
    expect(count).toBeLessThanOrEqual(Math.ceil(elapsed / interval) + 2);
  });

  it('publishes the new head seq on Redis after each commit', async () => {
    const subscriber = new RedisLedgerAdvanceSource(stackEnv.redisUrl, silentLogger());
    cleanups.push(() => subscriber.close());
    await subscriber.start();
    const seen: number[] = [];
    subscriber.subscribe((seq) => seen.push(seq));
    const ex = await startTestExecutive('sqlite', { config: { redisUrl: stackEnv.redisUrl } });
    cleanups.push(() => ex.close());
    await ex.setupTable('wake', 'things', [['id', 'integer']], ['id']);
    const writer = await ex.registerWriter('waker');
    const r = await ex.mutate<{ lastSeq: number }>(writer, 'wake', {
      mutations: [{ table: 'things', values: { id: 1 } }],
    });
    await waitFor(() => Promise.resolve(seen.includes(r.body.lastSeq)), 5_000);
  });
});
