/**
 * The ctldb port: the few things the executive (and a reflector reading the ledger) need from the
 * central database, implemented once for MySQL/MariaDB (mysql-adapter.ts) and once for SQLite
 * (sqlite-adapter.ts, the embedded mode). Everything above this file is dialect-agnostic: it
 * builds SQL with the helpers of `CtldbDialect` and runs it through a `SqlRunner`.
 *
 * Both adapters speak the same SQL subset: `?` placeholders, double-quoted identifiers (MySQL runs
 * with ANSI_QUOTES), and values that are `string | number | bigint | Buffer | null`.
 */
import type { CtldbDialectName } from '../ledger/ddl.ts';
import type { FieldType } from '../schema/types.ts';

export type { CtldbDialectName } from '../ledger/ddl.ts';

export type SqlParam = string | number | bigint | Buffer | null;
/** A row as a driver returns it. Integers arrive as bigint (SQLite) or decimal strings (MySQL). */
export type SqlRow = Record<string, unknown>;

export interface SqlRunner {
  /** Runs a query and returns its rows. */
  all(sql: string, params?: readonly SqlParam[]): Promise<SqlRow[]>;
  /** Runs a statement and returns how many rows it changed. */
  run(sql: string, params?: readonly SqlParam[]): Promise<number>;
}

/** Why a ctldb call failed, classified from driver error numbers (never from message text). */
export type CtldbFailure = 'duplicate' | 'deadlock' | 'lock-timeout' | 'unavailable' | 'other';

export class CtldbError extends Error {
  override readonly name = 'CtldbError';
  readonly failure: CtldbFailure;
  constructor(failure: CtldbFailure, message: string, cause: unknown) {
    super(message, { cause });
    this.failure = failure;
  }
}

export function isCtldbFailure(err: unknown, failure: CtldbFailure): boolean {
  return err instanceof CtldbError && err.failure === failure;
}

/** The SQL that differs between MySQL and SQLite. */
export interface CtldbDialect {
  readonly name: CtldbDialectName;
  /** Column type of a family-table field (see family-sql.ts for why each type was chosen). */
  columnType(type: FieldType): string;
  /** Appended to CREATE TABLE of a family table. */
  readonly familyTableOptions: string;
  /** Suffix of a SELECT that locks the rows it reads for writing ('' on SQLite: the tx holds the database). */
  readonly forUpdate: string;
  /** Suffix of a SELECT that takes shared row locks. */
  readonly forShare: string;
  /** `INSERT … VALUES (…),(…) <upsert clause>`: replaces every non-key column on a key conflict. */
  upsertClause(keyColumns: readonly string[], otherColumns: readonly string[]): string;
  /** Most parameters one statement may carry. */
  readonly maxParams: number;
}

export interface TransactionOptions {
  /** Re-runs `fn` after a deadlock or lock wait timeout, at most this many times. @defaultValue 4 */
  readonly retries?: number;
}

export interface Ctldb extends SqlRunner {
  readonly dialect: CtldbDialect;
  /**
   * Runs `fn` in one transaction and commits it; rolls back when `fn` throws. `fn` may run more
   * than once (deadlock retry), so it must not have effects outside the transaction.
   */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Runs DDL outside any transaction (MySQL commits DDL implicitly anyway). */
  ddl(sql: string): Promise<void>;
  /** Column names of a physical table, or [] when it does not exist (schema-change path only). */
  columnsOf(table: string): Promise<string[]>;
  /**
   * Runs `fn` while holding the one schema-change lock of this ctldb, shared by every executive
   * (MySQL: GET_LOCK on a dedicated connection, which survives the implicit commits of DDL).
   */
  withSchemaLock<T>(fn: () => Promise<T>): Promise<T>;
  /** Throws when ctldb cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
