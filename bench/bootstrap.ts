/**
 * `npm run bench -- bootstrap [MiB]`: for an LDB of about 1 GiB (default 1024 MiB), the time to
 * make a snapshot (compact copy + integrity_check, compress, upload), its compressed size, and the
 * time for a new host to go from nothing to caught up: download (parallel ranged GETs), verify
 * (size, SHA-256) and decompress, quick_check, open, apply the ledger tail. Prints a table, then
 * as the last line one JSON object.
 *
 * Data: four tables of ~3.6 KB rows (JSON-like text from a 2,000-word vocabulary, 512 random
 * bytes). The tables are created through the ledger and applied by the applier; the bulk of the
 * rows is then written straight into the LDB to save generation time, and the tail (entries after
 * the snapshot) goes through the ledger and the follower as in production. S3: the stack's
 * (127.0.0.1:14568) when it answers, else an s3rver child process. Everything lives under
 * .data/bench/bootstrap and is deleted at the end.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, statfsSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { LdbApplier } from '../lib/ldb/applier.ts';
import { openLdbWriter } from '../lib/ldb/open-writer.ts';
import { Reflector } from '../lib/ldb/reflector.ts';
import { openSqlite } from '../lib/ldb/sqlite-adapter.ts';
import { ledgerDdl } from '../lib/ledger/ddl.ts';
import {
  LEDGER_COLUMNS,
  LEDGER_HEAD_TABLE,
  LEDGER_TABLE,
  ledgerEntryFromRow,
  type LedgerRow,
} from '../lib/ledger/entry.ts';
import { openLedgerSource } from '../lib/ledger/sources/open.ts';
import { silentLogger } from '../lib/logging.ts';
import { createRegistry } from '../lib/metrics.ts';
import { physicalTableName, quoteIdent } from '../lib/schema/names.ts';
import type { TableSchema } from '../lib/schema/types.ts';
import { encodeRow } from '../lib/schema/values.ts';
import { SqliteLdbFiles } from '../lib/snapshot/adapters/sqlite-files.ts';
import { bootstrapFromStore } from '../lib/snapshot/bootstrap-from-store.ts';
import { LDB_POSITION } from '../lib/snapshot/ldb-position.ts';
import { SnapshotMaker } from '../lib/snapshot/make-snapshot.ts';
import { openSnapshotStore, type S3Settings } from '../lib/snapshot/open-store.ts';
import { ledgerStaleness } from '../lib/snapshot/position.ts';
import { stackEnv } from '../test/support/stack-env.ts';

const targetMiB = Number(process.argv[2] ?? '1024');
const TAIL_ENTRIES = 20_000;
const ROOT = resolve('.data/bench/bootstrap');
const MiB = 1024 * 1024;
const log = silentLogger();
const tables: TableSchema[] = [1, 2, 3, 4].map((i) => ({
  family: 'bench',
  table: `wide_rows_${i}`,
  fields: [
    { name: 'id', type: 'integer' },
    { name: 'name', type: 'string' },
    { name: 'payload', type: 'text' },
    { name: 'data', type: 'binary' },
  ],
  keyFields: ['id'],
}));

const words = Array.from({ length: 2000 }, () =>
  randomBytes(5)
    .toString('base64url')
    .slice(0, 3 + Math.floor(Math.random() * 6)),
);
function payload(): string {
  const parts: string[] = [];
  for (let i = 0; i < 450; i++) parts.push(words[Math.floor(Math.random() * words.length)] ?? 'x');
  return JSON.stringify({ flags: parts.join(' '), limit: Math.floor(Math.random() * 1e6) });
}

/** A SQLite ctldb holding only the ledger, appended to as the executive would. */
function openLedger(path: string): {
  append: (rows: { table: TableSchema; op: string; payload: unknown }[]) => number;
} {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  for (const sql of ledgerDdl('sqlite')) db.exec(sql);
  const insert = db.prepare(
    `INSERT INTO ${LEDGER_TABLE} (${LEDGER_COLUMNS.join(', ')}) VALUES (${LEDGER_COLUMNS.map(() => '?').join(', ')})`,
  );
  const head = db.prepare(`SELECT seq FROM ${LEDGER_HEAD_TABLE} WHERE id = 1`).pluck();
  const setHead = db.prepare(`UPDATE ${LEDGER_HEAD_TABLE} SET seq = ? WHERE id = 1`);
  const append = db.transaction((rows: { table: TableSchema; op: string; payload: unknown }[]) => {
    const first = Number(head.get()) + 1;
    rows.forEach((r, i) =>
      insert.run(
        first + i,
        first,
        i === rows.length - 1 ? 1 : 0,
        Date.now(),
        r.table.family,
        r.table.table,
        r.op,
        JSON.stringify(r.payload),
      ),
    );
    setHead.run(first + rows.length - 1);
    return first + rows.length - 1;
  });
  return { append };
}

