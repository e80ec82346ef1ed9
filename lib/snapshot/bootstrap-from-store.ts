/**
 * The one call a reflector makes at start-up when snapshots are configured: bootstrap its LDB
 * from the store a URL names (see bootstrap.ts), and log what happened.
 */
import type { Logger } from '../logging.ts';
import { SqliteLdbFiles } from './adapters/sqlite-files.ts';
import { bootstrapLdb, type BootstrapResult } from './bootstrap.ts';
import { LDB_POSITION } from './ldb-position.ts';
import { openSnapshotStore, type S3Settings } from './open-store.ts';

export interface BootstrapFromStoreOptions {
  /** `s3://bucket/prefix` or a folder. */
  readonly url: string;
  readonly s3?: S3Settings;
  readonly ldbPath: string;
  readonly log: Logger;
}

export async function bootstrapFromStore(options: BootstrapFromStoreOptions): Promise<BootstrapResult> {
  const store = openSnapshotStore(options.url, options.s3);
  const log = options.log.child({ component: 'bootstrap', store: store.location });
  try {
    const result = await bootstrapLdb(
      { store, files: new SqliteLdbFiles(), log },
      { ldbPath: options.ldbPath, position: LDB_POSITION },
    );
    if (result.outcome === 'restored') {
      log.info(
        { seq: result.seq, key: result.manifest.key, timings: result.timings, rejected: result.rejected },
        'LDB restored from a snapshot',
      );
    } else if (result.outcome === 'rebuild') {
      log.warn(
        { reason: result.reason, rejected: result.rejected },
        'no usable snapshot; rebuilding the LDB from the ledger',
      );
    } else {
      log.info({ seq: result.seq }, 'existing LDB is intact; resuming from it');
    }
    return result;
  } finally {
    await store.close();
  }
}
