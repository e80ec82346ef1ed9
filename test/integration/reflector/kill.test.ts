/**
 * Invariants 1 and 5 under SIGKILL: a reflector process is killed again and again while it
 * applies multi-row batches from a growing MariaDB ledger; two reader processes poll the LDB the
 * whole time and must never see part of a batch; each restart resumes from the LDB's seq, and the
 * change feed ends with exactly one line per change.
 */
import Database from 'better-sqlite3';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesOldestFirst } from '../../../lib/changelog/files.ts';
import type { PendingEntry } from '../../../lib/ledger/entry.ts';
import { sleep } from '../../../lib/lifecycle.ts';
import { openLdb } from '../../../lib/reader/ldb-reader.ts';
import type { TableSchema } from '../../../lib/schema/types.ts';
import { tempDir, type TempDir } from '../../support/ldb.ts';
import { op, openLedgerFixture, type LedgerFixture } from '../../support/ledger-fixture.ts';
import { kill, outputOf, spawnReflector, spawnTs } from './child-process.ts';

const PER_BATCH = 1500;
const rows: TableSchema = {
  family: 'kill',
  table: 'rows',
  fields: [
    { name: 'k', type: 'integer' },
    { name: 'batch', type: 'integer' },
    { name: 'pad', type: 'text' },
  ],
  keyFields: ['k'],
};

function batchOf(b: number): PendingEntry[] {
  return Array.from({ length: PER_BATCH }, (_, k) =>
    op.upsert(rows, { k: BigInt(k), batch: BigInt(b), pad: 'p'.repeat(40) }),
  );
}

/** The LDB's seq read with a plain connection (the file may not exist yet). */
function ldbSeq(path: string): number {
  if (!existsSync(path)) return 0;
  const db = new Database(path, { readonly: true });
  try {
    return Number(db.prepare('SELECT seq FROM _cuttle_position WHERE id = 1').pluck().get() ?? 0);
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

let ledger: LedgerFixture;
let dir: TempDir;
beforeAll(async () => {
  ledger = await openLedgerFixture('mysql');
  dir = tempDir();
});
afterAll(async () => {
  await ledger.close();
  dir.remove();
});

describe('reflector killed with SIGKILL while applying', () => {
  it('never shows part of a batch to readers and resumes from the LDB seq', async () => {
    const ldbPath = dir.file('ldb.db');
    const changelog = dir.file('changes.ndjson');
    const env = {
      REFLECTOR_CTLDB: ledger.address,
      REFLECTOR_LDB_PATH: ldbPath,
      REFLECTOR_CHANGELOG_PATH: changelog,
      REFLECTOR_CHANGELOG_MAX_BYTES: String(2 * 1024 * 1024),
      REFLECTOR_CHANGELOG_KEEP: '100',
      REFLECTOR_BLOCK_SIZE: '700',
      REFLECTOR_POLL_INTERVAL_MS: '50',
    };
    await ledger.append([op.createTable(rows)]);
    let batches = 0;
    for (; batches < 10; batches++) await ledger.append(batchOf(batches));

    const readers = [0, 1].map(() =>
      spawnTs('test/integration/reflector/fixtures/poll-reader.ts', [ldbPath, String(PER_BATCH)]),
    );
    const readerOutputs = readers.map(outputOf);
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await ledger.append(batchOf(batches++));
        await sleep(150);
      }
    })();

    const seqsAtKill: number[] = [];
    for (let round = 0; round < 5; round++) {
      const child: ChildProcess = spawnReflector(env);
      void outputOf(child);
      const before = ldbSeq(ldbPath);
      while (ldbSeq(ldbPath) <= before) await sleep(5); // it is applying now
      await sleep(Math.random() * 150);
      await kill(child, 'SIGKILL');
      seqsAtKill.push(ldbSeq(ldbPath));
    }
    writing = false;
    await writer;

    const head = await ledger.head();
    const last = spawnReflector(env);
    const lastOutput = outputOf(last);
    while (ldbSeq(ldbPath) < head) await sleep(20);
    await kill(last, 'SIGTERM');
    expect(last.exitCode, await lastOutput).toBe(0);
    for (const reader of readers) reader.kill('SIGTERM');
    const summaries = (await Promise.all(readerOutputs)).map(
      (out) => JSON.parse(out.trim().split('\n').pop() ?? '{}') as { reads: number; violations: string[] },
    );

    for (const summary of summaries) {
      expect(summary.violations).toEqual([]);
      expect(summary.reads).toBeGreaterThan(100);
    }
    // Every kill left the LDB at a batch boundary; most landed while batches were still pending.
    for (const seq of seqsAtKill) expect((seq - 1) % PER_BATCH).toBe(0);
    expect(seqsAtKill.filter((seq) => seq < head).length).toBeGreaterThan(0);

    const reader = openLdb(ldbPath);
    expect(reader.lastSeq()).toBe(head);
    const final = reader.rowsByPrefix('kill', 'rows', []);
    expect(new Set(final.map((r) => r['batch']))).toEqual(new Set([BigInt(batches - 1)]));
    reader.close();
    const check = new Database(ldbPath, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
    const files = filesOldestFirst(changelog, 100);
    expect(files.length).toBeGreaterThan(1); // it rotated on the way
    const lineSeqs = files
      .map((f) => readFileSync(f, 'utf8'))
      .join('')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => (JSON.parse(l) as { seq: number }).seq);
    expect(lineSeqs).toEqual(Array.from({ length: head }, (_, i) => i + 1));
  });
});
