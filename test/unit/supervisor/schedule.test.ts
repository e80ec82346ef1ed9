import { describe, expect, it } from 'vitest';
import { dueTrigger, msToNextSlot, type ScheduleState } from '../../../services/supervisor/schedule.ts';
import { InProcessSlots } from '../../../services/supervisor/slots.ts';

const options = { intervalMs: 60_000, everyEntries: 1000, minGapMs: 10_000 };
const fresh: ScheduleState = { handledIntervalSlot: null, publishedSeq: -1, lastAttemptAt: null };

describe('snapshot schedule', () => {
  it('triggers at start and then once per interval slot, named alike on every supervisor', () => {
    expect(dueTrigger(fresh, options, 125_000, 5)).toEqual({
      kind: 'interval',
      slot: 'interval:60000:2',
      intervalSlot: 2,
    });
    const handled = { ...fresh, handledIntervalSlot: 2, publishedSeq: 5 };
    expect(dueTrigger(handled, options, 179_999, 5)).toBeNull();
    expect(dueTrigger(handled, options, 180_000, 5)).toMatchObject({ kind: 'interval', intervalSlot: 3 });
  });

  it('triggers on new entries once the follower is everyEntries past the published seq', () => {
    const state = { handledIntervalSlot: 2, publishedSeq: 4000, lastAttemptAt: 100_000 };
    expect(dueTrigger(state, options, 130_000, 4999)).toBeNull();
    expect(dueTrigger(state, options, 130_000, 5000)).toEqual({ kind: 'entries', slot: 'entries:1000:5' });
  });

  it('waits minGapMs after the previous attempt before an entries trigger', () => {
    const state = { handledIntervalSlot: 2, publishedSeq: 0, lastAttemptAt: 125_000 };
    expect(dueTrigger(state, options, 134_999, 50_000)).toBeNull();
    expect(dueTrigger(state, options, 135_000, 50_000)).toMatchObject({ kind: 'entries' });
  });

  it('never triggers on entries when everyEntries is 0', () => {
    const state = { handledIntervalSlot: 2, publishedSeq: 0, lastAttemptAt: null };
    expect(dueTrigger(state, { ...options, everyEntries: 0 }, 130_000, 10 ** 9)).toBeNull();
  });

  it('computes the time to the next slot', () => {
    expect(msToNextSlot(125_000, 60_000)).toBe(55_000);
    expect(msToNextSlot(120_000, 60_000)).toBe(60_000);
  });
});

describe('in-process slots', () => {
  it('grants a slot once, one snapshot at a time, with increasing tokens', async () => {
    const slots = new InProcessSlots();
    const first = await slots.claim('interval:1:1', 'a', 60_000, 60_000);
    expect(first.won).toBe(true);
    expect(await slots.claim('interval:1:2', 'a', 60_000, 60_000)).toEqual({ won: false, reason: 'busy' });
    if (!first.won) return;
    expect(await first.claim.stillHeld()).toBe(true);
    await first.claim.release();
    expect(await first.claim.stillHeld()).toBe(false);
    expect(await slots.claim('interval:1:1', 'a', 60_000, 60_000)).toEqual({
      won: false,
      reason: 'slot-taken',
    });
    const second = await slots.claim('interval:1:2', 'a', 60_000, 60_000);
    expect(second.won && second.claim.token).toBe(first.claim.token + 1);
  });
});
