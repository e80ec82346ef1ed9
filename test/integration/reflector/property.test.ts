/**
 * Invariant 4 end to end: random ledgers written to a real ctldb (SQLite file and MariaDB), followed
 * by a real reflector (small random block sizes, so blocks end inside batches), read back through
 * the reader library, equal what ctldb holds (the in-memory replay of the same operations).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reflector } from '../../../lib/ldb/reflector.ts';
import { silentLogger } from '../../../lib/logging.ts';
import { createRegistry } from '../../../lib/metrics.ts';
import { openLdb } from '../../../lib/reader/ldb-reader.ts';
import { LedgerModel, dumpLdb, tempDir } from '../../support/ldb.ts';
import { LEDGER_DIALECTS, openLedgerFixture } from '../../support/ledger-fixture.ts';
import { abstractLedger, interpret } from '../../unit/reflector/ledger-arbitraries.ts';

describe.each(LEDGER_DIALECTS)('reflector property on a %s ctldb', (dialect) => {
  it('applies random ledgers into an LDB equal to ctldb, also while the ledger grows', async () => {
    await fc.assert(
      fc.asyncProperty(abstractLedger, fc.integer({ min: 1, max: 64 }), async (ledger, blockSize) => {
        const fixture = await openLedgerFixture(dialect);
        const dir = tempDir();
        try {
          const model = new LedgerModel();
          const batches = interpret(ledger, model);
          const half = Math.ceil(batches.length / 2);
          for (const batch of batches.slice(0, half)) await fixture.append(batch);
          const reflector = Reflector.open({
            ldbPath: dir.file('ldb.db'),
            source: fixture.source(),
            registry: createRegistry('reflector', { defaultMetrics: false }),
            log: silentLogger(),
            blockSize,
            pollIntervalMs: 10,
          });
          await reflector.start();
          for (const batch of batches.slice(half)) await fixture.append(batch);
          const reached = await reflector.waitForSeq(await fixture.head(), 60_000);
          await reflector.stop();
          expect(reached).toBe(true);
          const reader = openLdb(dir.file('ldb.db'));
          try {
            expect(dumpLdb(reader)).toEqual(model.dump());
          } finally {
            reader.close();
          }
        } finally {
          await fixture.close();
          dir.remove();
        }
      }),
      { numRuns: dialect === 'mysql' ? 40 : 80 },
    );
  });
});
