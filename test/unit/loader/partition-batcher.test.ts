import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withoutEvents, type Batch, type BatchEvent } from '../../../services/loader/batching/batch.ts';
import { PartitionBatcher, type BatchLimits } from '../../../services/loader/batching/partition-batcher.ts';
import type { Mutation } from '../../../services/loader/mapping/source-mapper.ts';

const tp = { topic: 'ctl.ctl.widgets', partition: 3 };
const limits: BatchLimits = { maxMutations: 3, maxBytes: 1000, maxEvents: 10, maxWaitMs: 50 };

function upsert(key: number, version: number): Mutation {
  return { table: 'widgets', op: 'upsert', values: { id: key, v: version } };
}

function event(
  offset: number,
  mutations: Mutation[] = [upsert(offset, 0)],
  family: string | null = 'shop',
): BatchEvent {
  return {
    offset: String(offset),
    family: mutations.length === 0 ? null : family,
    mutations,
    sourceTsMs: 1000 + offset,
    bytes: 10,
  };
}

describe('PartitionBatcher', () => {
  it('closes a batch on size and claims the stored offset as expected', () => {
    const b = new PartitionBatcher(tp, limits, '10');
    for (const o of [10, 11, 12, 13]) b.add(event(o), 0);
    const first = b.take(0);
    expect(first?.offsets).toEqual({ stream: 'ctl.ctl.widgets/3', expected: '10', next: '13' });
    expect(first?.mutations).toHaveLength(3);
    expect(b.take(0)).toBeNull();
    b.acknowledge(first as Batch);
    expect(b.committedNext).toBe('13');
    expect(b.take(10)).toBeNull();
    expect(b.dueInMs(10)).toBe(40);
    expect(b.take(50)?.offsets).toEqual({ stream: 'ctl.ctl.widgets/3', expected: '13', next: '14' });
  });

  it('closes on time, and treats non-contiguous offsets as normal', () => {
    const b = new PartitionBatcher(tp, limits, null);
    b.add(event(5), 100);
    b.add(event(9), 120);
    expect(b.take(149)).toBeNull();
    expect(b.take(150)?.offsets).toEqual({ stream: 'ctl.ctl.widgets/3', expected: null, next: '10' });
  });

  it('closes on bytes and on events, and gives an oversized event a batch of its own', () => {
    const b = new PartitionBatcher(tp, { ...limits, maxBytes: 25, maxEvents: 2 }, null);
    b.add({ ...event(1), bytes: 20 }, 0);
    b.add({ ...event(2), bytes: 20 }, 0);
    b.add({ ...event(3), bytes: 90 }, 0);
    b.add(event(4, []), 0);
    b.add(event(5, []), 0);
    const sizes: string[][] = [];
    for (let batch = b.take(100); batch !== null; batch = b.take(100)) {
      sizes.push(batch.events.map((e) => e.offset));
      b.acknowledge(batch);
    }
    expect(sizes).toEqual([['1'], ['2'], ['3'], ['4', '5']]);
  });

  it('covers events without mutations (tombstones) so the offset moves past them', () => {
    const b = new PartitionBatcher(tp, limits, '0');
    b.add(event(0, []), 0);
    b.add(event(1, []), 0);
    const batch = b.take(50);
    expect(batch).toMatchObject({ family: null, mutations: [], offsets: { expected: '0', next: '2' } });
  });

  it('never mixes families in one batch', () => {
    const b = new PartitionBatcher(tp, limits, null);
    b.add(event(1, [upsert(1, 0)], 'shop'), 0);
    b.add(event(2, [], 'x'), 0);
    b.add(event(3, [upsert(3, 0)], 'billing'), 0);
    const first = b.take(0);
    expect(first).toMatchObject({ family: 'shop', events: [{ offset: '1' }, { offset: '2' }] });
    b.acknowledge(first as Batch);
    expect(b.take(50)).toMatchObject({ family: 'billing', offsets: { expected: '3', next: '4' } });
  });

  it('drops events below the stored offset after a reset, and restarts from it', () => {
    const b = new PartitionBatcher(tp, limits, '0');
    for (const o of [0, 1, 2]) b.add(event(o), 0);
    expect(b.take(0)).not.toBeNull();
    b.reset('2');
    expect(b.inFlight).toBeNull();
    expect(b.add(event(1), 0)).toBe('stale');
    expect(b.add(event(2), 0)).toBe('added');
    expect(b.take(50)?.offsets).toEqual({ stream: 'ctl.ctl.widgets/3', expected: '2', next: '3' });
  });

  it('isolates the events of a failed batch into batches of one, in order', () => {
    const b = new PartitionBatcher(tp, limits, '7');
    for (const o of [7, 8, 9]) b.add(event(o), 0);
    b.take(0);
    b.isolateInFlight(0);
    const first = b.take(0);
    expect(first?.events.map((e) => e.offset)).toEqual(['7']);
    expect(first?.offsets).toEqual({ stream: 'ctl.ctl.widgets/3', expected: '7', next: '8' });
    b.acknowledge(first as Batch);
    expect(b.take(0)?.offsets).toEqual({ stream: 'ctl.ctl.widgets/3', expected: '8', next: '9' });
  });

  it('resends a batch without dead-lettered events but with the same offsets', () => {
    const b = new PartitionBatcher(tp, limits, '0');
    for (const o of [0, 1, 2]) b.add(event(o), 0);
    const batch = b.take(0) as Batch;
    const rest = withoutEvents(batch, new Set(['1']));
    b.replaceInFlight(rest);
    expect(b.inFlight?.mutations).toEqual([upsert(0, 0), upsert(2, 0)]);
    expect(b.inFlight?.offsets).toEqual(batch.offsets);
    expect(() => b.acknowledge({ ...batch, offsets: { ...batch.offsets, next: '99' } })).toThrow(
      /not the one in flight/,
    );
  });

  it('keeps every mutation exactly once, in partition order, with a gap-free offset chain', () => {
    const scenario = fc.record({
      gaps: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 60 }),
      keys: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 60, maxLength: 60 }),
      counts: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 60, maxLength: 60 }),
      limits: fc.record({
        maxMutations: fc.integer({ min: 1, max: 6 }),
        maxBytes: fc.integer({ min: 10, max: 80 }),
        maxEvents: fc.integer({ min: 1, max: 8 }),
        maxWaitMs: fc.integer({ min: 0, max: 30 }),
      }),
      conflicts: fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
    });
    fc.assert(
      fc.property(scenario, ({ gaps, keys, counts, limits: l, conflicts }) => {
        let offset = 100;
        const events = gaps.map((gap, i) => {
          offset += gap;
          const key = keys[i] ?? 0;
          const mutations = Array.from({ length: counts[i] ?? 0 }, (_, n) => upsert(key, i * 10 + n));
          return event(offset, mutations);
        });
        const committed: Batch[] = [];
        const b = new PartitionBatcher(tp, l, '100');
        let cursor = 0;
        let now = 0;
        let step = 0;
        while (cursor < events.length || b.bufferedEvents > 0) {
          const next = events[cursor];
          if (next !== undefined) {
            b.add(next, now);
            cursor++;
          }
          now += 7;
          const batch = b.take(now);
          if (batch === null) continue;
          if (conflicts[step++ % conflicts.length] === true) {
            // Another attempt's reply was lost: ctldb holds the stored offset; seek back to it.
            b.reset(b.committedNext);
            cursor = events.findIndex((e) => BigInt(e.offset) >= BigInt(b.committedNext ?? '0'));
            if (cursor < 0) cursor = events.length;
            continue;
          }
          committed.push(batch);
          b.acknowledge(batch);
        }
        expect(committed.flatMap((c) => c.mutations)).toEqual(events.flatMap((e) => e.mutations));
        let expected: string | null = '100';
        for (const c of committed) {
          expect(c.offsets.expected).toBe(expected);
          expect(c.offsets.next).toBe(String(BigInt(c.events.at(-1)?.offset ?? '0') + 1n));
          expected = c.offsets.next;
          if (c.events.length > 1) {
            expect(c.mutations.length).toBeLessThanOrEqual(l.maxMutations);
            expect(c.events.length).toBeLessThanOrEqual(l.maxEvents);
          }
        }
        expect(expected).toBe(String(offset + 1));
      }),
    );
  });
});
