/**
 * ctldb on MySQL/MariaDB through a mysql2 pool.
 *
 * Every session is set up with:
 * - sql_mode STRICT_ALL_TABLES (an over-long or out-of-range value is an error, never truncated),
 *   ANSI_QUOTES (double-quoted identifiers, as in SQLite), NO_BACKSLASH_ESCAPES (a backslash is
 *   just a character; see mysql-format.ts), NO_ENGINE_SUBSTITUTION;
 * - READ COMMITTED: the write path reads only rows it locks (FOR UPDATE / LOCK IN SHARE MODE), so
 *   repeatable-read snapshots buy nothing, and READ COMMITTED takes no gap locks on the family
 *   tables, which keeps concurrent writers of neighbouring keys from deadlocking.
 * BIGINTs come back as decimal strings (bigNumberStrings) so 64-bit integers stay exact.
 */
import { createPool, type Pool, type PoolConnection, type PoolOptions } from 'mysql2/promise';
import { backoffMs, sleep } from '../lifecycle.ts';
import {
  CtldbError,
  type Ctldb,
  type CtldbFailure,
  type SqlParam,
  type SqlRow,
  type SqlRunner,
  type TransactionOptions,
} from './dialect.ts';
import { mysqlDialect, type MysqlFlavor } from './dialects.ts';
import { formatMysql } from './mysql-format.ts';

export const SESSION_SQL_MODE = 'STRICT_ALL_TABLES,ANSI_QUOTES,NO_BACKSLASH_ESCAPES,NO_ENGINE_SUBSTITUTION';

export interface MysqlCtldbOptions {
  /** mysql://user:password@host:port/database */
  readonly url: string;
  /** @defaultValue 10 */
  readonly connectionLimit?: number;
}

const DUPLICATE = new Set([1062, 1586]);
const DEADLOCK = 1213;
const LOCK_WAIT_TIMEOUT = 1205;
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'PROTOCOL_CONNECTION_LOST',
  'EPIPE',
  'ENOTFOUND',
]);

function classify(err: unknown): CtldbFailure {
  const { errno, code } = (err ?? {}) as { errno?: number; code?: string };
  if (errno !== undefined && DUPLICATE.has(errno)) return 'duplicate';
  if (errno === DEADLOCK) return 'deadlock';
  if (errno === LOCK_WAIT_TIMEOUT) return 'lock-timeout';
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) return 'unavailable';
  return 'other';
}