function generateLdb(ldbPath: string, ledger: ReturnType<typeof openLedger>): number {
  const creates = tables.map((t) => ({
    table: t,
    op: 'create_table',
    payload: { fields: t.fields.map((f) => [f.name, f.type]), keyFields: t.keyFields },
  }));
  const seq = ledger.append(creates);
  const db = openLdbWriter(openSqlite, ldbPath);
  const entries = creates.map((c, i) =>
    ledgerEntryFromRow({
      seq: i + 1,
      batch_seq: 1,
      batch_end: i === creates.length - 1 ? 1 : 0,
      committed_at: Date.now(),
      family: c.table.family,
      table_name: c.table.table,
      op: c.op,
      payload: JSON.stringify(c.payload),
    } satisfies LedgerRow),
  );
  new LdbApplier(db).apply(entries);
  const inserts = tables.map((t) =>
    db.prepare(`INSERT INTO ${quoteIdent(physicalTableName(t.family, t.table))} VALUES (?, ?, ?, ?)`),
  );
  let id = 0;
  const chunk = db.transaction(() => {
    for (let i = 0; i < 4000; i++, id++)
      inserts[id % 4]?.run(id, `customer-${id}`, payload(), randomBytes(512));
  });
  while (statSync(ldbPath).size + walSize(ldbPath) < targetMiB * MiB) chunk();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return seq;
}

function walSize(ldbPath: string): number {
  try {
    return statSync(`${ldbPath}-wal`).size;
  } catch {
    return 0;
  }
}

function reachable(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => done(socket.destroy() === socket));
    socket.once('error', () => done(false));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  await new Promise((ok) => server.close(ok));
  return port;
}

/** The stack's S3 if it answers, else s3rver in a child process (never on our event loop). */
async function startS3(): Promise<{ url: string; s3: S3Settings; label: string; child?: ChildProcess }> {
  const creds = { accessKeyId: stackEnv.s3AccessKeyId, secretAccessKey: stackEnv.s3SecretAccessKey };
  const prefix = `bench-bootstrap-${randomBytes(4).toString('hex')}`;
  if (await reachable(Number(new URL(stackEnv.s3Endpoint).port))) {
    return {
      url: `s3://${stackEnv.s3Bucket}/${prefix}`,
      s3: { endpoint: stackEnv.s3Endpoint, ...creds },
      label: `stack S3 ${stackEnv.s3Endpoint}`,
    };
  }
  const port = await freePort();
  const dir = join(ROOT, 's3rver');
  mkdirSync(dir, { recursive: true });
  const bin = resolve('node_modules/s3rver/bin/s3rver.js');
  const child = spawn(
    process.execPath,
    [bin, '-d', dir, '-a', '127.0.0.1', '-p', String(port), '-s', '--configure-bucket', 'cuttle'],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100 && !(await reachable(port)); i++) await new Promise((ok) => setTimeout(ok, 100));
  return {
    url: `s3://cuttle/${prefix}`,
    s3: { endpoint: `http://127.0.0.1:${port}`, ...creds },
    label: `s3rver child :${port}`,
    child,
  };
}

const seconds = (ms: number): string => (ms / 1000).toFixed(2).padStart(8);

