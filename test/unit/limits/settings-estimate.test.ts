import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../lib/logging.ts';
import { CtldbTableSizeSource } from '../../../services/executive/limits/ctldb-size-source.ts';
import { estimateLdbBytes } from '../../../services/executive/limits/ldb-estimate.ts';
import { SettingsCache } from '../../../services/executive/limits/settings-cache.ts';
import type { LimitOverrides } from '../../../services/executive/limits/settings.ts';

const defaults = {
  writerRate: { perSecond: 10, burst: 10 },
  tableRate: null,
  warnBytes: null,
  maxBytes: null,
};

describe('SettingsCache', () => {
  it('coalesces reloads requested during a reload into one more, and keeps the last good settings', async () => {
    let loads = 0;
    let fail = false;
    let release: (() => void) | undefined;
    const source = {
      load: async (): Promise<LimitOverrides> => {
        loads++;
        if (fail) throw new Error('ctldb down');
        if (loads === 2) await new Promise<void>((resolve) => (release = resolve));
        return { writers: [{ writer: 'w', rate: { perSecond: loads, burst: 1 } }], tables: [] };
      },
    };
    const failures: Error[] = [];
    const cache = new SettingsCache({
      source,
      defaults,
      pollMs: 60_000,
      log: silentLogger(),
      onReloadFailed: (e) => failures.push(e),
    });
    await cache.start();
    const first = cache.refresh(); // load 2 blocks
    void cache.refresh();
    void cache.refresh();
    release?.();
    await first;
    expect(loads).toBe(3); // the two calls during load 2 became one more load
    expect(cache.current.writerRate('w')).toEqual({ perSecond: 3, burst: 1 });
    fail = true;
    await cache.refresh();
    expect(failures.map((e) => e.message)).toEqual(['ctldb down']);
    expect(cache.current.writerRate('w')).toEqual({ perSecond: 3, burst: 1 });
    expect(cache.current.writerRate('other')).toEqual(defaults.writerRate);
    await cache.stop();
  });
});

describe('LDB size estimate', () => {
  it('is within 25% of a real SQLite family table, measured the way ctldb is measured', async () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE "fam___things" (
      "id" INTEGER NOT NULL, "name" TEXT NOT NULL, "note" TEXT, "blob" BLOB, "n" INTEGER,
      PRIMARY KEY ("id", "name")) STRICT, WITHOUT ROWID`);
    const insert = db.prepare('INSERT INTO "fam___things" VALUES (?, ?, ?, ?, ?)');
    for (let i = 0; i < 5000; i++) {
      const noteLength = (i * 37) % 300;
      insert.run(
        BigInt(i * 7919),
        randomBytes(8).toString('hex'),
        i % 5 === 0 ? null : 'é'.repeat(noteLength),
        randomBytes(i % 40),
        BigInt(i),
      );
    }
    const runner = {
      all: (sql: string) => Promise.resolve(db.prepare(sql).all() as Record<string, unknown>[]),
    };
    const [counted] = await new CtldbTableSizeSource(runner, 'sqlite').measure();
    expect(counted).toMatchObject({ family: 'fam', table: 'things', rows: 5000, columns: 5 });
    const actual = (db.pragma('page_count', { simple: true }) as number) * 4096;
    const estimate = estimateLdbBytes(counted ?? { rows: 0, dataBytes: 0, columns: 0 });
    expect(Math.abs(estimate - actual) / actual).toBeLessThan(0.25);
    db.close();
  });
});
