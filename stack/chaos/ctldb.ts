/**
 * What the checks read from ctldb and the origin: the ledger, the family tables and their
 * schema. A pool, so that a ctldb restart costs a few failed calls and nothing more.
 */
import { createPool, type Pool, type PoolConnection } from 'mysql2/promise';
import { ledgerEntryFromRow, type LedgerEntry, type LedgerRow } from '../../lib/ledger/entry.ts';
import { physicalTableName } from '../../lib/schema/names.ts';
import type { FieldType } from '../../lib/schema/types.ts';
import { ctldbUrl, type Fleet } from '../fleet/description.ts';
import { connectOrigin } from '../fleet/origin-schema.ts';
import { normalRow, toTableRows, type FieldTypes, type TableRows } from './tables.ts';
import { CHAOS_TABLES, type ChaosTable } from './truth.ts';

export type TablesState = Record<ChaosTable, TableRows>;
export type SchemaTypes = Record<ChaosTable, FieldTypes>;

export class Ctldb {
  readonly #pool: Pool;
  readonly #family: string;

  constructor(fleet: Fleet) {
    this.#family = fleet.source.family;
    this.#pool = createPool({
      uri: ctldbUrl(fleet),
      connectionLimit: 3,
      supportBigNumbers: true,
      bigNumberStrings: true,
      connectTimeout: 3000,
    });
    // A pool emits errors of idle connections when ctldb restarts; they are expected here.
    this.#pool.on('connection', (c) => c.on('error', () => undefined));
  }

  async head(): Promise<number> {
    const [rows] = await this.#pool.query('SELECT COALESCE(MAX(seq), 0) AS seq FROM cuttle_ledger');
    return Number((rows as { seq: string }[])[0]?.seq ?? 0);
  }

  async entriesAfter(seq: number, limit = 5000): Promise<LedgerEntry[]> {
    const [rows] = await this.#pool.query(
      'SELECT seq, batch_seq, batch_end, committed_at, family, table_name, op, payload FROM cuttle_ledger WHERE seq > ? ORDER BY seq LIMIT ?',
      [seq, limit],
    );
    return (rows as LedgerRow[]).map(ledgerEntryFromRow);
  }

  async schemaTypes(conn?: PoolConnection): Promise<SchemaTypes> {
    const [rows] = await (conn ?? this.#pool).query(
      'SELECT table_name, schema_json FROM cuttle_tables WHERE family = ?',
      [this.#family],
    );
    const out = { items: new Map(), tx_groups: new Map() } as Record<ChaosTable, Map<string, FieldType>>;
    for (const row of rows as { table_name: string; schema_json: string }[]) {
      const schema = JSON.parse(row.schema_json) as { fields: [string, FieldType][] };
      if (row.table_name in out) out[row.table_name as ChaosTable] = new Map(schema.fields);
    }
    return out;
  }

  /** The family tables and the ledger head, read in one consistent snapshot. */
  async state(): Promise<{ head: number; tables: TablesState; types: SchemaTypes }> {
    const conn = await this.#pool.getConnection();
    try {
      await conn.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
      const [head] = await conn.query('SELECT COALESCE(MAX(seq), 0) AS seq FROM cuttle_ledger');
      const types = await this.schemaTypes(conn);
      const tables = {} as TablesState;
      for (const table of CHAOS_TABLES) {
        const [rows] = await conn.query(`SELECT * FROM \`${physicalTableName(this.#family, table)}\``);
        tables[table] = toTableRows(
          table,
          (rows as Record<string, unknown>[]).map((r) => normalRow(r, types[table])),
        );
      }
      await conn.query('COMMIT');
      return { head: Number((head as { seq: string }[])[0]?.seq ?? 0), tables, types };
    } finally {
      conn.release();
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

/** The origin's rows, typed by ctldb's schema (so decimals compare canonically). */
export async function originState(fleet: Fleet, types: SchemaTypes): Promise<TablesState> {
  const db = await connectOrigin(fleet);
  try {
    const tables = {} as TablesState;
    for (const table of CHAOS_TABLES) {
      const [rows] = await db.query(`SELECT * FROM \`${table}\``);
      tables[table] = toTableRows(
        table,
        (rows as Record<string, unknown>[]).map((r) => normalRow(r, types[table])),
      );
    }
    return tables;
  } finally {
    await db.end().catch(() => db.destroy());
  }
}
