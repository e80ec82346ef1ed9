import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  burstUsed,
  gcraAll,
  gcraRefund,
  gcraStep,
  limitFromRate,
  LIMITS_EPOCH_S,
  type GcraCheck,
} from '../../../services/executive/limits/gcra.ts';

/** A single key driven through an injected clock, as a store would drive it. */
class Key {
  tat: number | undefined;
  admit(nowUs: number, check: GcraCheck): { allowed: boolean; retryAfterUs: number } {
    const step = gcraStep(this.tat, nowUs, check);
    if (step.allowed) this.tat = step.tatUs;
    return step;
  }
}

const perSecond = (rate: number, burst: number, cost = 1): GcraCheck => ({
  ...limitFromRate(rate, burst),
  cost,
});
// 2030 in µs since LIMITS_EPOCH: precision must hold there.
const T0 = (1_893_456_000 - LIMITS_EPOCH_S) * 1e6;

describe('GCRA step', () => {
  it('admits the burst at once after idling, then refuses with the wait of one interval', () => {
    const key = new Key();
    for (let i = 0; i < 10; i++) expect(key.admit(T0, perSecond(100, 10)).allowed).toBe(true);
    const refused = key.admit(T0, perSecond(100, 10));
    expect(refused).toEqual({ allowed: false, retryAfterUs: 10_000, tatUs: T0 + 100_000 });
    expect(key.admit(T0 + 9_999, perSecond(100, 10)).allowed).toBe(false);
    expect(key.admit(T0 + 10_000, perSecond(100, 10)).allowed).toBe(true);
  });

  it('charges a request its cost and tells how long until the whole request fits', () => {
    const key = new Key();
    expect(key.admit(T0, perSecond(10, 5, 4)).allowed).toBe(true); // 4 of 5 used
    const refused = key.admit(T0, perSecond(10, 5, 3)); // needs 2 more slots: 200 ms
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterUs).toBe(200_000);
    expect(key.admit(T0 + 200_000, perSecond(10, 5, 3)).allowed).toBe(true);
  });

  it('admits a request larger than the burst only on a full bucket, charging it the burst', () => {
    const key = new Key();
    expect(key.admit(T0, perSecond(10, 5, 1)).allowed).toBe(true);
    const early = key.admit(T0, perSecond(10, 5, 20));
    expect(early.allowed).toBe(false);
    expect(early.retryAfterUs).toBe(100_000); // until the one admitted mutation has drained
    expect(key.admit(T0 + 100_000, perSecond(10, 5, 20)).allowed).toBe(true);
    // Charged 5 (the burst), not 20: the bucket is empty, not in debt, so the next mutation
    // waits one interval rather than the 1.5 s twenty mutations at 10/s would leave owing.
    expect(key.admit(T0 + 100_000, perSecond(10, 5, 1)).retryAfterUs).toBe(100_000);
  });

  it('never leaves a wait longer than one full bucket, however large the request', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 86_400 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (periodS, burst, cost) => {
          const key = new Key();
          const check = { ...limitFromRate(burst / periodS, burst), cost };
          expect(key.admit(T0, check).allowed).toBe(true);
          const next = key.admit(T0, { ...check, cost: 1 });
          expect(next.retryAfterUs).toBeLessThanOrEqual(periodS * 1e6 * (1 + 1e-9));
        },
      ),
    );
  });

  it('gives a charge back, never beyond a full bucket', () => {
    const key = new Key();
    expect(key.admit(T0, perSecond(10, 5, 4)).allowed).toBe(true);
    expect(key.admit(T0, perSecond(10, 5, 1)).allowed).toBe(true); // bucket empty now
    key.tat = gcraRefund(key.tat, T0, perSecond(10, 5, 4));
    expect(key.tat).toBe(T0 + 100_000); // only the 1 mutation still charged
    for (let i = 0; i < 4; i++) expect(key.admit(T0, perSecond(10, 5, 1)).allowed).toBe(true);
    expect(key.admit(T0, perSecond(10, 5, 1)).allowed).toBe(false);
    // Half a second later everything charged has drained: a refund leaves the key idle.
    expect(gcraRefund(key.tat, T0 + 500_000, perSecond(10, 5, 1))).toBeUndefined();
    expect(gcraRefund(undefined, T0, perSecond(10, 5, 1))).toBeUndefined();
  });

  it('drifts less than 0.1 % with fractional intervals at 30 000 mutations/s', () => {
    const key = new Key();
    const check = perSecond(30_000, 100_000); // 33.33… µs per mutation
    for (let i = 0; i < 30_000; i++) key.admit(T0, check);
    // 30 000 mutations at 30 000/s: one second of TAT. Doubles near T0 resolve 1/16 µs.
    expect(Math.abs((key.tat ?? 0) - (T0 + 1_000_000))).toBeLessThan(1_000);
  });

  it('reports the share of the burst in use', () => {
    const limit = limitFromRate(100, 10);
    expect(burstUsed(undefined, T0, limit)).toBe(0);
    expect(burstUsed(T0 + 50_000, T0, limit)).toBeCloseTo(0.5);
    expect(burstUsed(T0 - 1, T0, limit)).toBe(0);
  });
});

