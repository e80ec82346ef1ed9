/**
 * ctldb on SQLite through better-sqlite3: the embedded mode. One connection, WAL journal.
 *
 * better-sqlite3 is synchronous, but the Ctldb port is async (MySQL needs it), and an async
 * transaction function yields between statements. Without care a second request could then issue
 * statements inside the first one's open transaction on the shared connection. So every use of
 * the connection, transaction or single statement, runs under one FIFO mutex, and a transaction
 * is `BEGIN IMMEDIATE … COMMIT` while holding it: writers are serialised (as SQLite serialises
 * them anyway) and a read never observes another request's uncommitted rows.
 *
 * Integers come back as bigint (safeIntegers), so 64-bit values stay exact.
 */
import Database, { type Database as SqliteDatabase, type Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  CtldbError,
  type Ctldb,
  type CtldbFailure,
  type SqlParam,
  type SqlRow,
  type SqlRunner,
} from './dialect.ts';
import { sqliteDialect } from './dialects.ts';
import { Mutex } from './mutex.ts';

export interface SqliteCtldbOptions {
  /** Path of the database file (created when missing). */
  readonly path: string;
  /** How long a statement waits for a lock held by another process, in ms. @defaultValue 5000 */
  readonly busyTimeoutMs?: number;
}

const MAX_CACHED_STATEMENTS = 500;

function classify(err: unknown): CtldbFailure {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') return 'duplicate';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return 'lock-timeout';
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_IOERR') return 'unavailable';
  return 'other';
}

function wrap(err: unknown): CtldbError {
  if (err instanceof CtldbError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CtldbError(classify(err), `ctldb (sqlite): ${message}`, err);
}

class SqliteCtldb implements Ctldb {
  readonly dialect = sqliteDialect;
  readonly #db: SqliteDatabase;
  readonly #statements = new Map<string, Statement>();
  readonly #connection = new Mutex();
  readonly #schema = new Mutex();
  /** Statements run directly, for use while the connection mutex is held. */
  readonly #direct: SqlRunner;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#direct = {
      all: (sql, params) => Promise.resolve(this.#all(sql, params)),
      run: (sql, params) => Promise.resolve(this.#run(sql, params)),
    };
  }

  #prepare(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      if (this.#statements.size >= MAX_CACHED_STATEMENTS) this.#statements.clear();
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #all(sql: string, params: readonly SqlParam[] = []): SqlRow[] {
    try {
      return this.#prepare(sql).all(...params) as SqlRow[];
    } catch (err) {
      throw wrap(err);
    }
  }

  #run(sql: string, params: readonly SqlParam[] = []): number {
    try {
      return this.#prepare(sql).run(...params).changes;
    } catch (err) {
      throw wrap(err);
    }
  }

  #exec(sql: string): void {
    try {
      this.#db.exec(sql);
    } catch (err) {
      throw wrap(err);
    }
  }

  all(sql: string, params?: readonly SqlParam[]): Promise<SqlRow[]> {
    return this.#connection.lock(() => this.#all(sql, params));
  }

  run(sql: string, params?: readonly SqlParam[]): Promise<number> {
    return this.#connection.lock(() => this.#run(sql, params));
  }

  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    // No deadlocks to retry: one connection, and BEGIN IMMEDIATE takes the write lock up front.
    return this.#connection.lock(async () => {
      this.#exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.#direct);
        this.#exec('COMMIT');
        return result;
      } catch (err) {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        // Driver errors are already CtldbErrors; the caller's own errors pass through unchanged.
        throw err;
      }
    });
  }

  ddl(sql: string): Promise<void> {
    return this.#connection.lock(() => {
      try {
        this.#db.exec(sql);
        // A schema change invalidates prepared statements over the changed table.
        this.#statements.clear();
      } catch (err) {
        throw wrap(err);
      }
    });
  }

  async columnsOf(table: string): Promise<string[]> {
    const rows = await this.all('SELECT name FROM pragma_table_info(?) ORDER BY cid', [table]);
    return rows.map((r) => String(r.name));
  }

  /** Only one process opens an embedded ctldb, so an in-process lock is the whole story. */
  withSchemaLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.#schema.lock(fn);
  }

  async ping(): Promise<void> {
    await this.all('SELECT 1 AS ok');
  }

  close(): Promise<void> {
    return this.#connection.lock(() => {
      this.#statements.clear();
      if (this.#db.open) this.#db.close();
    });
  }
}

export function openSqliteCtldb(options: SqliteCtldbOptions): Promise<Ctldb> {
  try {
    // Like the LDB: a new embedded ctldb's folder is made, so a fresh data directory just works.
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    const db = new Database(options.path);
    db.pragma('journal_mode = WAL');
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    // Durable commits: ctldb is the system of record, not a cache.
    db.pragma('synchronous = FULL');
    db.defaultSafeIntegers(true);
    return Promise.resolve(new SqliteCtldb(db));
  } catch (err) {
    return Promise.reject(wrap(err));
  }
}
