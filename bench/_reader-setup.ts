/**
 * Fixtures of the reader benchmark: the same 1 million rows in an LDB (built once through the
 * applier and kept in .data/bench, rebuilt when missing), in a throwaway MariaDB database and,
 * as JSON, in Redis (a slice of the keys; a GET's cost does not depend on the key count).
 */
import { Redis } from 'ioredis';
import { createPool } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LdbApplier } from '../lib/ldb/applier.ts';
import { openLdbWriter } from '../lib/ldb/open-writer.ts';
import { openSqlite } from '../lib/ldb/sqlite-adapter.ts';
import type { LedgerEntry } from '../lib/ledger/entry.ts';
import { openLdb } from '../lib/reader/ldb-reader.ts';
import { stackEnv } from '../test/support/stack-env.ts';

export const ROWS = 1_000_000;
const BATCH = 20_000;
const folder = join(process.cwd(), '.data', 'bench');

function row(id: number): Record<string, string> {
  return {
    id: String(id),
    name: `item-${id}`,
    price: `${id % 1000}.${id % 100}`,
    note: `note ${id} ${'x'.repeat(24)}`,
  };
}

function entry(
  seq: number,
  batchSeq: number,
  batchEnd: boolean,
  values: Record<string, string>,
): LedgerEntry {
  return {
    seq,
    batchSeq,
    batchEnd,
    committedAt: Date.now(),
    family: 'bench',
    table: 'items',
    op: 'upsert',
    payload: { values },
  };
}

/** The LDB path, built if needed (about ROWS / 100k seconds). */
export async function buildLdb(): Promise<string> {
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `reader-${ROWS}.db`);
  if (existsSync(path)) {
    const reader = openLdb(path);
    const complete = reader.lastSeq() === ROWS + 1;
    reader.close();
    if (complete) return path;
  }
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  const db = openLdbWriter(openSqlite, path);
  const applier = new LdbApplier(db);
  applier.apply([
    {
      seq: 1,
      batchSeq: 1,
      batchEnd: true,
      committedAt: Date.now(),
      family: 'bench',
      table: 'items',
      op: 'create_table',
      payload: {
        fields: [
          ['id', 'integer'],
          ['name', 'string'],
          ['price', 'decimal'],
          ['note', 'text'],
        ],
        keyFields: ['id'],
      },
    },
  ]);
  for (let start = 0; start < ROWS; start += BATCH) {
    const first = start + 2;
    const batch = Array.from({ length: Math.min(BATCH, ROWS - start) }, (_, i) =>
      entry(first + i, first, false, row(start + i)),
    );
    batch[batch.length - 1] = { ...(batch[batch.length - 1] as LedgerEntry), batchEnd: true };
    applier.apply(batch);
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  await Promise.resolve();
  return path;
}

export interface RemoteFixture {
  get(id: number): Promise<unknown>;
  close(): Promise<void>;
}

/** A MariaDB table of ROWS rows (filled with the SEQUENCE engine), dropped by close(). */
export async function setUpMysql(): Promise<RemoteFixture> {
  const database = `cuttle_bench_reader_${randomBytes(4).toString('hex')}`;
  const admin = createPool({ uri: stackEnv.mysqlUrl, connectionLimit: 1, multipleStatements: false });
  await admin.query(`CREATE DATABASE \`${database}\``);
  const url = new URL(stackEnv.mysqlUrl);
  url.pathname = `/${database}`;
  const pool = createPool({
    uri: url.toString(),
    connectionLimit: 1,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  await pool.query(
    'CREATE TABLE bench___items (id BIGINT PRIMARY KEY, name VARCHAR(191) NOT NULL, price DECIMAL(30,10), note MEDIUMTEXT) ENGINE=InnoDB',
  );
  await pool.query(
    `INSERT INTO bench___items SELECT seq, CONCAT('item-', seq), CONCAT(seq % 1000, '.', seq % 100), CONCAT('note ', seq, ' ', REPEAT('x', 24)) FROM seq_0_to_${ROWS - 1}`,
  );
  const first = await pool.execute('SELECT * FROM bench___items WHERE id = ?', [0]);
  if ((first[0] as unknown[]).length !== 1) throw new Error('MariaDB bench table is empty');
  return {
    get: (id) => pool.execute('SELECT * FROM bench___items WHERE id = ?', [id]),
    close: async () => {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await admin.end();
    },
  };
}

/** REDIS_KEYS rows as JSON strings under a random prefix, deleted by close(). */
export async function setUpRedis(keys = 100_000): Promise<RemoteFixture> {
  const redis = new Redis(stackEnv.redisUrl);
  const prefix = `cuttle:bench:reader:${randomBytes(4).toString('hex')}:`;
  for (let start = 0; start < keys; start += 10_000) {
    const pipeline = redis.pipeline();
    for (let id = start; id < Math.min(keys, start + 10_000); id++)
      pipeline.set(prefix + id, JSON.stringify(row(id)));
    await pipeline.exec();
  }
  return {
    get: (id) => redis.get(prefix + (id % keys)),
    close: async () => {
      for (let start = 0; start < keys; start += 10_000) {
        const names = Array.from({ length: Math.min(10_000, keys - start) }, (_, i) => prefix + (start + i));
        await redis.unlink(...names);
      }
      await redis.quit();
    },
  };
}
