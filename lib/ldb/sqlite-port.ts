/**
 * The few SQLite calls the LDB writer and the reader library make, in our own words. The
 * better-sqlite3 adapter (sqlite-adapter.ts) satisfies this shape directly, so going through the
 * port costs nothing on the read path.
 */

/** A prepared statement. Parameters are `bigint | number | string | Buffer | null`. */
export interface SqliteStatement<R = unknown> {
  run(...params: readonly unknown[]): { readonly changes: number };
  get(...params: readonly unknown[]): R | undefined;
  all(...params: readonly unknown[]): R[];
  /** Return only the first column of each row. */
  pluck(toggle?: boolean): this;
  /** Integers as bigint (exact) instead of number. */
  safeIntegers(toggle?: boolean): this;
}

/** An open SQLite connection. */
export interface SqliteDb {
  readonly name: string;
  readonly open: boolean;
  readonly inTransaction: boolean;
  prepare<R = unknown>(sql: string): SqliteStatement<R>;
  exec(sql: string): unknown;
  /** Runs a PRAGMA; with `simple`, returns the first column of the first row. */
  pragma(source: string, options?: { readonly simple?: boolean }): unknown;
  /** Wraps `fn` so that each call runs in one transaction (BEGIN … COMMIT, ROLLBACK on throw). */
  transaction<A extends unknown[], T>(fn: (...args: A) => T): (...args: A) => T;
  close(): unknown;
}

export interface OpenSqliteOptions {
  /** Open read-only (the reader library). @defaultValue false */
  readonly readonly?: boolean;
  /** Fail instead of creating a missing file. @defaultValue false */
  readonly fileMustExist?: boolean;
  /** How long a statement waits on a lock held by another connection, in ms. @defaultValue 5000 */
  readonly busyTimeoutMs?: number;
}

/** Opens a SQLite file; implemented by the better-sqlite3 adapter. */
export type OpenSqlite = (path: string, options?: OpenSqliteOptions) => SqliteDb;
