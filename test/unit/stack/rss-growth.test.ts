import { describe, expect, it } from 'vitest';
import { rssGrowth, type RssSample } from '../../../stack/chaos/rss-growth.ts';

const series = (values: number[]): RssSample[] =>
  values.map((v, i) => ({ minute: i + 1, rssMiB: { 'executive-2': v } }));

describe('soak RSS growth after warm-up', () => {
  it('does not take one garbage-collection dip at the end of warm-up for the baseline', () => {
    const flatWithDip = [140, 141, 139, 140, 113, 140, 141, 140, 139, 141, 140, 141, 140, 141, 140];
    expect(rssGrowth(series(flatWithDip), 5)).toEqual({ 'executive-2': '0.0%' });
  });

  it('shows a steady leak', () => {
    const leaking = Array.from({ length: 30 }, (_, i) => 100 + i * 2);
    expect(Number.parseFloat(rssGrowth(series(leaking), 5)['executive-2'] ?? 'NaN')).toBeGreaterThan(10);
  });

  it('compares first and last sample when there are fewer than three', () => {
    expect(rssGrowth(series([100, 100, 100, 100, 100, 120]), 5)).toEqual({ 'executive-2': '20.0%' });
  });
});
