/**
 * Property: whatever sequence of batches, retries, stale offsets and injected failures a writer
 * goes through, afterwards ctldb holds exactly what a simple in-memory model says, the stored
 * offsets are the model's, and every accepted batch is in the ledger exactly once, in order.
 * Hundreds of runs on SQLite, fewer on MariaDB (each run creates a table).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanByPrefix } from '../../../lib/ctldb/family-sql.ts';
import { CtldbLedgerSource } from '../../../lib/ctldb/ledger-source.ts';
import type { TableSchema } from '../../../lib/schema/types.ts';
import { createExecutive } from '../../../services/executive/app.ts';
import { createTestCtldb, type TestDialect } from '../../support/ctldb.ts';
import { TestExecutive, testExecutiveConfig, type WriterCredentials } from '../../support/executive.ts';
import { FaultyCtldb, type Fault } from './faulty-ctldb.ts';

type Mutation = { op: 'upsert'; k: number; v?: string; n?: string } | { op: 'delete'; k: number };
type Outcome = 'ok' | Fault['kind'];
type Action =
  | {
      kind: 'batch';
      mutations: Mutation[];
      streams: number[];
      step: number;
      outcome: Outcome;
      atStatement: number;
      retry: boolean;
    }
  | { kind: 'stale'; stream: number }
  | { kind: 'replay' };

const STREAMS = ['topic/0', 'topic/1', 'topic/2'];

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record(
    {
      op: fc.constant('upsert' as const),
      k: fc.integer({ min: 0, max: 5 }),
      v: fc.oneof(
        fc.constantFrom('a', 'A', 'a ', '😀', "it's"),
        fc.string({ maxLength: 8 }).filter((s) => !s.includes('\u0000') && s.isWellFormed()),
      ),
      n: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
    },
    { requiredKeys: ['op', 'k'] },
  ),
  fc.record({ op: fc.constant('delete' as const), k: fc.integer({ min: 0, max: 5 }) }),
);

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('batch' as const),
      mutations: fc.array(mutationArb, { minLength: 1, maxLength: 6 }),
      streams: fc.uniqueArray(fc.integer({ min: 0, max: STREAMS.length - 1 }), {
        minLength: 1,
        maxLength: STREAMS.length,
      }),
      step: fc.integer({ min: 1, max: 50 }),
      outcome: fc.constantFrom<Outcome>('ok', 'ok', 'ok', 'abort', 'lost-response'),
      atStatement: fc.integer({ min: 0, max: 8 }),
      retry: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('stale' as const),
      stream: fc.integer({ min: 0, max: STREAMS.length - 1 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'replay' as const }) },
);

type ModelRow = { k: bigint; v: string | null; n: bigint | null };

class Model {
  readonly rows = new Map<number, ModelRow>();
  readonly offsets = new Map<string, string>();
  /** Accepted batches, as the ledger must show them: [op, key] per entry. */
  readonly batches: string[][] = [];

  apply(mutations: readonly Mutation[], offsets: readonly { stream: string; next: string }[]): void {
    for (const m of mutations) {
      if (m.op === 'delete') this.rows.delete(m.k);
      else this.rows.set(m.k, { k: BigInt(m.k), v: m.v ?? null, n: m.n === undefined ? null : BigInt(m.n) });
    }
    for (const o of offsets) this.offsets.set(o.stream, o.next);
    this.batches.push(mutations.map((m) => `${m.op}:${m.k}`));
  }
}

function wire(table: string, m: Mutation): unknown {
  if (m.op === 'delete') return { table, op: 'delete', key: { k: m.k } };
  return {
    table,
    values: { k: m.k, ...(m.v === undefined ? {} : { v: m.v }), ...(m.n === undefined ? {} : { n: m.n }) },
  };
}

interface Harness {
  ex: TestExecutive;
  faulty: FaultyCtldb;
  /** One writer for all runs (scrypt makes registering slow); each run has streams of its own. */
  writer: WriterCredentials;
  runs: number;
}

