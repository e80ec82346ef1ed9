/**
 * LedgerSource over MySQL/MariaDB ctldb (mysql2). A small pool of its own: a reflector only reads
 * the ledger, never the family tables, and needs no migrations or schema lock.
 *
 * Each read is one autocommit SELECT, so it sees a consistent snapshot of committed entries;
 * because the executive assigns seqs under the ledger-head row lock at commit time, committed
 * entries always form a dense prefix and a read never sees a hole that is filled later.
 */
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import {
  LEDGER_COLUMNS,
  LEDGER_HEAD_TABLE,
  LEDGER_TABLE,
  ledgerEntryFromRow,
  type LedgerEntry,
  type LedgerRow,
  type LedgerSource,
} from '../entry.ts';

export interface MysqlLedgerSourceOptions {
  /** mysql://user:password@host:port/database */
  readonly url: string;
  /** Longest a ledger read may take before it fails (and is retried), in ms. @defaultValue 5000 */
  readonly queryTimeoutMs?: number;
  /** @defaultValue 2 */
  readonly connectionLimit?: number;
}

const SELECT_AFTER = `SELECT ${LEDGER_COLUMNS.join(', ')} FROM ${LEDGER_TABLE} WHERE seq > ? ORDER BY seq LIMIT ?`;

export class MysqlLedgerSource implements LedgerSource {
  readonly #pool: Pool;
  readonly #timeout: number;

  constructor(options: MysqlLedgerSourceOptions) {
    this.#pool = createPool({
      uri: options.url,
      connectionLimit: options.connectionLimit ?? 2,
      // BIGINT columns as exact decimal strings; ledgerEntryFromRow checks they are safe.
      supportBigNumbers: true,
      bigNumberStrings: true,
      enableKeepAlive: true,
    });
    this.#timeout = options.queryTimeoutMs ?? 5000;
  }

  async readAfter(afterSeq: number, limit: number): Promise<LedgerEntry[]> {
    const [rows] = await this.#pool.query<RowDataPacket[]>({ sql: SELECT_AFTER, timeout: this.#timeout }, [
      afterSeq,
      Math.max(1, Math.trunc(limit)),
    ]);
    return rows.map((row) => ledgerEntryFromRow(row as unknown as LedgerRow));
  }

  async headSeq(): Promise<number> {
    const [rows] = await this.#pool.query<RowDataPacket[]>({
      sql: `SELECT seq FROM ${LEDGER_HEAD_TABLE} WHERE id = 1`,
      timeout: this.#timeout,
    });
    return Number(rows[0]?.seq ?? 0);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
