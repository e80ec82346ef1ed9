import { describe, expect, it } from 'vitest';
import type { CuttleError } from '../../../lib/errors.ts';
import { checkBatch, splitBatches } from '../../../lib/ldb/batches.ts';
import type { LedgerEntry } from '../../../lib/ledger/entry.ts';

function entry(seq: number, batchSeq: number, batchEnd: boolean): LedgerEntry {
  return { seq, batchSeq, batchEnd, committedAt: 0, family: '', table: '', op: 'heartbeat', payload: {} };
}

describe('splitBatches', () => {
  it('returns whole batches and the unfinished tail', () => {
    const entries = [entry(5, 5, false), entry(6, 5, true), entry(7, 7, true), entry(8, 8, false)];
    const { batches, partial } = splitBatches(entries, 4);
    expect(batches.map((b) => b.map((e) => e.seq))).toEqual([[5, 6], [7]]);
    expect(partial.map((e) => e.seq)).toEqual([8]);
  });

  it('stops at a gap with LEDGER_GAP naming the missing seqs', () => {
    expect(() => splitBatches([entry(5, 5, true), entry(7, 7, true)], 4)).toThrowError(
      /expected seq 6 next, found 7/,
    );
    try {
      splitBatches([entry(9, 9, true)], 4);
    } catch (err) {
      expect((err as CuttleError).code).toBe('LEDGER_GAP');
      expect((err as CuttleError).retriable).toBe(false);
    }
    expect.assertions(3);
  });
});

describe('checkBatch', () => {
  it('accepts one whole batch right after the position', () => {
    expect(() => checkBatch([entry(3, 3, false), entry(4, 3, true)], 2)).not.toThrow();
  });

  it.each([
    ['batch_end in the middle', [entry(3, 3, true), entry(4, 3, true)]],
    ['no batch_end', [entry(3, 3, false), entry(4, 3, false)]],
    ['mixed batch_seq', [entry(3, 3, false), entry(4, 4, true)]],
  ])('rejects a malformed batch: %s', (_name, batch) => {
    expect(() => checkBatch(batch, 2)).toThrowError(/malformed ledger batch/);
  });
});
