/**
 * Downloads an object into a local file with parallel ranged reads. Each range is written at its
 * offset as it arrives; a range that comes back short (the object changed or was cut) fails the
 * download, and a range that fails on the network is retried a few times.
 */
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { CuttleError, ensureError, isCuttleError } from '../errors.ts';
import { backoffMs, sleep } from '../lifecycle.ts';
import { HashingCounter } from './codec.ts';
import type { SnapshotStore } from './store.ts';

export interface DownloadOptions {
  /** Bytes per ranged GET. @defaultValue 8 MiB */
  readonly partSize?: number;
  /** Ranged GETs in flight. @defaultValue 8 */
  readonly concurrency?: number;
  /** Attempts per range before the download fails. @defaultValue 3 */
  readonly attempts?: number;
}

export interface Range {
  readonly start: number;
  readonly end: number;
}

/** [start, end) ranges of at most `partSize` bytes covering `size` bytes. */
export function splitRanges(size: number, partSize: number): Range[] {
  const ranges: Range[] = [];
  for (let start = 0; start < size; start += partSize)
    ranges.push({ start, end: Math.min(size, start + partSize) });
  return ranges;
}

async function fetchRange(store: SnapshotStore, key: string, path: string, range: Range): Promise<void> {
  const counter = new HashingCounter({ hash: false, limit: range.end - range.start, what: `${key} range` });
  const body = await store.openRange(key, range.start, range.end);
  let readFailure: unknown;
  body.once('error', (err) => (readFailure = err));
  try {
    await pipeline(body, counter, createWriteStream(path, { flags: 'r+', start: range.start }));
  } catch (err) {
    // A failure while reading the object is the store's (retriable); one while writing is ours.
    if (readFailure === undefined || isCuttleError(err)) throw err;
    throw new CuttleError(
      'UNAVAILABLE',
      `reading ${key} range ${range.start}-${range.end} failed: ${ensureError(readFailure).message}`,
      {
        cause: readFailure,
        details: { key },
      },
    );
  }
  if (counter.bytes !== range.end - range.start) {
    throw new CuttleError(
      'SNAPSHOT_INVALID',
      `${key}: range ${range.start}-${range.end} returned ${counter.bytes} bytes; the object is shorter than stated`,
      { details: { key }, retriable: false },
    );
  }
}

async function fetchWithRetries(
  store: SnapshotStore,
  key: string,
  path: string,
  range: Range,
  attempts: number,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fetchRange(store, key, path, range);
      return;
    } catch (err) {
      const permanent = isCuttleError(err) && !err.retriable;
      if (permanent || attempt + 1 >= attempts) throw err;
      await sleep(backoffMs(attempt, 100, 2_000));
    }
  }
}

/** Downloads `size` bytes of `key` into a new file at `path` (which must not exist). */
export async function downloadObject(
  store: SnapshotStore,
  key: string,
  size: number,
  path: string,
  options: DownloadOptions = {},
): Promise<void> {
  const file = await open(path, 'wx');
  try {
    await file.truncate(size);
  } finally {
    await file.close();
  }
  const ranges = splitRanges(size, options.partSize ?? 8 * 1024 * 1024);
  const attempts = options.attempts ?? 3;
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < ranges.length) {
      const range = ranges[next++];
      if (range === undefined) break;
      try {
        await fetchWithRetries(store, key, path, range, attempts);
      } catch (err) {
        failed = true; // the other lanes stop taking ranges; the caller removes the file
        throw err;
      }
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency ?? 8, ranges.length));
  await Promise.all(Array.from({ length: lanes }, worker));
}
