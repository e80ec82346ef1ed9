import { describe, expect, it } from 'vitest';
import { UnappliedFetches } from '../../../services/loader/pipeline/unapplied-fetches.ts';

const records = (from: number, count: number, timestampMs: number) =>
  Array.from({ length: count }, (_, i) => ({ offset: String(from + i), timestampMs: timestampMs + i }));

describe('UnappliedFetches', () => {
  it('reports nothing before a fetch and after everything fetched is applied', () => {
    const fetches = new UnappliedFetches();
    expect(fetches.oldestAgeMs(5_000)).toBeNull();
    fetches.fetched(records(0, 3, 1_000));
    expect(fetches.oldestAgeMs(5_000)).toBe(4_000);
    fetches.applied('3');
    expect(fetches.oldestAgeMs(5_000)).toBeNull();
  });

  it('keeps the age of a fetch until all of its records are applied, then moves to the next fetch', () => {
    const fetches = new UnappliedFetches();
    fetches.fetched(records(0, 3, 1_000));
    fetches.fetched(records(3, 2, 2_000));
    fetches.applied('2');
    expect(fetches.oldestAgeMs(5_000)).toBe(4_000);
    fetches.applied('3');
    expect(fetches.oldestAgeMs(5_000)).toBe(3_000);
  });

  it('replaces fetches that a re-fetch after a seek overlaps, and forgets all on reposition', () => {
    const fetches = new UnappliedFetches();
    fetches.fetched(records(0, 5, 1_000));
    fetches.fetched(records(5, 5, 2_000));
    fetches.fetched(records(3, 2, 3_000));
    expect(fetches.oldestAgeMs(5_000)).toBe(2_000);
    fetches.forget();
    expect(fetches.oldestAgeMs(5_000)).toBeNull();
  });

  it('ignores an empty fetch and never reports a negative age for a clock behind the broker', () => {
    const fetches = new UnappliedFetches();
    fetches.fetched([]);
    expect(fetches.oldestAgeMs(0)).toBeNull();
    fetches.fetched(records(0, 1, 9_000));
    expect(fetches.oldestAgeMs(1_000)).toBe(0);
  });
});
