/** File-system steps that make a replaced file durable and its replacement atomic. */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/** `<path>.<purpose>-<random>`: next to the target, so the final rename stays on one file system. */
export function siblingTempPath(path: string, purpose: string): string {
  return `${path}.${purpose}-${randomBytes(4).toString('hex')}`;
}

export async function fsyncFile(path: string): Promise<void> {
  const file = await open(path, 'r+');
  try {
    await file.sync();
  } finally {
    await file.close();
  }
}

/** Makes a rename in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function removeQuietly(...paths: string[]): Promise<void> {
  await Promise.all(paths.map((p) => rm(p, { force: true })));
}

/**
 * Moves `source` over `target` atomically and durably. A WAL or shared-memory file left by an
 * earlier LDB at `target` is removed first: SQLite would otherwise replay that old WAL onto the
 * new file and corrupt it.
 */
export async function replaceFile(source: string, target: string): Promise<void> {
  await fsyncFile(source);
  await removeQuietly(`${target}-wal`, `${target}-shm`);
  await rename(source, target);
  await fsyncDir(dirname(target));
}
