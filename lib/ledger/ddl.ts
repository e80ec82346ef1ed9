/**
 * DDL of the ledger tables, per ctldb dialect. The executive's migrations create them; reflector
 * tests use them to build a ledger by hand. The format is documented in entry.ts.
 */
import { LEDGER_HEAD_TABLE, LEDGER_TABLE } from './entry.ts';

export type CtldbDialectName = 'mysql' | 'sqlite';

export function ledgerDdl(dialect: CtldbDialectName): string[] {
  if (dialect === 'mysql') {
    return [
      `CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (
        seq BIGINT UNSIGNED NOT NULL PRIMARY KEY,
        batch_seq BIGINT UNSIGNED NOT NULL,
        batch_end TINYINT NOT NULL,
        committed_at BIGINT NOT NULL,
        family VARCHAR(30) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        table_name VARCHAR(50) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        op VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        payload LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL
      ) ENGINE=InnoDB`,
      `CREATE TABLE IF NOT EXISTS ${LEDGER_HEAD_TABLE} (
        id TINYINT NOT NULL PRIMARY KEY,
        seq BIGINT UNSIGNED NOT NULL
      ) ENGINE=InnoDB`,
      `INSERT IGNORE INTO ${LEDGER_HEAD_TABLE} (id, seq) VALUES (1, 0)`,
    ];
  }
  return [
    `CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (
      seq INTEGER NOT NULL PRIMARY KEY,
      batch_seq INTEGER NOT NULL,
      batch_end INTEGER NOT NULL,
      committed_at INTEGER NOT NULL,
      family TEXT NOT NULL,
      table_name TEXT NOT NULL,
      op TEXT NOT NULL,
      payload TEXT NOT NULL
    ) STRICT`,
    `CREATE TABLE IF NOT EXISTS ${LEDGER_HEAD_TABLE} (
      id INTEGER NOT NULL PRIMARY KEY,
      seq INTEGER NOT NULL
    ) STRICT`,
    `INSERT OR IGNORE INTO ${LEDGER_HEAD_TABLE} (id, seq) VALUES (1, 0)`,
  ];
}
