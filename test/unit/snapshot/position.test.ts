import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../../lib/ledger/entry.ts';
import { heartbeatStaleness, ledgerStaleness } from '../../../lib/snapshot/position.ts';

/** A ledger of entries committed at the given times (seq = index + 1); only readAfter matters. */
function ledger(committedAt: readonly number[]) {
  const asked: [number, number][] = [];
  return {
    asked,
    readAfter: (after: number, limit: number): Promise<LedgerEntry[]> => {
      asked.push([after, limit]);
      const entries: LedgerEntry[] = committedAt.map((at, i) => ({
        seq: i + 1,
        batchSeq: i + 1,
        batchEnd: true,
        committedAt: at,
        family: '',
        table: '',
        op: 'heartbeat' as const,
        payload: {},
      }));
      return Promise.resolve(entries.filter((e) => e.seq > after).slice(0, limit));
    },
  };
}

describe('snapshot staleness', () => {
  it('is 0 against the ledger when nothing was committed after the snapshot, however idle', async () => {
    const probe = ledgerStaleness(ledger([1_000, 2_000]));
    expect(await probe({ seq: 2, committedAt: 2_000 }, 10_000_000)).toBe(0);
  });

  it('is the age of the oldest entry the snapshot lacks', async () => {
    const source = ledger([1_000, 2_000, 5_000, 9_000]);
    expect(await ledgerStaleness(source)({ seq: 2, committedAt: 2_000 }, 65_000)).toBe(60_000);
    expect(source.asked).toEqual([[2, 1]]);
  });

  it('from heartbeats: time since the last applied commit, unknown before the first', async () => {
    expect(await heartbeatStaleness({ seq: 5, committedAt: 4_000 }, 10_000)).toBe(6_000);
    expect(await heartbeatStaleness({ seq: 0, committedAt: null }, 10_000)).toBe(Number.POSITIVE_INFINITY);
  });
});
