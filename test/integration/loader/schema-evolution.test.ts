/**
 * Origin schema changes beyond ADD COLUMN, through the real pipeline with a source registered as
 * `cuttle sources add` registers it and a loader following the registry (origin → Debezium →
 * Kafka → loader → executive → ctldb → reflector → LDB):
 * - a widened column (INT → BIGINT, VARCHAR(10) → VARCHAR(100)) is followed without an operator;
 * - TRUNCATE deletes every row of the cuttle table in one ledger batch;
 * - a narrowed column and a dropped column hold the table with a reason naming
 *   `cuttle sources resolve`, and that command lets the loader go on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../cli/context.ts';
import { runCli } from '../../../cli/program.ts';
import { eventually } from './harness.ts';
import { Pipeline } from './pipeline.ts';

const pipeline = new Pipeline();
const FAMILY = 'evolve';

async function cuttle(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const { url, adminToken } = pipeline.harness.ex;
  const code = await runCli(['--executive', url, '--admin-token', adminToken, '--json', ...args], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** ctldb and the LDB, which must agree, as plain text rows. */
async function rows(table: string): Promise<Record<string, string | null>[]> {
  const text = (v: unknown): string | null => {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') return String(v);
    return v === null || v === undefined ? null : JSON.stringify(v);
  };
  const ctldb = (await pipeline.harness.rows(FAMILY, table)).map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, text(v)])),
  );
  const ldb = pipeline.reader
    .rowsByPrefix(FAMILY, table, [])
    .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, text(v)])));
  expect(ldb).toEqual(ctldb);
  return ctldb;
}

function heldReason(table: string): string | undefined {
  return pipeline.loader.statuses.find((s) => s.halted !== null && s.halted.reason.includes(table))?.halted
    ?.reason;
}

describe('origin schema changes through the whole pipeline', () => {
  beforeAll(async () => {
    await pipeline.open({
      format: 'json',
      setup: [
        'CREATE TABLE widen (id INT PRIMARY KEY, n INT, s VARCHAR(10))',
        "INSERT INTO widen VALUES (1, 1, 'a')",
        'CREATE TABLE trunc (id INT PRIMARY KEY, v VARCHAR(10))',
        "INSERT INTO trunc VALUES (1, 'a'), (2, 'b'), (3, 'c')",
        'CREATE TABLE narrow (id INT PRIMARY KEY, s VARCHAR(20))',
        "INSERT INTO narrow VALUES (1, 'abc')",
        'CREATE TABLE dropper (id INT PRIMARY KEY, a INT, b INT)',
        'INSERT INTO dropper VALUES (1, 1, 1)',
      ],
      tables: ['widen', 'trunc', 'narrow', 'dropper'].map((table) => ({ table, family: FAMILY })),
      registry: true,
    });
    await eventually(async () => expect(await rows('dropper')).toHaveLength(1), 120_000);
  });

  afterAll(async () => {
    await pipeline.close();
  });

  it('follows a widened column by itself', async () => {
    await pipeline.origin.exec('ALTER TABLE widen MODIFY n BIGINT, MODIFY s VARCHAR(100)');
    await pipeline.origin.exec("INSERT INTO widen VALUES (2, 9223372036854775807, REPEAT('x', 100))");
    await eventually(async () => {
      expect(await rows('widen')).toEqual([
        { id: '1', n: '1', s: 'a' },
        { id: '2', n: '9223372036854775807', s: 'x'.repeat(100) },
      ]);
    }, 60_000);
    expect(pipeline.loader.statuses.filter((s) => s.halted !== null)).toEqual([]);
  });

  it('applies TRUNCATE as one ledger batch deleting every row', async () => {
    await pipeline.origin.exec('TRUNCATE TABLE trunc');
    await pipeline.origin.exec("INSERT INTO trunc VALUES (4, 'd')");
    await eventually(async () => expect(await rows('trunc')).toEqual([{ id: '4', v: 'd' }]), 60_000);
    const deletes = await pipeline.harness.ex.db.ctldb.all(
      "SELECT batch_seq, COUNT(*) AS n FROM cuttle_ledger WHERE table_name = 'trunc' AND op = 'delete' GROUP BY batch_seq",
    );
    expect(deletes.map((d) => Number(d.n))).toEqual([3]);
  });

  it('holds a narrowed column until `cuttle sources resolve`, then goes on', async () => {
    await pipeline.origin.exec('ALTER TABLE narrow MODIFY s VARCHAR(5)');
    await eventually(() => {
      expect(heldReason('narrow')).toMatch(
        /column s of .*\.narrow changed from varchar\(20\) to varchar\(5\).*cuttle sources resolve/,
      );
      return Promise.resolve();
    }, 60_000);
    const resolved = await cuttle(
      'sources',
      'resolve',
      pipeline.harness.prefix,
      'narrow',
      '--password',
      pipeline.passwordRef,
    );
    expect(resolved.err).toBe('');
    expect(JSON.parse(resolved.out)).toMatchObject({
      retypedColumns: ['s'],
      addedFields: [],
      droppedColumns: [],
    });
    await pipeline.origin.exec("INSERT INTO narrow VALUES (2, 'de')");
    await eventually(async () => {
      expect(await rows('narrow')).toEqual([
        { id: '1', s: 'abc' },
        { id: '2', s: 'de' },
      ]);
    }, 60_000);
  });

  it('holds a dropped column until `cuttle sources resolve`; its field stays and is no longer written', async () => {
    await pipeline.origin.exec('ALTER TABLE dropper DROP COLUMN b');
    await pipeline.origin.exec('INSERT INTO dropper VALUES (2, 2)');
    await eventually(() => {
      expect(heldReason('dropper')).toMatch(
        /b of .*\.dropper were dropped or renamed.*cuttle sources resolve/,
      );
      return Promise.resolve();
    }, 60_000);
    expect(await rows('dropper')).toEqual([{ id: '1', a: '1', b: '1' }]);
    const resolved = await cuttle(
      'sources',
      'resolve',
      pipeline.harness.prefix,
      'dropper',
      '--password',
      pipeline.passwordRef,
    );
    expect(resolved.err).toBe('');
    expect(JSON.parse(resolved.out)).toMatchObject({ droppedColumns: ['b'] });
    await eventually(async () => {
      expect(await rows('dropper')).toEqual([
        { id: '1', a: '1', b: '1' },
        { id: '2', a: '2', b: null },
      ]);
    }, 60_000);
    expect(pipeline.loader.statuses.filter((s) => s.halted !== null)).toEqual([]);
  });
});
