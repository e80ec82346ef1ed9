/**
 * Opens a LedgerSource from a ctldb address: `mysql://…` for MySQL/MariaDB, `sqlite:<path>` (or
 * `file:<path>`) for the embedded SQLite ctldb.
 */
import { CuttleError } from '../../errors.ts';
import type { LedgerSource } from '../entry.ts';
import { MysqlLedgerSource } from './mysql-adapter.ts';
import { SqliteLedgerSource } from './sqlite-adapter.ts';

export interface OpenLedgerSourceOptions {
  /** Longest a ledger read may take, in ms (MySQL). @defaultValue 5000 */
  readonly queryTimeoutMs?: number;
}

export function openLedgerSource(address: string, options: OpenLedgerSourceOptions = {}): LedgerSource {
  if (address.startsWith('mysql://') || address.startsWith('mariadb://')) {
    const url = address.replace(/^mariadb:/, 'mysql:');
    return new MysqlLedgerSource({
      url,
      ...(options.queryTimeoutMs === undefined ? {} : { queryTimeoutMs: options.queryTimeoutMs }),
    });
  }
  const match = /^(?:sqlite|file):(.+)$/.exec(address);
  if (match?.[1] !== undefined) return new SqliteLedgerSource({ path: match[1].replace(/^\/\/(?=\/)/, '') });
  throw new CuttleError(
    'CONFIG_INVALID',
    `ctldb address ${JSON.stringify(address)} is neither mysql://… nor sqlite:<path>`,
    { details: { address }, retriable: false },
  );
}
