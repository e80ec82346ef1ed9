/**
 * "Every published snapshot verifies and restores to the LDB state at its seq": each snapshot a
 * supervisor published since the run began is restored (download, SHA-256, decompress, SQLite
 * check: lib/snapshot/restore.ts), read through the reader library and compared with the ledger
 * replayed to the snapshot's seq.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLdb } from '../../lib/reader/ldb-reader.ts';
import { SqliteLdbFiles } from '../../lib/snapshot/adapters/sqlite-files.ts';
import { listCatalog } from '../../lib/snapshot/catalog.ts';
import { LDB_POSITION } from '../../lib/snapshot/ldb-position.ts';
import type { Manifest } from '../../lib/snapshot/manifest.ts';
import { openSnapshotStore } from '../../lib/snapshot/open-store.ts';
import { restoreSnapshot } from '../../lib/snapshot/restore.ts';
import type { SnapshotStore } from '../../lib/snapshot/store.ts';
import { snapshotUrl, type Fleet } from '../fleet/description.ts';
import { readLdbState } from './ldb-state.ts';
import { ReplayCursor, type LedgerLog } from './replay.ts';
import { diffTables } from './tables.ts';
import { CHAOS_TABLES } from './truth.ts';

export interface SnapshotVerdicts {
  readonly checked: number;
  readonly violations: string[];
}

function openFleetStore(fleet: Fleet): SnapshotStore {
  return openSnapshotStore(snapshotUrl(fleet), {
    endpoint: fleet.stack.s3Endpoint,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
  });
}

async function checkOne(
  store: SnapshotStore,
  manifest: Manifest,
  dir: string,
  cursor: ReplayCursor,
  family: string,
): Promise<string[]> {
  const target = join(dir, `${manifest.seq}.db`);
  try {
    const restored = await restoreSnapshot({ store, files: new SqliteLdbFiles() }, manifest, target, {
      position: LDB_POSITION,
    });
    if (restored.seq !== manifest.seq) return [`snapshot ${manifest.key}: restored seq ${restored.seq}`];
  } catch (err) {
    // Retention may delete an old snapshot between the listing and the download.
    if ((await store.stat(manifest.key)) === undefined) return [];
    return [`snapshot ${manifest.key} does not restore: ${String(err)}`];
  }
  const reader = openLdb(target);
  try {
    const state = readLdbState(reader, family);
    const expected = cursor.stateAt(manifest.seq);
    if (state === undefined || expected === undefined) return [];
    return CHAOS_TABLES.flatMap((table) => {
      const diff = diffTables(expected[table], state.tables[table], 3);
      return diff.length === 0 ? [] : [`snapshot at seq ${manifest.seq}, ${table}: ${diff.join('; ')}`];
    });
  } finally {
    reader.close();
  }
}

/** Checks every snapshot published above the log's base seq that is not in `seen`. */
export async function checkSnapshots(
  fleet: Fleet,
  log: LedgerLog,
  seen: Set<string>,
): Promise<SnapshotVerdicts> {
  const store = openFleetStore(fleet);
  const dir = await mkdtemp(join(tmpdir(), 'cuttle-chaos-snapshots-'));
  const violations: string[] = [];
  let checked = 0;
  try {
    const entries = await listCatalog(store);
    const manifests = entries
      .flatMap((e) => (e.ok ? [e.manifest] : []))
      .filter((m) => m.seq > log.baseSeq && m.seq <= log.head && !seen.has(m.key))
      .sort((a, b) => a.seq - b.seq);
    for (const e of entries)
      if (!e.ok && !e.reason.includes('not found')) violations.push(`manifest ${e.manifestKey}: ${e.reason}`);
    const cursor = new ReplayCursor(log);
    for (const manifest of manifests) {
      seen.add(manifest.key);
      violations.push(...(await checkOne(store, manifest, dir, cursor, fleet.source.family)));
      checked++;
    }
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
  return { checked, violations };
}
