/**
 * A hand-written ledger for reflector tests: the ledger tables (lib/ledger/ddl.ts) in a throwaway
 * MariaDB database (`cuttle_reflector_<random>`, dropped by close()) or SQLite file, and entries
 * appended in the documented format (lib/ledger/entry.ts): dense seqs, batch_seq/batch_end, JSON
 * payloads with values encoded as in lib/schema/values.ts.
 *
 *   const ledger = await openLedgerFixture('sqlite');
 *   await ledger.append([op.createTable(schema), op.upsert(schema, { id: 1n, name: 'a' })]);
 */
import Database from 'better-sqlite3';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerDdl } from '../../lib/ledger/ddl.ts';
import {
  LEDGER_COLUMNS,
  LEDGER_HEAD_TABLE,
  LEDGER_TABLE,
  type LedgerSource,
  type PendingEntry,
} from '../../lib/ledger/entry.ts';
import { openLedgerSource } from '../../lib/ledger/sources/open.ts';
import type { FieldDef, TableSchema } from '../../lib/schema/types.ts';
import { encodeRow, encodeValue, type Row } from '../../lib/schema/values.ts';
import { stackEnv } from './stack-env.ts';

export type LedgerDialect = 'mysql' | 'sqlite';
export const LEDGER_DIALECTS: readonly LedgerDialect[] = ['sqlite', 'mysql'];

/** One ledger row exactly as stored, for appending malformed ledgers (gaps). */
export interface RawEntry {
  readonly seq: number;
  readonly batchSeq: number;
  readonly batchEnd: boolean;
  readonly committedAt: number;
  readonly family: string;
  readonly table: string;
  readonly op: string;
  readonly payload: unknown;
}

export interface AppendedBatch {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly committedAt: number;
}

export interface LedgerFixture {
  readonly dialect: LedgerDialect;
  /** The ctldb address for openLedgerSource and REFLECTOR_CTLDB (child processes). */
  readonly address: string;
  /** A new LedgerSource on this ledger (the caller closes it). */
  source(): LedgerSource;
  /** Appends one batch after the head and moves the head; returns the seqs it got. */
  append(entries: readonly PendingEntry[], committedAt?: number): Promise<AppendedBatch>;
  /** Inserts rows as given (no checks) and sets the head to the largest seq. */
  appendRaw(rows: readonly RawEntry[]): Promise<void>;
  head(): Promise<number>;
  close(): Promise<void>;
}

interface Runner {
  run(sql: string, params?: readonly unknown[]): Promise<void>;
  one(sql: string): Promise<number>;
  close(): Promise<void>;
}

async function mysqlRunner(): Promise<{ runner: Runner; address: string }> {
  const database = `cuttle_reflector_${randomBytes(5).toString('hex')}`;
  const server = new URL(stackEnv.mysqlUrl);
  const admin = await createConnection({ uri: server.toString() });
  await admin.query(`CREATE DATABASE \`${database}\``);
  server.pathname = `/${database}`;
  const conn: Connection = await createConnection({ uri: server.toString(), supportBigNumbers: true });
  return {
    address: server.toString(),
    runner: {
      run: async (sql, params = []) => void (await conn.query(sql, [...params])),
      one: async (sql) => {
        const [rows] = await conn.query<RowDataPacket[]>(sql);
        return Number(Object.values(rows[0] ?? {})[0] ?? 0);
      },
      close: async () => {
        await conn.end();
        await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
        await admin.end();
      },
    },
  };
}

function sqliteRunner(at?: string): { runner: Runner; address: string } {
  const folder = mkdtempSync(join(tmpdir(), 'cuttle-ledger-'));
  const path = at ?? join(folder, 'ctldb.sqlite');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  return {
    address: `sqlite:${path}`,
    runner: {
      run: (sql, params = []) => Promise.resolve(void db.prepare(sql).run(...params)),
      one: (sql) => Promise.resolve(Number(db.prepare(sql).pluck().get() ?? 0)),
      close: () => {
        db.close();
        rmSync(folder, { recursive: true, force: true });
        return Promise.resolve();
      },
    },
  };
}

