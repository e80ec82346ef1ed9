/**
 * The executive benchmark's machinery, separate from bench/executive.ts so other benchmarks
 * (limits on/off, say) can reuse it: `measureExecutive(limiter, …)` writes the same rows through
 * an in-process executive over HTTP and, for reference, by plain multi-row INSERT … ON DUPLICATE
 * KEY UPDATE through mysql2, against a throwaway MariaDB database.
 */
import { createConnection, createPool, type Pool } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import type { Ctldb } from '../lib/ctldb/dialect.ts';
import { createFamilyTableSql } from '../lib/ctldb/family-sql.ts';
import { openCtldb } from '../lib/ctldb/open.ts';
import type { TableSchema } from '../lib/schema/types.ts';
import { createExecutive, type Executive } from '../services/executive/app.ts';
import { loadExecutiveConfig } from '../services/executive/config.ts';
import type { Limiter } from '../services/executive/limits/limiter.ts';
import { stackEnv } from '../test/support/stack-env.ts';

export interface Measurement {
  readonly batchSize: number;
  /** Median over repetitions, mutations per second. */
  readonly executive: number;
  readonly plainInsert: number;
  /** executive / plainInsert. */
  readonly ratio: number;
}

export interface BenchOptions {
  readonly batchSizes: readonly number[];
  readonly repetitions: number;
  /** Mutations written per repetition and batch size. */
  readonly mutationsPerRep: (batchSize: number) => number;
}

const FIELDS = [
  ['id', 'integer'],
  ['name', 'string'],
  ['qty', 'integer'],
  ['price', 'decimal'],
  ['note', 'text'],
] as const;

const schemaOf = (table: string): TableSchema => ({
  family: 'bench',
  table,
  fields: FIELDS.map(([name, type]) => ({ name, type })),
  keyFields: ['id'],
});

interface Rig {
  readonly database: string;
  readonly ctldb: Ctldb;
  readonly executive: Executive;
  readonly plain: Pool;
  readonly secret: string;
}

function serverUrl(database?: string): string {
  const url = new URL(stackEnv.mysqlUrl);
  url.pathname = database === undefined ? '/' : `/${database}`;
  return url.toString();
}

async function onServer(sql: string): Promise<void> {
  const conn = await createConnection({ uri: serverUrl() });
  await conn.query(sql).finally(() => conn.end());
}

async function setUp(limiter: Limiter): Promise<Rig> {
  const database = `cuttle_bench_${randomBytes(4).toString('hex')}`;
  await onServer(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  const ctldb = await openCtldb({ driver: 'mysql', url: serverUrl(database) });
  const config = {
    ...loadExecutiveConfig({}),
    port: 0,
    heartbeatIntervalMs: 0,
    adminToken: 'bench-admin-token',
  };
  const executive = await createExecutive(config, { ctldb, limiter });
  const admin = { authorization: 'Bearer bench-admin-token', 'content-type': 'application/json' };
  const post = (path: string, body: unknown) =>
    fetch(new URL(path, executive.url), { method: 'POST', headers: admin, body: JSON.stringify(body) });
  await post('/families/bench', {});
  await post('/families/bench/tables/items', { fields: FIELDS, keyFields: ['id'] });
  const secret = 'bench-writer-secret';
  await post('/writers/bench-writer', { secret, families: ['bench'] });
  // The reference table has the same definition, written around the executive.
  await ctldb.ddl(createFamilyTableSql(ctldb.dialect, schemaOf('plain')));
  const plain = createPool({
    uri: serverUrl(database),
    connectionLimit: 2,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  return { database, ctldb, executive, plain, secret };
}

async function tearDown(rig: Rig): Promise<void> {
  await rig.plain.end();
  await rig.executive.close();
  await rig.ctldb.close();
  await onServer(`DROP DATABASE IF EXISTS \`${rig.database}\``);
}

type RowTuple = [number, string, number, string, string];

function rowsFor(start: number, count: number): RowTuple[] {
  return Array.from({ length: count }, (_, i) => {
    const id = start + i;
    return [
      id,
      `name-${id}`,
      id % 1000,
      `${id % 977}.${id % 100}`,
      `note for row ${id}: some text of moderate length`,
    ];
  });
}

async function viaExecutive(rig: Rig, batches: RowTuple[][]): Promise<void> {
  const headers = {
    'content-type': 'application/json',
    'x-cuttle-writer': 'bench-writer',
    'x-cuttle-secret': rig.secret,
  };
  for (const batch of batches) {
    const mutations = batch.map(([id, name, qty, price, note]) => ({
      table: 'items',
      values: { id, name, qty, price, note },
    }));
    const response = await fetch(new URL('/families/bench/mutations', rig.executive.url), {
      method: 'POST',
      headers,
      body: JSON.stringify({ mutations }),
    });
    if (response.status !== 200)
      throw new Error(`executive answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  }
}

async function viaPlainInsert(rig: Rig, batches: RowTuple[][]): Promise<void> {
  const sql =
    'INSERT INTO `bench___plain` (`id`, `name`, `qty`, `price`, `note`) VALUES ? ON DUPLICATE KEY UPDATE `name` = VALUES(`name`), `qty` = VALUES(`qty`), `price` = VALUES(`price`), `note` = VALUES(`note`)';
  for (const batch of batches) await rig.plain.query(sql, [batch]);
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

function batchesOf(rows: RowTuple[], size: number): RowTuple[][] {
  const out: RowTuple[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Runs the comparison with `limiter` in the executive; alternates the two writers per repetition. */
export async function measureExecutive(limiter: Limiter, options: BenchOptions): Promise<Measurement[]> {
  const rig = await setUp(limiter);
  try {
    const results: Measurement[] = [];
    let nextId = 1;
    for (const batchSize of options.batchSizes) {
      const count = options.mutationsPerRep(batchSize);
      // Warm-up: connections, JIT, statement shapes.
      await viaExecutive(rig, batchesOf(rowsFor(nextId, batchSize * 2), batchSize));
      await viaPlainInsert(rig, batchesOf(rowsFor(nextId, batchSize * 2), batchSize));
      nextId += batchSize * 2;
      const executiveRates: number[] = [];
      const plainRates: number[] = [];
      for (let rep = 0; rep < options.repetitions; rep++) {
        const batches = batchesOf(rowsFor(nextId, count), batchSize);
        nextId += count;
        executiveRates.push(count / (await timed(() => viaExecutive(rig, batches))));
        plainRates.push(count / (await timed(() => viaPlainInsert(rig, batches))));
      }
      const executive = median(executiveRates);
      const plainInsert = median(plainRates);
      results.push({ batchSize, executive, plainInsert, ratio: executive / plainInsert });
    }
    return results;
  } finally {
    await tearDown(rig);
  }
}
