/**
 * Following the changelog from a given seq, across rotations, as an async iterator.
 *
 *   for await (const change of followChangelog('/var/lib/cuttle/changes.ndjson', { afterSeq: 41 })) …
 *
 * Yields every change with seq > afterSeq, in order. Throws CHANGELOG_OUT_OF_SYNC when changes
 * after the follower's position may be missing (they were rotated away, or the feed has a hole):
 * the consumer should then rebuild its state from the LDB and follow again from the LDB's seq.
 * Unlike ctlstore's iterator it does not replay the current file from the start, and it checks
 * continuity with each line's `prev` rather than assuming consecutive numbers.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { CuttleError } from '../errors.ts';
import { sleep } from '../lifecycle.ts';
import { filesOldestFirst, inodeOf, readFirstLine } from './files.ts';
import { eventOfLine, parseLine, type ChangeEvent, type ChangelogLine } from './format.ts';

export interface FollowOptions {
  /** Yield changes with a seq above this one. @defaultValue 0 */
  readonly afterSeq?: number;
  /** How often to look for new lines at the end of the feed, in ms. @defaultValue 50 */
  readonly pollMs?: number;
  /** Rotated files the writer keeps; must be at least the writer's `keep`. @defaultValue 16 */
  readonly keep?: number;
  /** Only changes of this family (and table). */
  readonly family?: string;
  readonly table?: string;
  /** Ends the iteration. */
  readonly signal?: AbortSignal;
}

function outOfSync(covered: number, line: ChangelogLine): CuttleError {
  return new CuttleError(
    'CHANGELOG_OUT_OF_SYNC',
    `changelog out of sync: changes after seq ${covered} up to ${line.prev} are no longer available (next line is seq ${line.seq}); rebuild from the LDB and follow from its seq`,
    { details: { afterSeq: covered, availableFrom: line.prev, nextSeq: line.seq }, retriable: false },
  );
}

/** The file to start in: the newest one whose first line is at or below `covered`. */
function startFile(path: string, keep: number, covered: number): string {
  const files = filesOldestFirst(path, keep);
  let chosen = files[0] ?? path;
  for (const file of files) {
    const first = readFirstLine(file);
    if (first !== null && parseLine(first).seq <= covered) chosen = file;
  }
  return chosen;
}

/** The file after the one with `inode` (it was rotated), or null when it is gone. */
function successorOf(path: string, keep: number, inode: number): string | null {
  const files = filesOldestFirst(path, keep);
  const index = files.findIndex((f) => inodeOf(f) === inode);
  return index < 0 ? null : (files[index + 1] ?? null);
}

class LineReader {
  readonly #handle: FileHandle;
  readonly inode: number;
  #position = 0;
  #rest: Buffer = Buffer.alloc(0);

  private constructor(handle: FileHandle, inode: number) {
    this.#handle = handle;
    this.inode = inode;
  }

  static async open(path: string): Promise<LineReader | null> {
    try {
      const handle = await open(path, 'r');
      return new LineReader(handle, (await handle.stat()).ino);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /** Complete lines appended since the last call. */
  async read(): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const buffer = Buffer.alloc(256 * 1024);
      const { bytesRead } = await this.#handle.read(buffer, 0, buffer.length, this.#position);
      if (bytesRead === 0) return lines;
      this.#position += bytesRead;
      let data = Buffer.concat([this.#rest, buffer.subarray(0, bytesRead)]);
      let newline = data.indexOf(10);
      while (newline >= 0) {
        lines.push(data.subarray(0, newline).toString('utf8'));
        data = data.subarray(newline + 1);
        newline = data.indexOf(10);
      }
      this.#rest = Buffer.from(data);
    }
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}

/** Follows the changelog at `path`; see the module comment. */
export async function* followChangelog(
  path: string,
  options: FollowOptions = {},
): AsyncGenerator<ChangeEvent> {
  const keep = options.keep ?? 16;
  const pollMs = options.pollMs ?? 50;
  let covered = options.afterSeq ?? 0;
  let reader: LineReader | null = null;
  try {
    while (options.signal?.aborted !== true) {
      reader ??= await LineReader.open(startFile(path, keep, covered));
      if (reader === null) {
        await sleep(pollMs, options.signal);
        continue;
      }
      // Checked before reading: the writer closes a file before renaming it, so once we have
      // seen the rename, the read below gets every line the old file will ever have.
      // (A missing path is a rotation in progress: wait for the new file.)
      const current = inodeOf(path);
      const rotated = current !== null && current !== reader.inode;
      const lines = await reader.read();
      for (const text of lines) {
        const line = parseLine(text);
        if (line.seq <= covered) continue;
        if (line.prev > covered) throw outOfSync(covered, line);
        covered = line.seq;
        if (options.family !== undefined && line.family !== options.family) continue;
        if (options.table !== undefined && line.table !== options.table) continue;
        yield eventOfLine(line);
      }
      if (lines.length > 0) continue;
      if (!rotated) {
        await sleep(pollMs, options.signal);
        continue;
      }
      const next = successorOf(path, keep, reader.inode);
      await reader.close();
      reader = next === null ? null : await LineReader.open(next);
    }
  } finally {
    await reader?.close();
  }
}
