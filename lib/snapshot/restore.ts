/**
 * Restores one snapshot to a path: download, verify, decompress, check, rename into place.
 *
 * Nothing reaches `target` before every check passed: the object's size against the manifest,
 * the SHA-256 of the downloaded bytes, the decompressed size, SQLite's quick_check, and the seq
 * inside the file against the manifest's. The SHA-256 is computed in the same pass that
 * decompresses into a temporary file (one read instead of two); a mismatch discards that file.
 *
 * quick_check rather than integrity_check: the supervisor ran the full integrity_check on the
 * copy before uploading it, and the SHA-256 proves these are the same bytes, so what is left to
 * catch is damage by this host's disk or decompressor, which quick_check's page and record
 * checks find in O(N) (integrity_check also cross-checks every index, O(N log N)).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CuttleError, ensureError, isCuttleError } from '../errors.ts';
import { HashingCounter, decompressor } from './codec.ts';
import { downloadObject, type DownloadOptions } from './download.ts';
import { removeQuietly, replaceFile, siblingTempPath } from './fs-util.ts';
import type { LdbFiles } from './ldb-files.ts';
import type { Manifest } from './manifest.ts';
import type { LdbPositionSpec } from './position.ts';
import type { SnapshotStore } from './store.ts';

export interface RestoreDeps {
  readonly store: SnapshotStore;
  readonly files: LdbFiles;
}

export interface RestoreOptions {
  readonly position: LdbPositionSpec;
  readonly download?: DownloadOptions;
}

export interface RestoreTimings {
  readonly downloadMs: number;
  readonly verifyAndDecompressMs: number;
  readonly checkMs: number;
}

export interface RestoreResult {
  readonly manifest: Manifest;
  readonly seq: number;
  readonly timings: RestoreTimings;
}

function invalid(manifest: Manifest, message: string, cause?: unknown): CuttleError {
  return new CuttleError('SNAPSHOT_INVALID', `snapshot ${manifest.key}: ${message}`, {
    details: { key: manifest.key, seq: manifest.seq },
    retriable: false,
    cause,
  });
}

async function verifyAndDecompress(
  manifest: Manifest,
  compressedPath: string,
  ldbPath: string,
): Promise<void> {
  const compressed = new HashingCounter({ limit: manifest.compressedSize, what: manifest.key });
  const plain = new HashingCounter({
    hash: false,
    limit: manifest.size,
    what: `${manifest.key} decompressed`,
  });
  try {
    await pipeline(
      createReadStream(compressedPath, { highWaterMark: 256 * 1024 }),
      compressed,
      decompressor(manifest.compression),
      plain,
      createWriteStream(ldbPath, { flags: 'wx' }),
    );
  } catch (err) {
    if (isCuttleError(err)) throw err;
    throw invalid(manifest, `cannot be decompressed (${ensureError(err).message})`, err);
  }
  const sha256 = compressed.digest();
  if (sha256 !== manifest.sha256)
    throw invalid(manifest, `SHA-256 ${sha256} differs from the manifest's ${manifest.sha256}`);
  if (plain.bytes !== manifest.size)
    throw invalid(manifest, `decompressed to ${plain.bytes} bytes, manifest says ${manifest.size}`);
}

async function checkObjectSize(store: SnapshotStore, manifest: Manifest): Promise<void> {
  const info = await store.stat(manifest.key);
  if (info === undefined) throw invalid(manifest, 'object not found');
  if (info.size !== manifest.compressedSize) {
    throw invalid(manifest, `object is ${info.size} bytes, manifest says ${manifest.compressedSize}`);
  }
}

async function checkRestoredFile(
  deps: RestoreDeps,
  manifest: Manifest,
  path: string,
  options: RestoreOptions,
): Promise<void> {
  const result = await deps.files.inspect(path, options.position, {
    check: 'quick',
    readonly: false,
    makeWal: true,
  });
  if (!result.ok) throw invalid(manifest, `restored file is damaged: ${result.problem}`);
  if (result.position.seq !== manifest.seq) {
    throw invalid(manifest, `file holds seq ${result.position.seq}, manifest says ${manifest.seq}`);
  }
}

/** Restores `manifest`'s snapshot to `target`, replacing whatever is there. */
export async function restoreSnapshot(
  deps: RestoreDeps,
  manifest: Manifest,
  target: string,
  options: RestoreOptions,
): Promise<RestoreResult> {
  await mkdir(dirname(target), { recursive: true });
  const compressedPath = siblingTempPath(target, 'download');
  const ldbPath = siblingTempPath(target, 'restore');
  try {
    let started = performance.now();
    await checkObjectSize(deps.store, manifest);
    await downloadObject(deps.store, manifest.key, manifest.compressedSize, compressedPath, options.download);
    const downloadMs = performance.now() - started;
    started = performance.now();
    await verifyAndDecompress(manifest, compressedPath, ldbPath);
    await removeQuietly(compressedPath);
    const verifyAndDecompressMs = performance.now() - started;
    started = performance.now();
    await checkRestoredFile(deps, manifest, ldbPath, options);
    await replaceFile(ldbPath, target);
    const checkMs = performance.now() - started;
    return { manifest, seq: manifest.seq, timings: { downloadMs, verifyAndDecompressMs, checkMs } };
  } finally {
    await removeQuietly(compressedPath, ldbPath, `${ldbPath}-wal`, `${ldbPath}-shm`);
  }
}