describe('GCRA over several keys', () => {
  it('is all or nothing and reports the longest wait', () => {
    const writer = perSecond(100, 10, 5);
    const table = perSecond(10, 6, 5); // a table limit the request cannot meet right now
    const decision = gcraAll([undefined, T0 + 500_000], T0, [writer, table]);
    expect(decision.allowed).toBe(false);
    expect(decision.worstIndex).toBe(1);
    // table: base T0+0.5 s, new TAT +0.5 s, minus 0.6 s of burst: allowed at T0+0.4 s
    expect(decision.retryAfterUs).toBe(400_000);
    expect(decision.tatsUs).toEqual([T0, T0 + 500_000]);
  });

  it('charges every key when all admit', () => {
    const decision = gcraAll([undefined, undefined], T0, [perSecond(100, 10, 3), perSecond(10, 5, 3)]);
    expect(decision).toEqual({
      allowed: true,
      tatsUs: [T0 + 30_000, T0 + 300_000],
      worstIndex: -1,
      retryAfterUs: 0,
    });
  });
});

describe('GCRA bounds (property)', () => {
  const scenario = fc.record({
    rate: fc.integer({ min: 1, max: 2000 }),
    burst: fc.integer({ min: 1, max: 200 }),
    steps: fc.array(
      fc.record({ gapUs: fc.integer({ min: 0, max: 20_000 }), cost: fc.integer({ min: 1, max: 50 }) }),
      {
        minLength: 1,
        maxLength: 300,
      },
    ),
  });

  it('never charges more than burst + rate × elapsed; oversized requests pass only on a full bucket', () => {
    fc.assert(
      fc.property(scenario, ({ rate, burst, steps }) => {
        const key = new Key();
        let now = T0;
        let charged = 0;
        for (const { gapUs, cost } of steps) {
          now += gapUs;
          const idle = key.tat === undefined || key.tat <= now;
          if (key.admit(now, perSecond(rate, burst, cost)).allowed) {
            charged += Math.min(cost, burst);
            if (cost > burst) expect(idle).toBe(true);
          }
        }
        const bound = burst + (rate * (now - T0)) / 1e6;
        expect(charged).toBeLessThanOrEqual(bound + 1e-6);
      }),
    );
  });

  it('a client that waits exactly the retry-after gets the full rate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 50 }), (rate, burst) => {
        const key = new Key();
        let now = T0;
        let admitted = 0;
        const horizon = T0 + 10_000_000;
        while (now < horizon) {
          const step = key.admit(now, perSecond(rate, burst));
          if (step.allowed) admitted += 1;
          else now += step.retryAfterUs;
        }
        // 10 s at `rate`, plus the initial burst. Retry-after is rounded up to whole µs, so the
        // client waits up to 1 µs longer than needed per refusal: at most 0.1 % at 1000/s.
        expect(admitted).toBeGreaterThanOrEqual(Math.floor((rate * 10 + burst) * 0.999) - 1);
        expect(admitted).toBeLessThanOrEqual(rate * 10 + burst + 1);
      }),
      { numRuns: 30 },
    );
  });
});