export interface LedgerFixtureOptions {
  /** SQLite only: create the ctldb file here instead of in a fresh temporary folder. */
  readonly sqlitePath?: string;
}

export async function openLedgerFixture(
  dialect: LedgerDialect,
  options: LedgerFixtureOptions = {},
): Promise<LedgerFixture> {
  const { runner, address } = dialect === 'mysql' ? await mysqlRunner() : sqliteRunner(options.sqlitePath);
  for (const sql of ledgerDdl(dialect)) await runner.run(sql);
  const head = (): Promise<number> => runner.one(`SELECT seq FROM ${LEDGER_HEAD_TABLE} WHERE id = 1`);
  const appendRaw = async (rows: readonly RawEntry[]): Promise<void> => {
    if (rows.length === 0) return;
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      const marks = chunk.map(() => `(${LEDGER_COLUMNS.map(() => '?').join(', ')})`).join(', ');
      const params = chunk.flatMap((r) => [
        r.seq,
        r.batchSeq,
        r.batchEnd ? 1 : 0,
        r.committedAt,
        r.family,
        r.table,
        r.op,
        JSON.stringify(r.payload),
      ]);
      await runner.run(`INSERT INTO ${LEDGER_TABLE} (${LEDGER_COLUMNS.join(', ')}) VALUES ${marks}`, params);
    }
    const top = Math.max(...rows.map((r) => r.seq));
    await runner.run(`UPDATE ${LEDGER_HEAD_TABLE} SET seq = ? WHERE id = 1`, [top]);
  };
  return {
    dialect,
    address,
    source: () => openLedgerSource(address),
    head,
    appendRaw,
    append: async (entries, committedAt = Date.now()) => {
      const first = (await head()) + 1;
      const rows = entries.map((e, i) => ({
        seq: first + i,
        batchSeq: first,
        batchEnd: i === entries.length - 1,
        committedAt,
        family: e.family,
        table: e.table,
        op: e.op,
        payload: e.payload,
      }));
      await appendRaw(rows);
      return { firstSeq: first, lastSeq: first + entries.length - 1, committedAt };
    },
    close: () => runner.close(),
  };
}

/** Builders of pending ledger entries from typed rows. */
export const op = {
  createTable: (schema: TableSchema): PendingEntry => ({
    family: schema.family,
    table: schema.table,
    op: 'create_table',
    payload: { fields: schema.fields.map((f) => [f.name, f.type] as const), keyFields: schema.keyFields },
  }),
  addFields: (schema: TableSchema, fields: readonly FieldDef[]): PendingEntry => ({
    family: schema.family,
    table: schema.table,
    op: 'add_fields',
    payload: { fields: fields.map((f) => [f.name, f.type] as const) },
  }),
  /** The whole row: fields missing from `row` are written as null, as the executive does. */
  upsert: (schema: TableSchema, row: Row): PendingEntry => {
    const full: Row = {};
    for (const f of schema.fields) full[f.name] = row[f.name] ?? null;
    return {
      family: schema.family,
      table: schema.table,
      op: 'upsert',
      payload: { values: encodeRow(full, schema.fields) },
    };
  },
  delete: (schema: TableSchema, key: Row): PendingEntry => {
    const encoded: Record<string, string | null> = {};
    for (const k of schema.keyFields) {
      const field = schema.fields.find((f) => f.name === k);
      encoded[k] = encodeValue(key[k] ?? null, field?.type ?? 'string');
    }
    return { family: schema.family, table: schema.table, op: 'delete', payload: { key: encoded } };
  },
  dropTable: (schema: Pick<TableSchema, 'family' | 'table'>): PendingEntry => ({
    family: schema.family,
    table: schema.table,
    op: 'drop_table',
    payload: {},
  }),
  clearTable: (schema: Pick<TableSchema, 'family' | 'table'>): PendingEntry => ({
    family: schema.family,
    table: schema.table,
    op: 'clear_table',
    payload: {},
  }),
  heartbeat: (): PendingEntry => ({ family: '', table: '', op: 'heartbeat', payload: {} }),
};
