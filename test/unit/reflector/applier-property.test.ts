import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LedgerModel, dumpDb } from '../../support/ldb.ts';
import { abstractLedger, interpret } from './ledger-arbitraries.ts';
import { memoryLdb } from './memory-ldb.ts';

describe('applier property', () => {
  it('random ledgers (upserts, deletes, schema changes, small and large batches) give an LDB equal to ctldb', () => {
    fc.assert(
      fc.property(abstractLedger, (ledger) => {
        const model = new LedgerModel();
        const batches = interpret(ledger, model);
        const ldb = memoryLdb();
        for (const batch of batches) ldb.applier.apply(ldb.batch(batch));
        expect(dumpDb(ldb.db)).toEqual(model.dump());
        expect(ldb.applier.position.seq).toBe(batches.reduce((n, b) => n + b.length, 0));
        ldb.db.close();
      }),
      { numRuns: 150 },
    );
  });
});
