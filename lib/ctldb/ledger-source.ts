/** The ledger read from ctldb (MySQL or the embedded SQLite ctldb): what reflectors follow. */
import {
  LEDGER_COLUMNS,
  LEDGER_HEAD_TABLE,
  LEDGER_TABLE,
  ledgerEntryFromRow,
  type LedgerEntry,
  type LedgerRow,
  type LedgerSource,
} from '../ledger/entry.ts';
import type { Ctldb } from './dialect.ts';

export class CtldbLedgerSource implements LedgerSource {
  readonly #ctldb: Ctldb;
  readonly #ownsCtldb: boolean;

  /** With `ownsCtldb`, close() closes the ctldb connection too. */
  constructor(ctldb: Ctldb, { ownsCtldb = false } = {}) {
    this.#ctldb = ctldb;
    this.#ownsCtldb = ownsCtldb;
  }

  async readAfter(afterSeq: number, limit: number): Promise<LedgerEntry[]> {
    const rows = await this.#ctldb.all(
      `SELECT ${LEDGER_COLUMNS.join(', ')} FROM ${LEDGER_TABLE} WHERE seq > ? ORDER BY seq LIMIT ${Math.max(1, Math.trunc(limit))}`,
      [afterSeq],
    );
    return rows.map((r) => ledgerEntryFromRow(r as unknown as LedgerRow));
  }

  async headSeq(): Promise<number> {
    const rows = await this.#ctldb.all(`SELECT seq FROM ${LEDGER_HEAD_TABLE} WHERE id = 1`);
    return Number(rows[0]?.seq ?? 0);
  }

  async close(): Promise<void> {
    if (this.#ownsCtldb) await this.#ctldb.close();
  }
}