async function main(): Promise<void> {
  const free = statfsSync(resolve('.')).bavail * statfsSync(resolve('.')).bsize;
  if (free < 5 * targetMiB * MiB)
    throw new Error(`need ${5 * targetMiB} MiB free for the bench, have ${Math.round(free / MiB)}`);
  rmSync(ROOT, { recursive: true, force: true });
  mkdirSync(join(ROOT, 'supervisor'), { recursive: true });
  const s3 = await startS3();
  const store = openSnapshotStore(s3.url, s3.s3);
  try {
    const ctldb = join(ROOT, 'ctldb.sqlite');
    const ledger = openLedger(ctldb);
    let started = performance.now();
    const liveLdb = join(ROOT, 'supervisor', 'ldb.db');
    generateLdb(liveLdb, ledger);
    const generateMs = performance.now() - started;
    const ldbBytes = statSync(liveLdb).size;

    const source = openLedgerSource(`sqlite:${ctldb}`);
    const maker = new SnapshotMaker(
      { store, files: new SqliteLdbFiles(), log },
      {
        ldbPath: liveLdb,
        workDir: join(ROOT, 'work'),
        position: LDB_POSITION,
        staleness: ledgerStaleness(source),
        maxStalenessMs: 600_000,
        keep: 2,
        makerId: 'bench',
      },
    );
    const made = await maker.make();
    await source.close();
    if (made.status !== 'published') throw new Error('no snapshot was published');

    let tailSeq = 0;
    for (let i = 0; i < TAIL_ENTRIES; i += 200) {
      const batch = Array.from({ length: 200 }, (_, j) => {
        const table = tables[(i + j) % 4] as TableSchema;
        const row = {
          id: BigInt(10_000_000 + i + j),
          name: `tail-${i + j}`,
          payload: payload(),
          data: randomBytes(512),
        };
        return { table, op: 'upsert', payload: { values: encodeRow(row, table.fields) } };
      });
      tailSeq = ledger.append(batch);
    }

    started = performance.now();
    const hostLdb = join(ROOT, 'host', 'ldb.db');
    const restored = await bootstrapFromStore({ url: s3.url, s3: s3.s3, ldbPath: hostLdb, log });
    if (restored.outcome !== 'restored')
      throw new Error(`bootstrap did not restore: ${JSON.stringify(restored)}`);
    const restoredMs = performance.now() - started;
    const opened = performance.now();
    const reflector = Reflector.open({
      ldbPath: hostLdb,
      source: openLedgerSource(`sqlite:${ctldb}`),
      registry: createRegistry('bench', { defaultMetrics: false }),
      log,
      pollIntervalMs: 50,
    });
    await reflector.start();
    const openMs = performance.now() - opened;
    if (!(await reflector.waitForSeq(tailSeq, 120_000))) throw new Error('the new host did not catch up');
    const totalMs = performance.now() - started;
    const tailMs = totalMs - restoredMs - openMs;
    await reflector.stop();

    const t = restored.timings;
    const m = made.manifest;
    console.log(
      `bootstrap bench: LDB ${(ldbBytes / MiB).toFixed(0)} MiB (generated in ${(generateMs / 1000).toFixed(1)} s), ${s3.label}, tail ${TAIL_ENTRIES} entries`,
    );
    console.log('step                                      seconds');
    console.log(`snapshot: compact copy + integrity_check ${seconds(made.timings.copyMs)}`);
    console.log(`snapshot: compress (brotli q1)           ${seconds(made.timings.compressMs)}`);
    console.log(`snapshot: upload                         ${seconds(made.timings.uploadMs)}`);
    console.log(`snapshot: total                          ${seconds(made.timings.totalMs)}`);
    console.log(`new host: download (ranged GETs)         ${seconds(t.downloadMs)}`);
    console.log(`new host: verify SHA-256 + decompress    ${seconds(t.verifyAndDecompressMs)}`);
    console.log(`new host: quick_check + rename           ${seconds(t.checkMs)}`);
    console.log(`new host: open LDB + start follower      ${seconds(openMs)}`);
    console.log(`new host: apply tail (${TAIL_ENTRIES} entries)     ${seconds(tailMs)}`);
    console.log(`new host: nothing to caught up           ${seconds(totalMs)}`);
    console.log(
      `sizes: LDB ${(m.size / MiB).toFixed(1)} MiB, compressed ${(m.compressedSize / MiB).toFixed(1)} MiB (ratio ${(m.size / m.compressedSize).toFixed(2)})`,
    );
    console.log(
      JSON.stringify({
        bench: 'bootstrap',
        s3: s3.label,
        ldbBytes: m.size,
        compressedBytes: m.compressedSize,
        compression: m.compression,
        snapshotMs: {
          copy: Math.round(made.timings.copyMs),
          compress: Math.round(made.timings.compressMs),
          upload: Math.round(made.timings.uploadMs),
          total: Math.round(made.timings.totalMs),
        },
        newHostMs: {
          download: Math.round(t.downloadMs),
          verifyAndDecompress: Math.round(t.verifyAndDecompressMs),
          check: Math.round(t.checkMs),
          open: Math.round(openMs),
          tail: Math.round(tailMs),
          total: Math.round(totalMs),
        },
        tailEntries: TAIL_ENTRIES,
        caughtUpUnder15s: totalMs < 15_000,
      }),
    );
  } finally {
    await store.delete(await store.list('')).catch(() => undefined);
    await store.close();
    s3.child?.kill();
    rmSync(ROOT, { recursive: true, force: true });
  }
}

await main();
