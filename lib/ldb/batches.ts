/**
 * Batch boundaries and seq continuity. The ledger is dense (lib/ledger/entry.ts, "Order"), so an
 * entry whose seq is not the previous one plus one is a fault: we stop with LEDGER_GAP and never
 * skip (ctlstore accepted the next entry after a restart, silently losing the missing one).
 */
import { CuttleError } from '../errors.ts';
import type { LedgerEntry } from '../ledger/entry.ts';

export function gapError(expectedSeq: number, foundSeq: number): CuttleError {
  return new CuttleError(
    'LEDGER_GAP',
    `ledger gap: expected seq ${expectedSeq} next, found ${foundSeq}; the reflector stops rather than skip entries ${expectedSeq}..${foundSeq - 1}`,
    { details: { expectedSeq, foundSeq }, retriable: false },
  );
}

function malformed(entry: LedgerEntry, problem: string): CuttleError {
  return new CuttleError('INTERNAL', `malformed ledger batch at seq ${entry.seq}: ${problem}`, {
    details: { seq: entry.seq, batchSeq: entry.batchSeq },
    retriable: false,
  });
}

/**
 * Checks that `batch` is one whole batch that follows `afterSeq` directly: dense seqs, one
 * batch_seq equal to the first seq, batch_end on the last entry only.
 */
export function checkBatch(batch: readonly LedgerEntry[], afterSeq: number): void {
  const first = batch[0];
  if (first === undefined) throw new RangeError('empty batch');
  batch.forEach((entry, i) => {
    const expected = afterSeq + 1 + i;
    if (entry.seq !== expected) throw gapError(expected, entry.seq);
    if (entry.batchSeq !== first.seq)
      throw malformed(entry, `batch_seq ${entry.batchSeq}, expected ${first.seq}`);
    if (entry.batchEnd !== (i === batch.length - 1)) {
      throw malformed(entry, entry.batchEnd ? 'batch_end before the end of the batch' : 'batch has no end');
    }
  });
}

/**
 * Splits entries read in seq order into whole batches. Returns the complete batches and the
 * entries of a trailing batch whose end was not read yet (the caller reads on before applying).
 */
export function splitBatches(
  entries: readonly LedgerEntry[],
  afterSeq: number,
): { batches: LedgerEntry[][]; partial: LedgerEntry[] } {
  const batches: LedgerEntry[][] = [];
  let current: LedgerEntry[] = [];
  let expected = afterSeq + 1;
  for (const entry of entries) {
    if (entry.seq !== expected) throw gapError(expected, entry.seq);
    expected++;
    current.push(entry);
    if (entry.batchEnd) {
      batches.push(current);
      current = [];
    }
  }
  return { batches, partial: current };
}
