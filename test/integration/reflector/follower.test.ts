/**
 * The follow loop against a real ledger: gaps stop it loudly and nothing is skipped, a restart
 * resumes from the LDB's seq, heartbeats drive staleness and readiness, the WAL stays bounded
 * while a reader pins an old snapshot, and ctldb need not be reachable at start.
 */
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Reflector } from '../../../lib/ldb/reflector.ts';
import { openLedgerSource } from '../../../lib/ledger/sources/open.ts';
import { sleep } from '../../../lib/lifecycle.ts';
import { silentLogger } from '../../../lib/logging.ts';
import { createRegistry, type Registry } from '../../../lib/metrics.ts';
import { openLdb } from '../../../lib/reader/ldb-reader.ts';
import type { TableSchema } from '../../../lib/schema/types.ts';
import { tempDir } from '../../support/ldb.ts';
import { op, openLedgerFixture, type RawEntry } from '../../support/ledger-fixture.ts';
import { openReflectorContext, type ReflectorContext } from './reflector-context.ts';

const kv: TableSchema = {
  family: 'acme',
  table: 'kv',
  fields: [
    { name: 'k', type: 'string' },
    { name: 'v', type: 'text' },
  ],
  keyFields: ['k'],
};

async function metric(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = found?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return Number(value?.value ?? 0);
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(10);
  }
}

function raw(seq: number, batchSeq: number, batchEnd: boolean, key: string): RawEntry {
  return {
    seq,
    batchSeq,
    batchEnd,
    committedAt: Date.now(),
    family: 'acme',
    table: 'kv',
    op: 'upsert',
    payload: { values: { k: key, v: 'x' } },
  };
}

let ctx: ReflectorContext | undefined;
afterEach(async () => {
  await ctx?.close();
  ctx = undefined;
});

