/**
 * A new reflector host with REFLECTOR_SNAPSHOT_URL starts from the newest snapshot and follows the
 * ledger from its seq. The ledger below the snapshot is deleted first, so a host that replayed
 * from seq 0 would stop at the gap: reaching the head proves the snapshot was used.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LEDGER_TABLE } from '../../../lib/ledger/entry.ts';
import { openLdb } from '../../../lib/reader/ldb-reader.ts';
import { createReflectorApp } from '../../../services/reflector/app.ts';
import { loadReflectorConfig } from '../../../services/reflector/config.ts';
import { SupervisorTestContext } from './supervisor-context.ts';

let ctx: SupervisorTestContext;
afterEach(async () => {
  vi.unstubAllEnvs();
  await ctx.dispose();
});

function reflectorConfig(ldbPath: string, withSnapshots: boolean) {
  const { endpoint } = ctx.s3Settings();
  return loadReflectorConfig({
    REFLECTOR_CTLDB: ctx.ledger.address,
    REFLECTOR_LDB_PATH: ldbPath,
    REFLECTOR_PORT: '0',
    REFLECTOR_POLL_INTERVAL_MS: '20',
    ...(withSnapshots ? { REFLECTOR_SNAPSHOT_URL: ctx.storeUrl, REFLECTOR_S3_ENDPOINT: endpoint } : {}),
  });
}

describe('reflector start-up with snapshots', () => {
  it('bootstraps a new host from the newest snapshot and catches up from its seq', async () => {
    ctx = await SupervisorTestContext.open();
    for (let i = 0; i < 10; i++) await ctx.appendBatch(10);
    const supervisor = await ctx.startSupervisor('sup', { SUPERVISOR_INTERVAL_MS: '600000' });
    await ctx.waitUntil('snapshot', () => supervisor.supervisor.loop.lastOutcome === 'published');
    const snapshotSeq = supervisor.supervisor.reflector.position.seq;
    await supervisor.close();
    for (let i = 0; i < 5; i++) await ctx.appendBatch(10);
    const head = await ctx.ledger.head();
    const ctldb = new Database(ctx.ledger.address.replace(/^sqlite:/, ''));
    ctldb.prepare(`DELETE FROM ${LEDGER_TABLE} WHERE seq <= ?`).run(snapshotSeq);
    ctldb.close();

    const { accessKeyId, secretAccessKey } = ctx.s3Settings();
    vi.stubEnv('AWS_ACCESS_KEY_ID', accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', secretAccessKey);
    const app = await createReflectorApp(reflectorConfig(`${ctx.dir}/host/ldb.db`, true));
    try {
      expect(await app.reflector.waitForSeq(head, 20_000)).toBe(true);
      await ctx.waitUntil('ready', () => app.reflector.caughtUp());
      expect((await fetch(`${app.url}/ready`)).status).toBe(200);
      const reader = openLdb(`${ctx.dir}/host/ldb.db`);
      expect(reader.rowsByPrefix('snap', 'settings', []).length).toBe(150);
      reader.close();
    } finally {
      await app.close();
    }
  });

  it('without a snapshot the same ledger stops at the gap (the control case)', async () => {
    ctx = await SupervisorTestContext.open();
    for (let i = 0; i < 3; i++) await ctx.appendBatch(10);
    const ctldb = new Database(ctx.ledger.address.replace(/^sqlite:/, ''));
    ctldb.prepare(`DELETE FROM ${LEDGER_TABLE} WHERE seq <= 5`).run();
    ctldb.close();
    const app = await createReflectorApp(reflectorConfig(`${ctx.dir}/plain/ldb.db`, false));
    try {
      await ctx.waitUntil('failed', () => app.reflector.status().state === 'failed');
      expect(app.reflector.status().error?.code).toBe('LEDGER_GAP');
      expect((await fetch(`${app.url}/ready`)).status).toBe(503);
    } finally {
      await app.close();
    }
  });
});
