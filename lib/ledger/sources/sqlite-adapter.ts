/**
 * LedgerSource over the embedded SQLite ctldb (better-sqlite3), read-only. The executive keeps
 * ctldb in WAL mode, so this reader never blocks its writes. The file is opened on first use: a
 * reflector may start before the executive has created it (the read then fails and is retried).
 */
import Database from 'better-sqlite3';
import { ensureError } from '../../errors.ts';
import {
  LEDGER_COLUMNS,
  LEDGER_HEAD_TABLE,
  LEDGER_TABLE,
  ledgerEntryFromRow,
  type LedgerEntry,
  type LedgerRow,
  type LedgerSource,
} from '../entry.ts';

export interface SqliteLedgerSourceOptions {
  /** Path of the ctldb file. */
  readonly path: string;
  /** How long a read waits for a lock, in ms. @defaultValue 5000 */
  readonly busyTimeoutMs?: number;
}

interface Statements {
  readonly db: Database.Database;
  readonly after: Database.Statement<[number, number], LedgerRow>;
  readonly head: Database.Statement<[], { seq: number }>;
}

export class SqliteLedgerSource implements LedgerSource {
  readonly #options: SqliteLedgerSourceOptions;
  #statements: Statements | null = null;

  constructor(options: SqliteLedgerSourceOptions) {
    this.#options = options;
  }

  readAfter(afterSeq: number, limit: number): Promise<LedgerEntry[]> {
    try {
      const rows = this.#open().after.all(afterSeq, Math.max(1, Math.trunc(limit)));
      return Promise.resolve(rows.map(ledgerEntryFromRow));
    } catch (err) {
      return Promise.reject(ensureError(err));
    }
  }

  headSeq(): Promise<number> {
    try {
      return Promise.resolve(Number(this.#open().head.get()?.seq ?? 0));
    } catch (err) {
      return Promise.reject(ensureError(err));
    }
  }

  close(): Promise<void> {
    this.#statements?.db.close();
    this.#statements = null;
    return Promise.resolve();
  }

  #open(): Statements {
    if (this.#statements !== null) return this.#statements;
    const db = new Database(this.#options.path, {
      readonly: true,
      fileMustExist: true,
      timeout: this.#options.busyTimeoutMs ?? 5000,
    });
    try {
      this.#statements = {
        db,
        after: db.prepare(
          `SELECT ${LEDGER_COLUMNS.join(', ')} FROM ${LEDGER_TABLE} WHERE seq > ? ORDER BY seq LIMIT ?`,
        ),
        head: db.prepare(`SELECT seq FROM ${LEDGER_HEAD_TABLE} WHERE id = 1`),
      };
    } catch (err) {
      db.close();
      throw err;
    }
    return this.#statements;
  }
}