async function runActions(h: Harness, actions: readonly Action[]): Promise<void> {
  const run = h.runs++;
  const table = `prop_${run}`;
  const schema: TableSchema = {
    family: 'prop',
    table,
    fields: [
      { name: 'k', type: 'integer' },
      { name: 'v', type: 'string' },
      { name: 'n', type: 'integer' },
    ],
    keyFields: ['k'],
  };
  expect(
    (
      await h.ex.admin('POST', `/families/prop/tables/${table}`, {
        fields: [
          ['k', 'integer'],
          ['v', 'string'],
          ['n', 'integer'],
        ],
        keyFields: ['k'],
      })
    ).status,
  ).toBe(201);
  const writer = h.writer;
  const streamOf = (i: number) => `run-${run}/${STREAMS[i] ?? ''}`;
  const model = new Model();
  let last: unknown;
  for (const action of actions) {
    if (action.kind === 'replay') {
      if (last === undefined) continue;
      const r = await h.ex.mutate(writer, 'prop', last);
      expect(r.body).toEqual({ status: 'duplicate' });
    } else if (action.kind === 'stale') {
      const stream = streamOf(action.stream);
      const stored = model.offsets.get(stream) ?? null;
      const wrong = stored === null ? '999999' : null;
      const r = await h.ex.mutate<{
        error: { code: string; details: { stored: Record<string, string | null> } };
      }>(writer, 'prop', {
        mutations: [{ table, values: { k: 99 } }],
        offsets: [{ stream, expected: wrong, next: '1000000' }],
      });
      expect(r.status).toBe(409);
      expect(r.body.error.details.stored).toEqual({ [stream]: stored });
    } else {
      const offsets = action.streams.map((i) => {
        const stream = streamOf(i);
        const stored = model.offsets.get(stream) ?? null;
        return { stream, expected: stored, next: String(Number(stored ?? 0) + action.step) };
      });
      const body = { mutations: action.mutations.map((m) => wire(table, m)), offsets };
      if (action.outcome !== 'ok')
        h.faulty.failNext(
          action.outcome === 'abort'
            ? { kind: 'abort', atStatement: action.atStatement }
            : { kind: 'lost-response' },
        );
      const r = await h.ex.mutate<{ status: string }>(writer, 'prop', body);
      if (action.outcome === 'ok') {
        expect(r.body.status).toBe('applied');
      } else {
        expect(r.status).toBe(503);
      }
      if (action.outcome !== 'abort') {
        model.apply(action.mutations, offsets);
        last = body;
      }
      if (action.outcome !== 'ok' && action.retry) {
        const again = await h.ex.mutate<{ status: string }>(writer, 'prop', body);
        expect(again.body.status).toBe(action.outcome === 'abort' ? 'applied' : 'duplicate');
        if (action.outcome === 'abort') {
          model.apply(action.mutations, offsets);
          last = body;
        }
      }
    }
  }
  // ctldb equals the model.
  const rows = await scanByPrefix(h.ex.db.ctldb, schema, { prefix: [], limit: 100 });
  expect(rows).toEqual([...model.rows.entries()].sort(([a], [b]) => a - b).map(([, row]) => row));
  // The stored offsets are the model's.
  const stored = await h.ex.admin<{ offsets: { stream: string; next: string }[] }>(
    'GET',
    `/writers/${writer.writer}/offsets`,
  );
  expect(
    new Map(
      stored.body.offsets.filter((o) => o.stream.startsWith(`run-${run}/`)).map((o) => [o.stream, o.next]),
    ),
  ).toEqual(model.offsets);
  // Every accepted batch is in the ledger exactly once, in order, as one batch.
  const entries = (await new CtldbLedgerSource(h.ex.db.ctldb).readAfter(0, 1_000_000)).filter(
    (e) => e.table === table && (e.op === 'upsert' || e.op === 'delete'),
  );
  const batches = new Map<number, string[]>();
  for (const e of entries) {
    const key = e.op === 'upsert' ? e.payload.values.k : e.op === 'delete' ? e.payload.key.k : undefined;
    batches.set(e.batchSeq, [...(batches.get(e.batchSeq) ?? []), `${e.op}:${String(key)}`]);
  }
  expect([...batches.values()]).toEqual(model.batches);
}

const runsPerDialect: Record<TestDialect, number> = { sqlite: 300, mysql: 100 };

describe.each(Object.keys(runsPerDialect) as TestDialect[])('exactly-once property on %s', (dialect) => {
  let h: Harness;

  beforeAll(async () => {
    const db = await createTestCtldb(dialect, 'prop');
    const faulty = new FaultyCtldb(db.ctldb);
    const executive = await createExecutive(testExecutiveConfig(), { ctldb: faulty });
    const ex = new TestExecutive(db, executive);
    h = { ex, faulty, writer: await ex.registerWriter('prop-writer'), runs: 0 };
    expect((await h.ex.admin('POST', '/families/prop')).status).toBe(201);
  });
  afterAll(() => h.ex.close());

  it(`holds for ${runsPerDialect[dialect]} random runs`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(actionArb, { minLength: 1, maxLength: 12 }), (actions) =>
        runActions(h, actions),
      ),
      { numRuns: runsPerDialect[dialect] },
    );
    expect(h.runs).toBeGreaterThanOrEqual(runsPerDialect[dialect]);
  });
});
