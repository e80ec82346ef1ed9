/**
 * Bootstrap of a host's LDB from the newest usable snapshot.
 *
 * 1. An LDB that exists and passes quick_check is kept (the follower catches it up).
 *    A damaged one is moved aside as `<ldb>.corrupt-<stamp>` (kept for a post-mortem).
 * 2. latest.json first (one GET, no listing); then every per-snapshot manifest, newest first.
 *    Each candidate is restored with every check in restore.ts; a bad one is recorded and the
 *    next older one is tried.
 * 3. When none is usable (no manifest at all, all rejected, store unreachable), the result says
 *    "rebuild from the ledger" and why, and the LDB is left absent.
 *
 * The result carries the snapshot's seq: the follower resumes with the entry after it.
 */
import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { isCuttleError } from '../errors.ts';
import type { Logger } from '../logging.ts';
import {
  fallbackOrder,
  listManifestKeys,
  readLatest,
  readManifest,
  sameManifest,
  type CatalogEntry,
} from './catalog.ts';
import type { DownloadOptions } from './download.ts';
import type { LdbFiles } from './ldb-files.ts';
import { keyStamp, type Manifest } from './manifest.ts';
import type { LdbPositionSpec } from './position.ts';
import { restoreSnapshot, type RestoreTimings } from './restore.ts';
import type { SnapshotStore } from './store.ts';

export interface Rejection {
  readonly manifestKey: string;
  readonly reason: string;
}

export type BootstrapResult =
  | { readonly outcome: 'existing'; readonly seq: number }
  | {
      readonly outcome: 'restored';
      readonly seq: number;
      readonly manifest: Manifest;
      readonly rejected: readonly Rejection[];
      readonly timings: RestoreTimings;
    }
  | {
      readonly outcome: 'rebuild';
      readonly seq: 0;
      readonly reason: string;
      readonly rejected: readonly Rejection[];
    };

export interface BootstrapDeps {
  readonly store: SnapshotStore;
  readonly files: LdbFiles;
  readonly log: Logger;
}

export interface BootstrapOptions {
  readonly ldbPath: string;
  readonly position: LdbPositionSpec;
  readonly download?: DownloadOptions;
}

async function keepExisting(deps: BootstrapDeps, options: BootstrapOptions): Promise<number | undefined> {
  if (!existsSync(options.ldbPath)) return undefined;
  const found = await deps.files.inspect(options.ldbPath, options.position, {
    check: 'quick',
    readonly: false,
  });
  if (found.ok) return found.position.seq;
  const aside = `${options.ldbPath}.corrupt-${keyStamp(new Date())}`;
  deps.log.warn(
    { ldb: options.ldbPath, problem: found.problem, movedTo: aside },
    'LDB is damaged; moving it aside',
  );
  await rename(options.ldbPath, aside);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(options.ldbPath + suffix)) await rename(options.ldbPath + suffix, aside + suffix);
  }
  return undefined;
}

/** Candidates in the order they are tried: latest.json, then the rest newest first (lazily). */
async function* candidates(store: SnapshotStore): AsyncGenerator<CatalogEntry> {
  const latest = await readLatest(store);
  if (latest.ok || latest.reason !== 'manifest not found') yield latest;
  for (const key of fallbackOrder(await listManifestKeys(store))) {
    const entry = await readManifest(store, key);
    if (latest.ok && entry.ok && sameManifest(latest.manifest, entry.manifest)) continue;
    yield entry;
  }
}

/** Errors that make one snapshot unusable (bad object, store hiccup); anything else is a bug and propagates. */
function isSnapshotProblem(err: unknown): err is Error {
  return isCuttleError(err) && (err.code === 'SNAPSHOT_INVALID' || err.code === 'UNAVAILABLE');
}

export async function bootstrapLdb(deps: BootstrapDeps, options: BootstrapOptions): Promise<BootstrapResult> {
  const existingSeq = await keepExisting(deps, options);
  if (existingSeq !== undefined) return { outcome: 'existing', seq: existingSeq };
  const rejected: Rejection[] = [];
  try {
    for await (const entry of candidates(deps.store)) {
      if (!entry.ok) {
        rejected.push({ manifestKey: entry.manifestKey, reason: entry.reason });
        continue;
      }
      try {
        const restored = await restoreSnapshot(deps, entry.manifest, options.ldbPath, options);
        return {
          outcome: 'restored',
          seq: restored.seq,
          manifest: entry.manifest,
          rejected,
          timings: restored.timings,
        };
      } catch (err) {
        if (!isSnapshotProblem(err)) throw err;
        deps.log.warn(
          { manifest: entry.manifestKey, reason: err.message },
          'snapshot rejected; trying an older one',
        );
        rejected.push({ manifestKey: entry.manifestKey, reason: err.message });
      }
    }
  } catch (err) {
    if (!isCuttleError(err) || err.code !== 'UNAVAILABLE') throw err;
    return { outcome: 'rebuild', seq: 0, reason: `snapshot store unreachable: ${err.message}`, rejected };
  }
  const where = deps.store.location;
  const reason =
    rejected.length === 0
      ? `no snapshot manifest in ${where}`
      : `no usable snapshot in ${where}: ${rejected.length} rejected`;
  return { outcome: 'rebuild', seq: 0, reason, rejected };
}
