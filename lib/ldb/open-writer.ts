/**
 * Opening an LDB for the reflector (its one writer).
 *
 * - WAL journal: readers and the writer never block each other (invariant 9).
 * - synchronous=NORMAL: in WAL mode a commit is then not fsynced, only checkpoints are. A crash
 *   of the process loses nothing (the WAL is in the OS page cache); a power failure may undo the
 *   last few commits, but never corrupts the file and never splits a batch from its seq, because
 *   both are in the same transaction. The reflector then resumes from the older seq and fetches
 *   those batches again from ctldb, the source of truth. FULL would fsync on every batch for no
 *   gain: an LDB can always be rebuilt from the ledger or a snapshot.
 * - wal_autocheckpoint=0: the checkpoint policy (checkpoint-policy.ts) decides when to checkpoint.
 * - journal_size_limit: after a checkpoint resets the WAL, SQLite truncates it to this size.
 */
import { CuttleError } from '../errors.ts';
import { LDB_LAYOUT_VERSION, systemTablesDdl } from './layout.ts';
import type { OpenSqlite, SqliteDb } from './sqlite-port.ts';

export interface LdbWriterOptions {
  /** The WAL is truncated back to this size after a reset. @defaultValue 64 MiB */
  readonly walSizeLimitBytes?: number;
  /** Page cache of the writer connection, in KiB. @defaultValue 65536 */
  readonly cacheSizeKiB?: number;
}

export function openLdbWriter(
  openSqlite: OpenSqlite,
  path: string,
  options: LdbWriterOptions = {},
): SqliteDb {
  const db = openSqlite(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 0');
    db.pragma(`journal_size_limit = ${options.walSizeLimitBytes ?? 64 * 1024 * 1024}`);
    db.pragma(`cache_size = -${options.cacheSizeKiB ?? 65536}`);
    ensureLayout(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Creates the system tables of a new LDB; refuses an LDB of another layout version. */
export function ensureLayout(db: SqliteDb): void {
  const version = Number(db.pragma('user_version', { simple: true }));
  if (version !== 0 && version !== LDB_LAYOUT_VERSION) {
    throw new CuttleError(
      'INTERNAL',
      `LDB ${db.name} has layout version ${version}; this reflector writes version ${LDB_LAYOUT_VERSION}. Rebuild the LDB.`,
      { details: { path: db.name, version }, retriable: false },
    );
  }
  db.transaction(() => {
    for (const sql of systemTablesDdl()) db.exec(sql);
    db.pragma(`user_version = ${LDB_LAYOUT_VERSION}`);
  })();
}
