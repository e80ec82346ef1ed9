/**
 * The fleet's origin: the tables its source captures and the workload writes.
 *
 * - items: the churn table (inserts, updates, key updates, deletes). `ver` is the workload's
 *   change number, unique and increasing, so every ledger effect names the origin change it is.
 * - tx_groups: each origin transaction sets every slot of one group to the same `ver`, so a
 *   reader that ever sees two versions inside one group has seen part of a transaction.
 */
import { createConnection, type Connection } from 'mysql2/promise';
import type { Fleet } from './description.ts';

export const GROUP_SLOTS = 4;
export const GROUPS = 25;

export const ORIGIN_TABLES = ['items', 'tx_groups'] as const;

const DDL = [
  `CREATE TABLE IF NOT EXISTS items (
     id BIGINT NOT NULL PRIMARY KEY,
     grp INT NOT NULL,
     ver BIGINT NOT NULL,
     name VARCHAR(64) NOT NULL,
     amount DECIMAL(20,6) NULL,
     note TEXT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS tx_groups (
     grp INT NOT NULL,
     slot INT NOT NULL,
     ver BIGINT NOT NULL,
     PRIMARY KEY (grp, slot)
   )`,
];

export function originServerUrl(fleet: Fleet): string {
  return fleet.stack.originUrl.replace(/\/$/, '');
}

export async function connectOrigin(fleet: Fleet, withDatabase = true): Promise<Connection> {
  const url = withDatabase ? `${originServerUrl(fleet)}/${fleet.source.database}` : originServerUrl(fleet);
  return createConnection({ uri: url, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true });
}

/** Creates the origin database and tables (idempotent). */
export async function ensureOriginSchema(fleet: Fleet): Promise<void> {
  const server = await connectOrigin(fleet, false);
  try {
    await server.query(
      `CREATE DATABASE IF NOT EXISTS \`${fleet.source.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
    );
  } finally {
    await server.end();
  }
  const db = await connectOrigin(fleet);
  try {
    for (const ddl of DDL) await db.query(ddl);
  } finally {
    await db.end();
  }
}
