import { describe, expect, it } from 'vitest';
import type { CuttleError } from '../../../lib/errors.ts';
import type { TableSchema } from '../../../lib/schema/types.ts';
import { planMutation, runsOf, usageOf } from '../../../services/executive/mutations/plan.ts';
import { parseMutationRequest } from '../../../services/executive/mutations/request.ts';
import { codeOf } from '../../support/errors.ts';

const limits = { maxBatchMutations: 3, maxValueBytes: 100, maxRowBytes: 150 };
const schema: TableSchema = {
  family: 'fam',
  table: 'tbl',
  fields: [
    { name: 'id', type: 'integer' },
    { name: 'name', type: 'string' },
    { name: 'constructor', type: 'text' },
  ],
  keyFields: ['id'],
};

describe('parseMutationRequest', () => {
  it('resolves op from "op" or ctlstore\'s "delete" flag', () => {
    const request = parseMutationRequest(
      {
        mutations: [
          { table: 't', values: {} },
          { table: 't', delete: true, values: {} },
          { table: 't', op: 'delete', key: {} },
        ],
      },
      'fam',
      limits,
    );
    expect(request.mutations.map((m) => m.op)).toEqual(['upsert', 'delete', 'delete']);
  });

  it('rejects malformed requests with stable codes', () => {
    expect(codeOf(() => parseMutationRequest(null, 'fam', limits))).toBe('BAD_REQUEST');
    expect(codeOf(() => parseMutationRequest({ mutations: {} }, 'fam', limits))).toBe('BAD_REQUEST');
    expect(codeOf(() => parseMutationRequest({ mutations: [] }, 'fam', limits))).toBe('EMPTY_BATCH');
    expect(codeOf(() => parseMutationRequest({ mutations: [1, 2, 3, 4] }, 'fam', limits))).toBe(
      'BATCH_TOO_LARGE',
    );
    expect(
      codeOf(() =>
        parseMutationRequest({ mutations: [{ table: 't', op: 'upsert', delete: true }] }, 'fam', limits),
      ),
    ).toBe('BAD_REQUEST');
    const offsets = (o: unknown) => () =>
      parseMutationRequest({ mutations: [{ table: 't' }], offsets: o }, 'fam', limits);
    expect(codeOf(offsets([{ stream: 'a', next: '1' }]))).toBe('INVALID_OFFSETS');
    expect(codeOf(offsets([{ stream: 'a', expected: null, next: '' }]))).toBe('INVALID_OFFSETS');
    expect(codeOf(offsets([{ stream: 'a\u0001', expected: null, next: '1' }]))).toBe('INVALID_OFFSETS');
    expect(
      codeOf(
        offsets([
          { stream: 'a', expected: null, next: '1' },
          { stream: 'a', expected: null, next: '2' },
        ]),
      ),
    ).toBe('INVALID_OFFSETS');
    expect(
      codeOf(() => parseMutationRequest({ mutations: [], cookie: { next: '***' } }, 'fam', limits)),
    ).toBe('INVALID_OFFSETS');
  });

  it('accepts an offsets-only request', () => {
    const request = parseMutationRequest(
      { offsets: [{ stream: 'a', expected: null, next: '1' }] },
      'fam',
      limits,
    );
    expect(request.mutations).toEqual([]);
    expect(request.offsets).toEqual([{ stream: 'a', expected: null, next: '1' }]);
  });
});

describe('planMutation', () => {
  const raw = (op: 'upsert' | 'delete', body: { values?: unknown; key?: unknown }) => ({
    index: 2,
    table: 'tbl',
    op,
    values: body.values,
    key: body.key,
  });

  it('fills fields left out with NULL, even ones named like Object.prototype members', () => {
    const planned = planMutation(raw('upsert', { values: { id: 1 } }), schema, limits);
    expect(planned.row).toEqual({ id: 1n, name: null, constructor: null });
    expect(Object.hasOwn(planned.row, 'constructor')).toBe(true);
  });

  it('names the offending field, table and row', () => {
    try {
      planMutation(raw('upsert', { values: { id: 1, colour: 'red' } }), schema, limits);
      expect.unreachable();
    } catch (err) {
      expect((err as CuttleError).code).toBe('UNKNOWN_FIELD');
      expect((err as CuttleError).details).toMatchObject({
        family: 'fam',
        table: 'tbl',
        field: 'colour',
        row: 2,
      });
    }
    expect(codeOf(() => planMutation(raw('upsert', { values: { name: 'x' } }), schema, limits))).toBe(
      'MISSING_KEY_FIELD',
    );
    expect(codeOf(() => planMutation(raw('delete', { key: { id: 1, name: 'x' } }), schema, limits))).toBe(
      'INVALID_KEY',
    );
    expect(
      codeOf(() =>
        planMutation(
          raw('upsert', { values: { id: 1, constructor: 'x'.repeat(100), name: 'y'.repeat(60) } }),
          schema,
          limits,
        ),
      ),
    ).toBe('ROW_TOO_LARGE');
  });

  it("ignores non-key fields of a ctlstore-style delete's values", () => {
    expect(planMutation(raw('delete', { values: { id: '7', name: 'x' } }), schema, limits).row).toEqual({
      id: 7n,
    });
  });
});

describe('runsOf and usageOf', () => {
  const m = (table: string, op: 'upsert' | 'delete', bytes = 1) => ({ index: 0, table, op, row: {}, bytes });

  it('groups consecutive mutations of the same table and op, keeping order', () => {
    const planned = [
      m('a', 'upsert'),
      m('a', 'upsert'),
      m('a', 'delete'),
      m('b', 'delete'),
      m('a', 'upsert'),
    ];
    expect(runsOf(planned).map((run) => run.length)).toEqual([2, 1, 1, 1]);
  });

  it('sums usage per table', () => {
    expect(usageOf([m('a', 'upsert', 10), m('a', 'delete'), m('b', 'upsert', 5)])).toEqual([
      { table: 'a', mutations: 2, upserts: 1, deletes: 1, upsertBytes: 10 },
      { table: 'b', mutations: 1, upserts: 1, deletes: 0, upsertBytes: 5 },
    ]);
  });
});