function wrap(err: unknown): CtldbError {
  if (err instanceof CtldbError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CtldbError(classify(err), `ctldb (mysql): ${message}`, err);
}

type Queryable = Pick<PoolConnection, 'query'>;

function runnerOf(target: Queryable): SqlRunner {
  return {
    async all(sql: string, params?: readonly SqlParam[]): Promise<SqlRow[]> {
      try {
        const [rows] = await target.query(formatMysql(sql, params));
        return rows as SqlRow[];
      } catch (err) {
        throw wrap(err);
      }
    },
    async run(sql: string, params?: readonly SqlParam[]): Promise<number> {
      try {
        const [result] = await target.query(formatMysql(sql, params));
        return (result as { affectedRows?: number }).affectedRows ?? 0;
      } catch (err) {
        throw wrap(err);
      }
    },
  };
}

function poolOptions(url: string, connectionLimit: number): PoolOptions {
  return {
    uri: url,
    connectionLimit,
    charset: 'UTF8MB4_BIN',
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    multipleStatements: false,
  };
}

class MysqlCtldb implements Ctldb {
  readonly dialect;
  readonly #pool: Pool;
  readonly #runner: SqlRunner;
  readonly #lockName: string;

  constructor(pool: Pool, flavor: MysqlFlavor, database: string) {
    this.#pool = pool;
    this.#runner = runnerOf(pool);
    this.dialect = mysqlDialect(flavor);
    // GET_LOCK names are server-wide; scope the schema lock to this ctldb database.
    this.#lockName = `cuttle_schema:${database}`.slice(0, 64);
  }

  all(sql: string, params?: readonly SqlParam[]): Promise<SqlRow[]> {
    return this.#runner.all(sql, params);
  }

  run(sql: string, params?: readonly SqlParam[]): Promise<number> {
    return this.#runner.run(sql, params);
  }

  async transaction<T>(fn: (tx: SqlRunner) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const retries = options.retries ?? 4;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#once(fn);
      } catch (err) {
        const failure = err instanceof CtldbError ? err.failure : 'other';
        if ((failure === 'deadlock' || failure === 'lock-timeout') && attempt < retries) {
          await sleep(backoffMs(attempt, 5, 200));
          continue;
        }
        throw err;
      }
    }
  }

  async #once<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    const conn = await this.#pool.getConnection().catch((err: unknown) => {
      throw wrap(err);
    });
    let healthy = true;
    const runner = runnerOf(conn);
    try {
      await runner.run('BEGIN');
      const result = await fn(runner);
      await runner.run('COMMIT');
      return result;
    } catch (err) {
      // A failed ROLLBACK leaves the session in an unknown state: never hand it out again.
      await conn.query('ROLLBACK').catch(() => (healthy = false));
      // Driver errors are already CtldbErrors (the runner wraps them); the caller's own errors
      // (a CuttleError for an offset conflict, say) pass through unchanged.
      throw err;
    } finally {
      if (healthy) conn.release();
      else conn.destroy();
    }
  }

  async ddl(sql: string): Promise<void> {
    await this.#runner.run(sql);
  }

  async columnsOf(table: string): Promise<string[]> {
    const rows = await this.#runner.all(
      'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      [table],
    );
    return rows.map((r) => String(r.name));
  }

  async withSchemaLock<T>(fn: () => Promise<T>): Promise<T> {
    const conn = await this.#pool.getConnection().catch((err: unknown) => {
      throw wrap(err);
    });
    try {
      const [rows] = await conn.query(formatMysql('SELECT GET_LOCK(?, 60) AS ok', [this.#lockName]));
      if (Number((rows as SqlRow[])[0]?.ok) !== 1) {
        throw new CtldbError(
          'lock-timeout',
          'ctldb (mysql): schema lock not acquired within 60 s',
          undefined,
        );
      }
      try {
        return await fn();
      } finally {
        await conn.query(formatMysql('SELECT RELEASE_LOCK(?)', [this.#lockName]));
      }
    } finally {
      conn.release();
    }
  }

  async ping(): Promise<void> {
    await this.#runner.all('SELECT 1 AS ok');
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

/** Opens a pool, sets up every session, and detects MariaDB vs MySQL for the string collation. */
export async function openMysqlCtldb(options: MysqlCtldbOptions): Promise<Ctldb> {
  const pool = createPool(poolOptions(options.url, options.connectionLimit ?? 10));
  pool.pool.on('connection', (conn) => {
    // Queued on the connection before anything the pool hands out runs on it. A session whose
    // setup failed must never run a write (it would not be strict): destroy it.
    const onSetup = (err: unknown): void => {
      if (err !== null && err !== undefined) conn.destroy();
    };
    conn.query(`SET SESSION sql_mode = '${SESSION_SQL_MODE}'`, onSetup);
    conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', onSetup);
  });
  try {
    const [rows] = await pool.query('SELECT VERSION() AS version, DATABASE() AS db');
    const row = ((rows as SqlRow[])[0] ?? {}) as { version?: string; db?: string | null };
    if (row.db === null || row.db === undefined)
      throw new Error(`the ctldb URL names no database: ${redactUrl(options.url)}`);
    const flavor: MysqlFlavor = (row.version ?? '').includes('MariaDB') ? 'mariadb' : 'mysql';
    return new MysqlCtldb(pool, flavor, row.db);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw wrap(err);
  }
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
