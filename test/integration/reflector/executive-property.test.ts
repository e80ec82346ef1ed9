/**
 * The property test through the real executive: random ledgers are sent as API calls (schema
 * changes, mutation batches, drop and clear with confirmation) to an executive on SQLite and on
 * MariaDB; a reflector follows the ledger the executive writes; the LDB must equal ctldb's
 * content (the in-memory replay of the same operations).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Reflector } from '../../../lib/ldb/reflector.ts';
import type { PendingEntry } from '../../../lib/ledger/entry.ts';
import { InProcessLedgerNotifier } from '../../../lib/ledger/notifier.ts';
import { openLedgerSource } from '../../../lib/ledger/sources/open.ts';
import { silentLogger } from '../../../lib/logging.ts';
import { createRegistry } from '../../../lib/metrics.ts';
import { openLdb } from '../../../lib/reader/ldb-reader.ts';
import { startTestExecutive, type TestExecutive, type WriterCredentials } from '../../support/executive.ts';
import { LedgerModel, dumpLdb, tempDir, type Dump, type TempDir } from '../../support/ldb.ts';
import { abstractLedger, interpret } from '../../unit/reflector/ledger-arbitraries.ts';

type TypedEntry = Extract<PendingEntry, { op: string }> & { payload: Record<string, unknown> };

/** Sends one interpreted batch as API calls, in order: schema calls alone, row ops grouped. */
async function send(
  ex: TestExecutive,
  writer: WriterCredentials,
  batch: readonly PendingEntry[],
): Promise<void> {
  let rows: unknown[] = [];
  let family = '';
  const flush = async (): Promise<void> => {
    if (rows.length === 0) return;
    const r = await ex.mutate(writer, family, { mutations: rows });
    rows = [];
    if (r.status !== 200) throw new Error(`mutation: ${r.status} ${JSON.stringify(r.body)}`);
  };
  for (const entry of batch as readonly TypedEntry[]) {
    const path = `/families/${entry.family}/tables/${entry.table}`;
    const confirm = `?confirm=${entry.family}.${entry.table}`;
    if (entry.op === 'upsert' || entry.op === 'delete') {
      family = entry.family;
      rows.push(
        entry.op === 'upsert'
          ? { table: entry.table, values: entry.payload['values'] }
          : { table: entry.table, op: 'delete', key: entry.payload['key'] },
      );
    } else {
      await flush();
      const response =
        entry.op === 'create_table'
          ? await ex.admin('POST', path, entry.payload)
          : entry.op === 'add_fields'
            ? await ex.admin('POST', `${path}/fields`, entry.payload)
            : entry.op === 'drop_table'
              ? await ex.admin('DELETE', `${path}${confirm}`)
              : entry.op === 'clear_table'
                ? await ex.admin('POST', `${path}/clear${confirm}`)
                : { status: 200, body: null }; // heartbeats: the executive writes its own
      if (response.status >= 300)
        throw new Error(`${entry.op} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    }
  }
  await flush();
}

function only(dump: Dump, family: string): Dump {
  return Object.fromEntries(Object.entries(dump).filter(([, t]) => t.schema.family === family));
}

describe.each(['sqlite', 'mysql'] as const)('reflector behind the real executive (%s ctldb)', (dialect) => {
  let ex: TestExecutive;
  let dir: TempDir;
  let reflector: Reflector;
  let writer: WriterCredentials;
  const notifier = new InProcessLedgerNotifier();

  beforeAll(async () => {
    ex = await startTestExecutive(dialect, { area: 'reflector', deps: { notifier } });
    dir = tempDir();
    const address = ex.db.connect.driver === 'mysql' ? ex.db.connect.url : `sqlite:${ex.db.connect.path}`;
    reflector = Reflector.open({
      ldbPath: dir.file('ldb.db'),
      source: openLedgerSource(address),
      wake: notifier,
      registry: createRegistry('reflector', { defaultMetrics: false }),
      log: silentLogger(),
      pollIntervalMs: 200,
    });
    await reflector.start();
    writer = await ex.registerWriter('property-writer');
  });

  afterAll(async () => {
    await reflector.stop();
    await ex.close();
    dir.remove();
  });

  it('gives an LDB equal to ctldb for random schema changes and mutation batches', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(abstractLedger, async (ledger) => {
        const family = `run${run++}`;
        const model = new LedgerModel();
        const batches = interpret(ledger, model, family);
        const created = await ex.admin('POST', `/families/${family}`);
        expect(created.status).toBe(201);
        for (const batch of batches) await send(ex, writer, batch);
        const head = await ex.db.ctldb.all('SELECT seq FROM cuttle_ledger_head WHERE id = 1');
        expect(await reflector.waitForSeq(Number(head[0]?.['seq']), 30_000)).toBe(true);
        const reader = openLdb(dir.file('ldb.db'));
        try {
          expect(only(dumpLdb(reader), family)).toEqual(model.dump());
        } finally {
          reader.close();
        }
      }),
      { numRuns: dialect === 'mysql' ? 15 : 25 },
    );
  }, 600_000);
});
