/**
 * Small LDB-shaped SQLite files for snapshot tests: a position row plus one data table.
 * (The real layout lives in lib/ldb; these tests only need a seq and some rows.)
 */
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import type { LdbPositionSpec } from '../../../lib/snapshot/position.ts';

export const testPosition: LdbPositionSpec = {
  sql: 'SELECT seq, committed_at FROM _test_position WHERE id = 1',
};

export interface LdbShape {
  readonly seq: number;
  readonly rows: number;
  /** Random (incompressible) bytes per row. @defaultValue 64 */
  readonly blobBytes?: number;
  readonly committedAt?: number;
}

export function createTestLdb(path: string, shape: LdbShape): void {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(`CREATE TABLE _test_position (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, committed_at INTEGER);
             CREATE TABLE fam___settings (id INTEGER PRIMARY KEY, name TEXT NOT NULL, data BLOB NOT NULL);`);
    db.prepare('INSERT INTO _test_position VALUES (1, ?, ?)').run(shape.seq, shape.committedAt ?? Date.now());
    const insert = db.prepare('INSERT INTO fam___settings VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let i = 1; i <= shape.rows; i++)
        insert.run(i, `row-${i} `.repeat(8), randomBytes(shape.blobBytes ?? 64));
    })();
  } finally {
    db.close();
  }
}

/** Applies `n` more "ledger entries" (one row each) and moves the position with them. */
export function advanceTestLdb(path: string, n: number): number {
  const db = new Database(path);
  try {
    const apply = db.transaction(() => {
      const { seq } = db.prepare('SELECT seq FROM _test_position WHERE id = 1').get() as { seq: number };
      for (let i = 1; i <= n; i++) {
        db.prepare('INSERT OR REPLACE INTO fam___settings VALUES (?, ?, ?)').run(
          seq + i,
          `row-${seq + i}`,
          randomBytes(16),
        );
      }
      db.prepare('UPDATE _test_position SET seq = ?, committed_at = ? WHERE id = 1').run(seq + n, Date.now());
      return seq + n;
    });
    return apply();
  } finally {
    db.close();
  }
}

export interface LdbContent {
  readonly seq: number;
  readonly journalMode: string;
  readonly rows: readonly { id: number; name: string; data: Buffer }[];
}

export function readTestLdb(path: string): LdbContent {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const { seq } = db.prepare('SELECT seq FROM _test_position WHERE id = 1').get() as { seq: number };
    const rows = db
      .prepare('SELECT id, name, data FROM fam___settings ORDER BY id')
      .all() as LdbContent['rows'];
    return { seq, journalMode: String(db.pragma('journal_mode', { simple: true })), rows };
  } finally {
    db.close();
  }
}

/** One SHA-256 over every row, in key order (deep-equality of thousands of Buffers is slow). */
export function digestTestLdb(path: string): { seq: number; rows: number; sha256: string } {
  const content = readTestLdb(path);
  const hash = createHash('sha256');
  for (const row of content.rows) hash.update(`${row.id}\0${row.name}\0`).update(row.data);
  return { seq: content.seq, rows: content.rows.length, sha256: hash.digest('hex') };
}
