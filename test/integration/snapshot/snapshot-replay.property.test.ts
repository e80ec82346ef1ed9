/**
 * Invariant 6: a snapshot taken at any seq, restored on a new host, plus the rest of the ledger,
 * gives the same LDB as replaying the whole ledger: same tables and DDL, same rows, same catalog,
 * same position (apart from the reflector's own apply time) and layout version.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Reflector } from '../../../lib/ldb/reflector.ts';
import type { LedgerSource } from '../../../lib/ledger/entry.ts';
import { silentLogger } from '../../../lib/logging.ts';
import { createRegistry } from '../../../lib/metrics.ts';
import { S3SnapshotStore } from '../../../lib/snapshot/adapters/s3-store.ts';
import { SqliteLdbFiles } from '../../../lib/snapshot/adapters/sqlite-files.ts';
import { bootstrapLdb } from '../../../lib/snapshot/bootstrap.ts';
import { LDB_POSITION } from '../../../lib/snapshot/ldb-position.ts';
import { SnapshotMaker } from '../../../lib/snapshot/make-snapshot.ts';
import { ledgerStaleness } from '../../../lib/snapshot/position.ts';
import { tempDir } from '../../support/ldb.ts';
import { openLedgerFixture, type LedgerFixture } from '../../support/ledger-fixture.ts';
import { LedgerBuilder, ledgerArbitrary } from './ledger-arbitrary.ts';
import { startTestS3, type TestS3Server } from './s3-server.ts';

let s3: TestS3Server;
beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3.stop();
});

const log = silentLogger();
const files = new SqliteLdbFiles();

/** Runs a reflector on `ldbPath` until it has applied `seq`. */
async function follow(ldbPath: string, source: LedgerSource, seq: number): Promise<void> {
  const registry = createRegistry('test', { defaultMetrics: false });
  const reflector = Reflector.open({ ldbPath, source, registry, log, pollIntervalMs: 5 });
  try {
    await reflector.start();
    if (!(await reflector.waitForSeq(seq, 20_000))) throw new Error(`${ldbPath} did not reach seq ${seq}`);
  } finally {
    await reflector.stop();
  }
}

/** Everything in an LDB file that defines its content. */
function rawDump(path: string): Record<string, unknown> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.defaultSafeIntegers(true);
    const tables = db
      .prepare("SELECT name, sql FROM sqlite_schema WHERE type IN ('table', 'index') ORDER BY name")
      .all() as { name: string; sql: string | null }[];
    const dump: Record<string, unknown> = {
      userVersion: String(db.pragma('user_version', { simple: true })),
    };
    for (const { name, sql } of tables) {
      if (sql === null || !sql.startsWith('CREATE TABLE')) continue;
      const rows = db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[];
      const plain = rows.map((r) => {
        const copy: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(r)) {
          if (name === '_cuttle_position' && k === 'applied_at') continue; // the reflector's own clock
          copy[k] = Buffer.isBuffer(v) ? `hex:${v.toString('hex')}` : typeof v === 'bigint' ? `int:${v}` : v;
        }
        return JSON.stringify(copy);
      });
      dump[name] = { sql, rows: plain.sort() };
    }
    return dump;
  } finally {
    db.close();
  }
}

async function appendAll(
  ledger: LedgerFixture,
  builder: LedgerBuilder,
  batches: readonly (readonly Parameters<LedgerBuilder['batch']>[0][number][])[],
): Promise<void> {
  for (const steps of batches) await ledger.append(builder.batch(steps));
}

describe('snapshot plus the rest of the ledger', () => {
  it('equals a replay of the whole ledger, whatever the seq of the snapshot', async () => {
    await fc.assert(
      fc.asyncProperty(ledgerArbitrary, fc.nat(), async (batches, cutSeed) => {
        const cut = cutSeed % (batches.length + 1);
        const dir = tempDir('cuttle-snapshot-prop-');
        const ledger = await openLedgerFixture('sqlite');
        const store = new S3SnapshotStore({
          bucket: s3.bucket,
          prefix: `prop-${randomBytes(4).toString('hex')}`,
          endpoint: s3.endpoint,
          credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        });
        try {
          const builder = new LedgerBuilder();
          await appendAll(ledger, builder, batches.slice(0, cut));
          const cutSeq = await ledger.head();
          await follow(dir.file('live.ldb'), ledger.source(), cutSeq);
          const source = ledger.source();
          const made = await new SnapshotMaker(
            { store, files, log },
            {
              ldbPath: dir.file('live.ldb'),
              workDir: dir.file('work'),
              position: LDB_POSITION,
              staleness: ledgerStaleness(source),
              maxStalenessMs: 60_000,
              keep: 3,
              makerId: 'prop',
            },
          ).make();
          await source.close();
          expect(made).toMatchObject({ status: 'published', manifest: { seq: cutSeq } });

          await appendAll(ledger, builder, batches.slice(cut));
          const finalSeq = await ledger.head();
          const restored = await bootstrapLdb(
            { store, files, log },
            { ldbPath: dir.file('host.ldb'), position: LDB_POSITION },
          );
          expect(restored).toMatchObject({ outcome: 'restored', seq: cutSeq });
          await follow(dir.file('host.ldb'), ledger.source(), finalSeq);
          await follow(dir.file('replay.ldb'), ledger.source(), finalSeq);
          expect(rawDump(dir.file('host.ldb'))).toEqual(rawDump(dir.file('replay.ldb')));
        } finally {
          await store.delete(await store.list(''));
          await store.close();
          await ledger.close();
          dir.remove();
        }
      }),
      { numRuns: 25 },
    );
  });
});
