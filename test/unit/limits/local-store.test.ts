import { describe, expect, it } from 'vitest';
import { limitFromRate } from '../../../services/executive/limits/gcra.ts';
import type { CheckRequest } from '../../../services/executive/limits/limits-store.ts';
import { LocalLimitsStore } from '../../../services/executive/limits/local-store.ts';

const T0 = 1e14;
const rate = (key: string, perSecond: number, burst: number, cost: number) => ({
  key,
  cost,
  ...limitFromRate(perSecond, burst),
});

describe('LocalLimitsStore', () => {
  it('enforces 1/share of every rate and burst', async () => {
    let now = T0;
    const store = new LocalLimitsStore({ share: 4, nowUs: () => now });
    const request: CheckRequest = { rates: [rate('w', 400, 40, 1)], sizes: [] };
    let admitted = 0;
    for (let i = 0; i < 100; i++) if ((await store.check(request)).kind === 'admitted') admitted++;
    expect(admitted).toBe(10); // burst 40 / 4
    // One second later: 400/4 = 100 more at most.
    now += 1_000_000;
    admitted = 0;
    for (let i = 0; i < 1000; i++) if ((await store.check(request)).kind === 'admitted') admitted++;
    expect(admitted).toBe(10); // credit refills up to the (shared) burst only
    const waits: number[] = [];
    for (let step = 0; step < 100; step++) {
      const d = await store.check(request);
      if (d.kind === 'rate-limited') {
        waits.push(d.retryAfterUs);
        now += d.retryAfterUs;
      }
    }
    // Steady state: one mutation per 10 ms, i.e. 100/s for this executive.
    expect(Math.max(...waits.slice(1))).toBe(10_000);
  });

  it('refuses growth over the hard quota from the last known size plus what it admitted, never deletes', async () => {
    const store = new LocalLimitsStore({ nowUs: () => T0 });
    const size = { field: 'f.t', maxBytes: 1000, knownBytes: 900, grows: true, addBytes: 60 };
    expect((await store.check({ rates: [], sizes: [size] })).kind).toBe('admitted');
    expect(await store.check({ rates: [], sizes: [size] })).toEqual({
      kind: 'table-full',
      index: 0,
      bytes: 960,
    });
    const deletes = { ...size, grows: false, addBytes: 0 };
    expect((await store.check({ rates: [], sizes: [deletes] })).kind).toBe('admitted');
    store.reset();
    expect((await store.check({ rates: [], sizes: [size] })).kind).toBe('admitted');
  });

  it('gives back what a check charged, scaled to its share as the check was', async () => {
    const store = new LocalLimitsStore({ share: 2, nowUs: () => T0 });
    const request: CheckRequest = { rates: [rate('w', 100, 10, 5)], sizes: [] };
    expect((await store.check(request)).kind).toBe('admitted'); // burst 10 / 2 = 5: full
    expect((await store.check(request)).kind).toBe('rate-limited');
    await store.refund(request.rates);
    expect((await store.check(request)).kind).toBe('admitted');
    expect(await store.readRateFill(['w'])).toEqual([100_000]); // 5 mutations at 50/s
  });

  it('charges nothing when one key of the request refuses', async () => {
    const store = new LocalLimitsStore({ nowUs: () => T0 });
    await store.check({ rates: [rate('t', 10, 1, 1)], sizes: [] }); // exhaust the table key
    const refused = await store.check({ rates: [rate('w', 10, 5, 1), rate('t', 10, 1, 1)], sizes: [] });
    expect(refused).toMatchObject({ kind: 'rate-limited', index: 1, retryAfterUs: 100_000 });
    expect(await store.readRateFill(['w', 't'])).toEqual([0, 100_000]);
  });

  it('publishes measurements under an exclusive token and clears the growth they cover', async () => {
    const store = new LocalLimitsStore({ nowUs: () => T0 });
    await store.check({
      rates: [],
      sizes: [{ field: 'f.t', maxBytes: null, knownBytes: 0, grows: true, addBytes: 50 }],
    });
    expect(await store.beginMeasurement('a')).toBe(true);
    expect(await store.beginMeasurement('b')).toBe(false);
    const size = {
      family: 'f',
      table: 't',
      rows: 1,
      dataBytes: 10,
      columns: 2,
      ldbBytes: 30,
      measuredAtMs: 1,
      overSoft: false,
    };
    expect(await store.commitMeasurement('b', [size])).toBe(false);
    expect((await store.readSizes()).size).toBe(0);
    expect(await store.commitMeasurement('a', [size])).toBe(true);
    expect((await store.readSizes()).get('f.t')).toEqual({ ...size, growthBytes: 0 });
  });
});
