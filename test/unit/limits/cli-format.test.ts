import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatRate,
  parseBytes,
  parseRate,
  splitTable,
} from '../../../cli/commands/limits-format.ts';
import { overridesFrom } from '../../../services/executive/limits/executive-limits.ts';

describe('cuttle limits: rates and sizes', () => {
  it('parses <amount>/<period> into what the executive stores', () => {
    expect(parseRate('100/s')).toEqual({ rateAmount: 100, ratePeriodMs: 1000 });
    expect(parseRate('6000/min')).toEqual({ rateAmount: 6000, ratePeriodMs: 60_000 });
    expect(parseRate('10/100ms')).toEqual({ rateAmount: 10, ratePeriodMs: 100 });
    expect(parseRate('5/2s')).toEqual({ rateAmount: 5, ratePeriodMs: 2000 });
    expect(parseRate('250')).toEqual({ rateAmount: 250, ratePeriodMs: 1000 });
    for (const bad of ['0/s', '-1/s', '1.5/s', '10/week', 'fast', '10/0s']) {
      expect(() => parseRate(bad), bad).toThrow(/must be <amount>\/<period>/);
    }
  });

  it('parses sizes with binary and decimal suffixes', () => {
    expect(parseBytes('50MiB', 'max-bytes')).toBe(50 * 1024 * 1024);
    expect(parseBytes('1.5GB', 'max-bytes')).toBe(1_500_000_000);
    expect(parseBytes('4096', 'warn-bytes')).toBe(4096);
    expect(() => parseBytes('lots', 'max-bytes')).toThrow(/max-bytes "lots"/);
    expect(() => parseBytes('0', 'max-bytes')).toThrow(/max-bytes/);
  });

  it('names tables family.table and prints rates and sizes readably', () => {
    expect(splitTable('billing.invoices')).toEqual({ family: 'billing', table: 'invoices' });
    expect(() => splitTable('billing')).toThrow(/family\.table/);
    expect(() => splitTable('a.b.c')).toThrow(/family\.table/);
    expect(formatBytes(52_428_800)).toBe('50.0MiB');
    expect(formatBytes(512)).toBe('512B');
    expect(formatBytes(null)).toBe('-');
    expect(formatRate({ perSecond: 100, burst: 50 })).toBe('100/s burst 50');
    expect(formatRate({ perSecond: 1 / 3, burst: 1 })).toBe('0.333/s burst 1');
    expect(formatRate(null)).toBe('none');
  });
});

describe('stored limit settings as the limiter reads them', () => {
  it('turns "amount per period" into a rate with a burst of amount, NULL into the default', () => {
    const overrides = overridesFrom({
      writers: [{ writer: 'w', rateAmount: 10, ratePeriodMs: 100 }],
      tables: [
        { family: 'f', table: 't', rateAmount: null, ratePeriodMs: null, warnBytes: 5, maxBytes: null },
        { family: 'f', table: 'u', rateAmount: 6000, ratePeriodMs: 60_000, warnBytes: null, maxBytes: 9 },
      ],
    });
    expect(overrides).toEqual({
      writers: [{ writer: 'w', rate: { perSecond: 100, burst: 10 } }],
      tables: [
        { family: 'f', table: 't', warnBytes: 5 },
        { family: 'f', table: 'u', rate: { perSecond: 100, burst: 6000 }, maxBytes: 9 },
      ],
    });
  });
});