describe('ledger follower', () => {
  it('stops at a gap with LEDGER_GAP and a metric, never skipping; resumes once the gap is filled', async () => {
    ctx = await openReflectorContext('mysql');
    const created = await ctx.commit([op.createTable(kv)]);
    await ctx.ledger.appendRaw([
      raw(created + 2, created + 2, true, 'after-gap'),
      raw(created + 3, created + 3, true, 'later'),
    ]);
    const reflector = ctx.reflector;
    await until(() => reflector.status().state === 'failed');
    expect(reflector.status().error?.code).toBe('LEDGER_GAP');
    expect(reflector.status().error?.message).toContain(
      `expected seq ${created + 1} next, found ${created + 2}`,
    );
    expect(await metric(ctx.registry, 'cuttle_reflector_ledger_gaps_total')).toBe(1);
    expect(reflector.position.seq).toBe(created);
    await sleep(100);
    expect(reflector.position.seq).toBe(created);

    await ctx.ledger.appendRaw([raw(created + 1, created + 1, true, 'the-gap')]);
    await ctx.restart();
    expect(await ctx.reflector.waitForSeq(created + 3, 10_000)).toBe(true);
    const reader = openLdb(ctx.ldbPath);
    expect(reader.rowsByPrefix('acme', 'kv', []).map((r) => r['k'])).toEqual([
      'after-gap',
      'later',
      'the-gap',
    ]);
    reader.close();
  });

  it('resumes from the LDB seq after a restart, applying only what is new', async () => {
    ctx = await openReflectorContext('sqlite');
    await ctx.commit([op.createTable(kv), op.upsert(kv, { k: 'a', v: '1' })]);
    await ctx.reflector.stop();
    await ctx.ledger.append([op.upsert(kv, { k: 'b', v: '2' })]);
    await ctx.ledger.append([op.upsert(kv, { k: 'c', v: '3' }), op.delete(kv, { k: 'a' })]);
    await ctx.restart();
    expect(await ctx.reflector.waitForSeq(5, 10_000)).toBe(true);
    expect(await metric(ctx.registry, 'cuttle_reflector_entries_applied_total')).toBe(3);
    expect(await metric(ctx.registry, 'cuttle_reflector_batches_applied_total')).toBe(2);
  });

  it('uses heartbeats as the staleness anchor; ready only when caught up and fresh', async () => {
    ctx = await openReflectorContext('sqlite', { maxStalenessSeconds: 60 });
    await ctx.commit([op.heartbeat()], Date.now() - 120_000);
    const reflector = ctx.reflector;
    await until(() => reflector.status().headSeq === 1);
    expect(reflector.status().stalenessSeconds).toBeGreaterThan(119);
    expect(reflector.caughtUp()).toBe(false);
    await ctx.commit([op.heartbeat()], Date.now() - 1000);
    await until(() => reflector.caughtUp());
    expect(reflector.status().stalenessSeconds).toBeLessThan(30);
    expect(await metric(ctx.registry, 'cuttle_reflector_caught_up')).toBe(1);
    expect(await metric(ctx.registry, 'cuttle_reflector_seq')).toBe(2);
  });

  it('keeps the WAL bounded: escalates to TRUNCATE once a long reader lets go', async () => {
    const maxWalBytes = 512 * 1024;
    ctx = await openReflectorContext('sqlite', {
      checkpoint: { maxWalBytes, passiveEveryBytes: 64 * 1024, escalationRetryMs: 20 },
    });
    await ctx.commit([op.createTable(kv)]);
    const pinned = new Database(ctx.ldbPath, { readonly: true });
    pinned.exec('BEGIN');
    pinned.prepare('SELECT count(*) FROM acme___kv').get(); // the snapshot is now held
    const payload = 'x'.repeat(4000);
    for (let i = 0; i < 12; i++) {
      await ctx.commit(Array.from({ length: 50 }, (_, j) => op.upsert(kv, { k: `${i}-${j}`, v: payload })));
    }
    const walWhilePinned = statSync(`${ctx.ldbPath}-wal`).size;
    expect(walWhilePinned).toBeGreaterThan(maxWalBytes);
    expect(
      await metric(ctx.registry, 'cuttle_reflector_checkpoints_total', { mode: 'TRUNCATE', result: 'busy' }),
    ).toBeGreaterThan(0);

    pinned.exec('COMMIT');
    pinned.close();
    await sleep(30);
    await ctx.commit([op.upsert(kv, { k: 'last', v: 'x' })]);
    expect(
      await metric(ctx.registry, 'cuttle_reflector_checkpoints_total', {
        mode: 'TRUNCATE',
        result: 'complete',
      }),
    ).toBeGreaterThan(0);
    expect(statSync(`${ctx.ldbPath}-wal`).size).toBeLessThan(maxWalBytes);
    expect(await metric(ctx.registry, 'cuttle_reflector_wal_bytes')).toBeLessThan(maxWalBytes);
  });

  it('starts without a reachable ctldb and catches up once it appears', async () => {
    const dir = tempDir();
    const ctldbPath = dir.file('ctldb.sqlite');
    const registry = createRegistry('reflector', { defaultMetrics: false });
    const reflector = Reflector.open({
      ldbPath: dir.file('ldb.db'),
      source: openLedgerSource(`sqlite:${ctldbPath}`),
      registry,
      log: silentLogger(),
      pollIntervalMs: 20,
      maxBackoffMs: 50,
    });
    try {
      await reflector.start();
      await until(() => reflector.status().error !== null);
      expect(reflector.status()).toMatchObject({ state: 'following', error: { code: 'UNAVAILABLE' } });
      const ledger = await openLedgerFixture('sqlite', { sqlitePath: ctldbPath });
      await ledger.append([op.createTable(kv)]);
      expect(await reflector.waitForSeq(1, 10_000)).toBe(true);
      expect(
        await metric(registry, 'cuttle_reflector_errors_total', { code: 'UNAVAILABLE' }),
      ).toBeGreaterThan(0);
      await ledger.close();
    } finally {
      await reflector.stop();
      dir.remove();
    }
  });
});
