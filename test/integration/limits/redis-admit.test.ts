import fc from 'fast-check';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCuttleError } from '../../../lib/errors.ts';
import { limitFromRate, LIMITS_EPOCH_S } from '../../../services/executive/limits/gcra.ts';
import type { MutationUsage } from '../../../services/executive/limits/limiter.ts';
import type { CheckRequest } from '../../../services/executive/limits/limits-store.ts';
import { LocalLimitsStore } from '../../../services/executive/limits/local-store.ts';
import { RedisLimitsStore } from '../../../services/executive/limits/redis-store-adapter.ts';
import { stackEnv } from '../../support/stack-env.ts';
import {
  dropPrefix,
  keysFor,
  metricValue,
  MutableSettings,
  startTestLimiter,
  uniquePrefix,
  type TestLimiter,
} from './context.ts';

const prefix = uniquePrefix('admit');
const keys = keysFor(prefix);
let store: RedisLimitsStore;

beforeAll(async () => {
  store = new RedisLimitsStore({ url: stackEnv.redisUrl, keys });
  await store.connect();
});

afterAll(async () => {
  await store.close();
  await dropPrefix(prefix);
});

describe('admit script against the GCRA reference', () => {
  const T0 = (1_900_000_000 - LIMITS_EPOCH_S) * 1e6;
  const limits = [limitFromRate(50, 5), limitFromRate(333, 20), limitFromRate(7, 1)];
  const step = fc.record({
    gapUs: fc.integer({ min: 0, max: 200_000 }),
    rates: fc.subarray([0, 1, 2], { minLength: 0 }),
    cost: fc.integer({ min: 1, max: 25 }),
    grows: fc.boolean(),
    addBytes: fc.integer({ min: 0, max: 400 }),
    // The request turned out not to apply (duplicate, conflict): its charge is given back.
    refunded: fc.boolean(),
  });

  it('decides every step exactly as gcra.ts does (rates, retry-after, quotas, all or nothing, refunds)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), async (steps) => {
        run++;
        const local = new LocalLimitsStore();
        let now = T0 + run * 1e9; // fresh keys per run: every earlier TAT is long past
        for (const s of steps) {
          now += s.gapUs;
          const request: CheckRequest = {
            nowUs: now,
            rates: s.rates.map((i) => ({
              key: keys.writerRate(`w${i}`, limits[i] ?? limits[0]!),
              cost: s.cost,
              ...(limits[i] ?? limits[0]!),
            })),
            sizes: [
              { field: `f.t${run}`, maxBytes: 2000, grows: s.grows, addBytes: s.addBytes, knownBytes: 500 },
            ],
          };
          const [viaRedis, reference] = await Promise.all([store.check(request), local.check(request)]);
          const truncated =
            reference.kind === 'table-full'
              ? reference
              : { ...reference, fill: reference.fill.map((f) => Math.trunc(f)) };
          expect(viaRedis).toEqual(truncated);
          if (s.refunded && reference.kind === 'admitted') {
            await Promise.all([store.refund(request.rates, now), local.refund(request.rates, now)]);
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});

const writes = (writer: string, table: string, mutations: number): MutationUsage => ({
  writer,
  family: 'fam',
  tables: [{ table, mutations, upserts: mutations, deletes: 0, upsertBytes: 0 }],
});

describe('limiters sharing Redis', () => {
  const settings = new MutableSettings();
  const limiters: TestLimiter[] = [];

  beforeAll(async () => {
    const defaults = {
      writerRate: { perSecond: 200, burst: 20 },
      tableRate: null,
      warnBytes: null,
      maxBytes: null,
    };
    for (let i = 0; i < 2; i++) limiters.push(await startTestLimiter({ prefix, source: settings, defaults }));
  });

  afterAll(async () => {
    await Promise.all(limiters.map((l) => l.close()));
  });

  it('two executives sharing one writer limit together admit within 10% of it over three seconds', async () => {
    const durationMs = 3000;
    const started = performance.now();
    const admitted = [0, 0];
    let refusals = 0;
    await Promise.all(
      limiters.map(async ({ limiter }, i) => {
        let n = 0;
        while (performance.now() - started < durationMs) {
          const mutations = 1 + (n++ % 4);
          try {
            await limiter.admit(writes('shared-writer', 'flags', mutations));
            admitted[i] = (admitted[i] ?? 0) + mutations;
          } catch (err) {
            if (!isCuttleError(err) || err.code !== 'RATE_LIMITED') throw err;
            refusals++;
            await delay(Math.min(20, (err.retryAfterSeconds ?? 0) * 1000));
          }
        }
      }),
    );
    const elapsedS = (performance.now() - started) / 1000;
    const total = (admitted[0] ?? 0) + (admitted[1] ?? 0);
    const limit = 200 * elapsedS;
    expect(refusals).toBeGreaterThan(0);
    expect(admitted[0]).toBeGreaterThan(0);
    expect(admitted[1]).toBeGreaterThan(0);
    expect(Math.abs(total - limit) / limit).toBeLessThan(0.1);
    const counted = await Promise.all(
      limiters.map((l) =>
        metricValue(l.registry, 'cuttle_limits_admitted_mutations_total', { subject: 'shared-writer' }),
      ),
    );
    expect(counted).toEqual(admitted);
  });

  it('gives a charge back on refund: the writer’s burst is whole again, on the other executive too', async () => {
    const [a, b] = limiters;
    const admission = await a!.limiter.admit(writes('w-refund', 'flags', 20));
    await expect(b!.limiter.admit(writes('w-refund', 'flags', 20))).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    await admission?.refund();
    await b!.limiter.admit(writes('w-refund', 'flags', 20));
    const refunded = { kind: 'writer', subject: 'w-refund' };
    expect(await metricValue(a!.registry, 'cuttle_limits_refunded_mutations_total', refunded)).toBe(20);
  });

  it('charges nothing when one table of a request is over its limit', async () => {
    settings.overrides = {
      writers: [],
      tables: [{ family: 'fam', table: 'narrow', rate: { perSecond: 1, burst: 2 } }],
    };
    const [a, b] = limiters;
    await a!.limiter.settingsChanged();
    await b!.limiter.settingsChanged();
    await a!.limiter.admit(writes('w-all-or-nothing', 'narrow', 2));
    const both: MutationUsage = {
      writer: 'w-all-or-nothing',
      family: 'fam',
      tables: [
        { table: 'wide', mutations: 5, upserts: 5, deletes: 0, upsertBytes: 0 },
        { table: 'narrow', mutations: 1, upserts: 1, deletes: 0, upsertBytes: 0 },
      ],
    };
    const before = await b!.limiter.usage({
      writers: ['w-all-or-nothing'],
      tables: [{ family: 'fam', table: 'wide' }],
    });
    const err = await b!.limiter.admit(both).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'RATE_LIMITED',
      details: { limit: 'table_rate', family: 'fam', table: 'narrow' },
    });
    // About one second until the narrow table has room for one more mutation.
    expect(isCuttleError(err) ? err.retryAfterSeconds : 0).toBeGreaterThan(0.9);
    const after = await b!.limiter.usage({
      writers: ['w-all-or-nothing'],
      tables: [{ family: 'fam', table: 'wide' }],
    });
    expect(after.writers[0]!.burstUsed).toBeLessThanOrEqual(before.writers[0]!.burstUsed);
    expect(after.tables[0]!.burstUsed).toBe(0);
    expect(await metricValue(b!.registry, 'cuttle_limits_rejections_total', { limit: 'table_rate' })).toBe(1);
  });
});
