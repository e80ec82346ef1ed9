/**
 * Regression (invariant: the ledger has no hole): chaos seed 1.1 reported "ledger seq 10883
 * follows 11242: a hole" while ctldb's ledger was whole. The chaos run's own copy of the ledger
 * was refreshed twice at once (a watcher tick while ctldb restarted, and an LDB check), both from
 * the same head, and appended the same entries twice.
 */
import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../../lib/ledger/entry.ts';
import { LedgerLog } from '../../../stack/chaos/replay.ts';

function entry(seq: number): LedgerEntry {
  return {
    seq,
    batchSeq: seq,
    batchEnd: true,
    committedAt: 0,
    family: 'fleet',
    table: 'items',
    op: 'heartbeat',
    payload: {},
  } as unknown as LedgerEntry;
}

/** A ledger of `head` entries whose reads take `delayMs`, as they do while ctldb restarts. */
function slowLedger(head: number, delayMs: number) {
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    entriesAfter: async (seq: number, limit = 5000): Promise<LedgerEntry[]> => {
      reads++;
      await new Promise((r) => setTimeout(r, delayMs));
      const out: LedgerEntry[] = [];
      for (let s = seq + 1; s <= head && out.length < limit; s++) out.push(entry(s));
      return out;
    },
  };
}

describe('chaos ledger log', () => {
  it('never appends an entry twice when refreshes overlap', async () => {
    const log = new LedgerLog('fleet', 10, { items: new Map(), tx_groups: new Map() });
    const ledger = slowLedger(40, 20);
    const problems = await Promise.all([log.refresh(ledger), log.refresh(ledger), log.refresh(ledger)]);
    expect(problems.flat()).toEqual([]);
    expect(log.entries.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 11 + i));
    expect(log.head).toBe(40);
    expect(ledger.reads).toBe(3);
  });

  it('still reports a real hole', async () => {
    const log = new LedgerLog('fleet', 0, { items: new Map(), tx_groups: new Map() });
    const ledger = { entriesAfter: () => Promise.resolve([entry(1), entry(3)]) };
    expect(await log.refresh(ledger)).toEqual(['ledger seq 3 follows 1: a hole']);
  });
});
