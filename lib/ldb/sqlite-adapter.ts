/**
 * better-sqlite3 behind the SqliteDb port. The only file of the LDB and reader code that imports
 * the driver.
 */
import Database from 'better-sqlite3';
import type { OpenSqliteOptions, SqliteDb } from './sqlite-port.ts';

/** Opens `path` with better-sqlite3. A SqliteError keeps the driver's `code` (e.g. SQLITE_BUSY). */
export function openSqlite(path: string, options: OpenSqliteOptions = {}): SqliteDb {
  const db = new Database(path, {
    readonly: options.readonly ?? false,
    fileMustExist: options.fileMustExist ?? false,
    timeout: options.busyTimeoutMs ?? 5000,
  });
  return db;
}
