import { describe, expect, it } from 'vitest';
import { WakeLatch } from '../../../lib/ldb/wake.ts';

describe('WakeLatch', () => {
  it('ends a wait early on notify', async () => {
    const latch = new WakeLatch();
    const waiting = latch.wait(10_000);
    latch.notify();
    expect(await waiting).toBe('notified');
  });

  it('remembers a notification that arrived while nobody waited', async () => {
    const latch = new WakeLatch();
    latch.notify();
    expect(await latch.wait(10_000)).toBe('notified');
    expect(await latch.wait(5)).toBe('timeout');
  });

  it('forgets a pending notification on clear, and stops on abort', async () => {
    const latch = new WakeLatch();
    latch.notify();
    latch.clear();
    const abort = new AbortController();
    const waiting = latch.wait(10_000, abort.signal);
    abort.abort();
    expect(await waiting).toBe('aborted');
  });
});
