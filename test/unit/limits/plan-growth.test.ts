import { describe, expect, it } from 'vitest';
import { judgeGrowth } from '../../../services/executive/limits/growth.ts';
import { limitsKeys } from '../../../services/executive/limits/keys.ts';
import { estimateLdbBytes } from '../../../services/executive/limits/ldb-estimate.ts';
import type { TableUsage } from '../../../services/executive/limits/limiter.ts';
import type { TableSizeView } from '../../../services/executive/limits/limits-store.ts';
import { planCheck } from '../../../services/executive/limits/plan.ts';
import { decodeAdmitReply, encodeAdmitArgs } from '../../../services/executive/limits/redis-admit-codec.ts';
import { EffectiveLimits, validateQuota, validateRate } from '../../../services/executive/limits/settings.ts';

const usage = (over: Partial<TableUsage>): TableUsage => ({
  table: 'flags',
  mutations: 0,
  upserts: 0,
  deletes: 0,
  upsertBytes: 0,
  ...over,
});
const measured = { rows: 100, ldbBytes: 10_000, columns: 4 }; // 100 LDB bytes per row

describe('judgeGrowth', () => {
  it('never counts deletes as growth', () => {
    expect(judgeGrowth(usage({ mutations: 5, deletes: 5 }), measured)).toEqual({ grows: false, addBytes: 0 });
  });

  it('treats upserts as growth and counts their estimated LDB bytes', () => {
    const judged = judgeGrowth(usage({ mutations: 2, upserts: 2, upsertBytes: 60 }), measured);
    expect(judged).toEqual({
      grows: true,
      addBytes: estimateLdbBytes({ rows: 2, dataBytes: 60, columns: 4 }),
    });
  });

  it('lets a batch through that deletes at least what it writes, at the table’s average row', () => {
    // 2 upserts of ~48 LDB bytes each against 2 deletes of ~100 bytes each: a replacement.
    const replace = usage({ mutations: 4, upserts: 2, deletes: 2, upsertBytes: 60 });
    expect(judgeGrowth(replace, measured).grows).toBe(false);
    // Same counts, rows far larger than the table's average: it may grow.
    expect(judgeGrowth({ ...replace, upsertBytes: 5_000 }, measured).grows).toBe(true);
    // Fewer deletes than upserts: it may grow.
    expect(
      judgeGrowth(usage({ mutations: 3, upserts: 2, deletes: 1, upsertBytes: 10 }), measured).grows,
    ).toBe(true);
    // An unmeasured table has no average row: replacements count as growth.
    expect(judgeGrowth(replace, undefined).grows).toBe(true);
  });

  it('trusts the net growth the mutation path reports', () => {
    expect(
      judgeGrowth(usage({ mutations: 1, upserts: 1, upsertBytes: 50, netGrowthBytes: 0 }), measured),
    ).toEqual({
      grows: false,
      addBytes: 0,
    });
    expect(
      judgeGrowth(usage({ mutations: 1, upserts: 1, upsertBytes: 50, netGrowthBytes: 20 }), measured).grows,
    ).toBe(true);
  });
});

describe('planCheck', () => {
  const keys = limitsKeys('t');
  const limits = new EffectiveLimits(
    { writerRate: { perSecond: 100, burst: 50 }, tableRate: null, warnBytes: null, maxBytes: 1_000_000 },
    {
      writers: [{ writer: 'free', rate: null }],
      tables: [{ family: 'fam', table: 'hot', rate: { perSecond: 10, burst: 5 }, maxBytes: null }],
    },
  );
  const sizes = new Map<string, TableSizeView>([
    [
      'fam.flags',
      {
        family: 'fam',
        table: 'flags',
        rows: 10,
        dataBytes: 500,
        columns: 3,
        ldbBytes: 900,
        measuredAtMs: 1,
        overSoft: false,
        growthBytes: 100,
      },
    ],
  ]);

  it('charges the writer every mutation and each table its own, skipping limits set to none', () => {
    const plan = planCheck(
      {
        writer: 'loader-1',
        family: 'fam',
        tables: [
          usage({ mutations: 3, upserts: 3, upsertBytes: 30 }),
          usage({ table: 'hot', mutations: 2, deletes: 2 }),
        ],
      },
      limits,
      sizes,
      keys,
    );
    expect(plan.rates.map((r) => [r.kind, r.table, r.cost])).toEqual([
      ['writer', undefined, 5],
      ['table', 'hot', 2],
    ]);
    expect(plan.request.rates.map((r) => r.key)).toEqual([
      keys.writerRate('loader-1', { intervalUs: 10_000, burst: 50 }),
      keys.tableRate('fam', 'hot', { intervalUs: 100_000, burst: 5 }),
    ]);
    expect(plan.request.rates[0]).toMatchObject({ intervalUs: 10_000, burst: 50, cost: 5 });
    // flags has the default hard quota and is known at 900 + 100; hot has no quota and only deletes.
    expect(plan.request.sizes).toEqual([
      {
        field: 'fam.flags',
        maxBytes: 1_000_000,
        grows: true,
        addBytes: expect.any(Number),
        knownBytes: 1000,
      },
    ]);
    const free = planCheck(
      { writer: 'free', family: 'fam', tables: [usage({ table: 'other', mutations: 1, deletes: 1 })] },
      limits,
      sizes,
      keys,
    );
    expect(free.request.rates).toEqual([]);
  });

  it('encodes the plan for the admit script and decodes every reply kind', () => {
    const plan = planCheck(
      { writer: 'w1', family: 'fam', tables: [usage({ mutations: 1, upserts: 1, upsertBytes: 10 })] },
      limits,
      sizes,
      keys,
    );
    const { numKeys, args } = encodeAdmitArgs({ ...plan.request, nowUs: 42 }, keys);
    expect(numKeys).toBe(4);
    expect(args.slice(0, 4)).toEqual([
      keys.quotaBytes,
      keys.growth,
      keys.growthPrev,
      keys.writerRate('w1', { intervalUs: 10_000, burst: 50 }),
    ]);
    expect(args.slice(4, 7)).toEqual([42, 1, 1]);
    expect(args.slice(7, 10)).toEqual([10_000, 50, 1]);
    expect(args.slice(10, 12)).toEqual(['fam.flags', 1_000_000]);
    expect(decodeAdmitReply([0, 0, 0, 10_000])).toEqual({ kind: 'admitted', fill: [10_000] });
    expect(decodeAdmitReply([1, 0, 250, 5])).toEqual({
      kind: 'rate-limited',
      index: 0,
      retryAfterUs: 250,
      fill: [5],
    });
    expect(decodeAdmitReply([2, 1, 999])).toEqual({ kind: 'table-full', index: 1, bytes: 999 });
    expect(() => decodeAdmitReply('OK')).toThrow(/unexpected reply/);
  });
});

describe('settings validation', () => {
  it('accepts sane rates and quotas and names the subject of a bad one', () => {
    expect(validateRate({ perSecond: 0.5, burst: 1 }, { writer: 'w' })).toEqual({ perSecond: 0.5, burst: 1 });
    expect(() => validateRate({ perSecond: 0, burst: 1 }, { writer: 'w' })).toThrow(/positive/);
    expect(() => validateRate({ perSecond: 5, burst: 0.5 }, { writer: 'w' })).toThrow(/burst/);
    expect(() => validateQuota(10, 5, { family: 'f', table: 't' })).toThrow(/exceeds/);
    expect(() => validateQuota(-1, null, { family: 'f', table: 't' })).toThrow(/warnBytes/);
    expect(() => validateQuota(5, 10, { family: 'f', table: 't' })).not.toThrow();
  });
});
