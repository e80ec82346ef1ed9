/**
 * Changelog files on disk: `<path>` is the current file, `<path>.1` … `<path>.N` the rotated
 * ones (1 is the newest). Helpers to find lines at either end of a file.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readSync, statSync } from 'node:fs';

export function rotatedPath(path: string, index: number): string {
  return index === 0 ? path : `${path}.${index}`;
}

/** Existing files oldest first: `<path>.N` … `<path>.1`, `<path>` (the current one, if present). */
export function filesOldestFirst(path: string, keep: number): string[] {
  const files: string[] = [];
  for (let i = keep; i >= 0; i--) {
    const p = rotatedPath(path, i);
    if (existsSync(p)) files.push(p);
  }
  return files;
}

/** The inode of a path, or null when it does not exist. */
export function inodeOf(path: string): number | null {
  try {
    return statSync(path).ino;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

const CHUNK = 64 * 1024;

/** The first complete line of a file (without its newline), or null. */
export function readFirstLine(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const parts: Buffer[] = [];
    let position = 0;
    for (;;) {
      const buffer = Buffer.alloc(CHUNK);
      const n = readSync(fd, buffer, 0, CHUNK, position);
      if (n === 0) return null;
      const chunk = buffer.subarray(0, n);
      const newline = chunk.indexOf(10);
      if (newline >= 0) {
        parts.push(chunk.subarray(0, newline));
        return Buffer.concat(parts).toString('utf8');
      }
      parts.push(chunk);
      position += n;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The last complete line of an open file. With `truncatePartial`, a trailing line without its
 * newline (a write cut short by a crash) is cut off the file first.
 */
export function readLastLine(fd: number, truncatePartial: boolean): string | null {
  let size = fstatSync(fd).size;
  const tail = readTail(fd, size);
  const end = tail.lastIndexOf(10);
  if (end < 0) {
    if (truncatePartial && size > 0) ftruncateSync(fd, 0);
    return null;
  }
  if (end !== tail.length - 1 && truncatePartial) {
    size = size - (tail.length - 1 - end);
    ftruncateSync(fd, size);
  }
  // (lastIndexOf with a negative offset counts from the end, hence the guard)
  const start = end === 0 ? 0 : tail.lastIndexOf(10, end - 1) + 1;
  return tail.subarray(start, end).toString('utf8');
}

/** Reads backwards from `size` until the buffer holds two newlines (or the whole file). */
function readTail(fd: number, size: number): Buffer {
  let buffer = Buffer.alloc(0);
  let position = size;
  while (position > 0) {
    const length = Math.min(CHUNK, position);
    position -= length;
    const chunk = Buffer.alloc(length);
    readSync(fd, chunk, 0, length, position);
    buffer = Buffer.concat([chunk, buffer]);
    const last = buffer.lastIndexOf(10);
    if (last > 0 && buffer.lastIndexOf(10, last - 1) >= 0) break;
  }
  return buffer;
}
