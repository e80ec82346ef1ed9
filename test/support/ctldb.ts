/**
 * A throwaway ctldb for tests, on either dialect, with migrations applied:
 * - mysql: a fresh database `cuttle_<area>_<random>` on the stack's MariaDB, dropped by close();
 * - sqlite: a fresh file in a temporary folder, removed by close().
 *
 *   const db = await createTestCtldb('mysql', 'loader');
 *   try { … db.ctldb … } finally { await db.close(); }
 */
import { createConnection } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ctldb } from '../../lib/ctldb/dialect.ts';
import { openCtldb, type CtldbConnectOptions } from '../../lib/ctldb/open.ts';
import { stackEnv } from './stack-env.ts';

export const CTLDB_DIALECTS = ['mysql', 'sqlite'] as const;
export type TestDialect = (typeof CTLDB_DIALECTS)[number];

export interface TestCtldb {
  readonly dialect: TestDialect;
  readonly ctldb: Ctldb;
  /** How to open the same ctldb again (a second executive, a reflector's ledger source). */
  readonly connect: CtldbConnectOptions;
  /** Closes the connection and deletes the database or file. Safe to call twice. */
  close(): Promise<void>;
}

function serverUrl(database?: string): string {
  const url = new URL(stackEnv.mysqlUrl);
  url.pathname = database === undefined ? '/' : `/${database}`;
  return url.toString();
}

async function onMysqlServer(sql: string): Promise<void> {
  const conn = await createConnection({ uri: serverUrl() });
  try {
    await conn.query(sql);
  } finally {
    await conn.end();
  }
}

/** Where a test ctldb lives: how to connect, and how to remove it afterwards. */
async function provision(
  dialect: TestDialect,
  area: string,
): Promise<{ connect: TestCtldb['connect']; remove: () => Promise<unknown> }> {
  if (dialect === 'mysql') {
    const database = `cuttle_${area}_${randomBytes(5).toString('hex')}`;
    await onMysqlServer(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    return {
      connect: { driver: 'mysql', url: serverUrl(database) },
      remove: () => onMysqlServer(`DROP DATABASE IF EXISTS \`${database}\``),
    };
  }
  const folder = await mkdtemp(join(tmpdir(), `cuttle-${area}-`));
  return {
    connect: { driver: 'sqlite', path: join(folder, 'ctldb.sqlite') },
    remove: () => rm(folder, { recursive: true, force: true }),
  };
}

export async function createTestCtldb(dialect: TestDialect, area = 'executive'): Promise<TestCtldb> {
  const { connect, remove } = await provision(dialect, area);
  const ctldb = await openCtldb(connect);
  let closed = false;
  return {
    dialect,
    ctldb,
    connect,
    close: async () => {
      if (closed) return;
      closed = true;
      await ctldb.close();
      await remove();
    },
  };
}
