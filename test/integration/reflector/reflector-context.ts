/**
 * A disposable reflector for integration tests: a ledger fixture, an LDB in a temporary folder,
 * an in-process Reflector, and a helper to append a batch and wait until the LDB has it.
 */
import { Reflector, type ReflectorOptions } from '../../../lib/ldb/reflector.ts';
import type { PendingEntry } from '../../../lib/ledger/entry.ts';
import { silentLogger } from '../../../lib/logging.ts';
import { createRegistry, type Registry } from '../../../lib/metrics.ts';
import { tempDir, type TempDir } from '../../support/ldb.ts';
import { openLedgerFixture, type LedgerDialect, type LedgerFixture } from '../../support/ledger-fixture.ts';

export interface ReflectorContext {
  readonly ledger: LedgerFixture;
  readonly dir: TempDir;
  readonly ldbPath: string;
  readonly registry: Registry;
  reflector: Reflector;
  /** Appends one batch and waits until the reflector has applied it; returns its last seq. */
  commit(entries: readonly PendingEntry[], committedAt?: number): Promise<number>;
  /** Stops the reflector and opens a new one on the same LDB (a restart). */
  restart(options?: Partial<ReflectorOptions>): Promise<void>;
  close(): Promise<void>;
}

export async function openReflectorContext(
  dialect: LedgerDialect = 'sqlite',
  options: Partial<ReflectorOptions> = {},
): Promise<ReflectorContext> {
  const ledger = await openLedgerFixture(dialect);
  const dir = tempDir();
  const ldbPath = dir.file('ldb.db');
  let registry = createRegistry('reflector', { defaultMetrics: false });
  const open = (extra: Partial<ReflectorOptions>): Reflector =>
    Reflector.open({
      ldbPath,
      source: ledger.source(),
      registry,
      log: silentLogger(),
      pollIntervalMs: 20,
      ...options,
      ...extra,
    });
  const context: ReflectorContext = {
    ledger,
    dir,
    ldbPath,
    get registry() {
      return registry;
    },
    reflector: open({}),
    commit: async (entries, committedAt) => {
      const { lastSeq } = await ledger.append(entries, committedAt);
      if (!(await context.reflector.waitForSeq(lastSeq, 30_000))) {
        throw new Error(
          `reflector did not reach seq ${lastSeq}: ${JSON.stringify(context.reflector.status())}`,
        );
      }
      return lastSeq;
    },
    restart: async (extra = {}) => {
      await context.reflector.stop();
      registry = createRegistry('reflector', { defaultMetrics: false });
      context.reflector = open(extra);
      await context.reflector.start();
    },
    close: async () => {
      await context.reflector.stop();
      await ledger.close();
      dir.remove();
    },
  };
  await context.reflector.start();
  return context;
}
