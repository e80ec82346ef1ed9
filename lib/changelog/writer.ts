/**
 * The changelog writer: appends one NDJSON line per committed change (format.ts), after the
 * batch's SQLite transaction has committed, and rotates by size.
 *
 * Rotation renames `<path>` to `<path>.1` (and `.1` to `.2` … up to `.keep`), then starts a new
 * `<path>`. Nothing is ever deleted under a follower: a follower holding the old file keeps
 * reading it through its descriptor and then moves on to the new file (follow.ts). Only the
 * oldest rotated file is overwritten, by the rename of the one before it.
 *
 * On open, a line cut short by a crash is truncated away and `lastSeq` is read back from the
 * last complete line, so a restarted reflector appends after it instead of writing it twice.
 */
import { closeSync, existsSync, fstatSync, openSync, renameSync, writeSync } from 'node:fs';
import type { RowChange } from '../ldb/changes.ts';
import { readLastLine, rotatedPath } from './files.ts';
import { formatLine, parseLine } from './format.ts';

export interface ChangelogOptions {
  /** Rotate before the current file would exceed this size. @defaultValue 64 MiB */
  readonly maxBytes?: number;
  /** How many rotated files to keep (`<path>.1` … `<path>.keep`). @defaultValue 4 */
  readonly keep?: number;
}

export class ChangelogWriter {
  readonly path: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  #fd: number;
  #size: number;
  #lastSeq: number | null;
  #watermark: number | null;

  private constructor(path: string, options: ChangelogOptions) {
    this.path = path;
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#keep = Math.max(1, options.keep ?? 4);
    this.#fd = openSync(path, 'a+');
    const last = readLastLine(this.#fd, true) ?? lastLineOf(rotatedPath(path, 1));
    this.#lastSeq = last === null ? null : parseLine(last).seq;
    this.#watermark = this.#lastSeq;
    this.#size = fstatSync(this.#fd).size;
  }

  static open(path: string, options: ChangelogOptions = {}): ChangelogWriter {
    return new ChangelogWriter(path, options);
  }

  /** Seq of the last line written (in any file), or null for a changelog with no line yet. */
  get lastSeq(): number | null {
    return this.#lastSeq;
  }

  /** Every change up to this seq has its line (null: not known yet, see `startAt`). */
  get watermark(): number | null {
    return this.#watermark;
  }

  /** Sets the watermark of a changelog that has no line yet (the LDB's seq at start). */
  startAt(seq: number): void {
    if (this.#watermark === null) this.#watermark = seq;
  }

  /**
   * Appends the lines of committed changes (seq order) and moves the watermark to
   * `coveredThrough`. Changes at or below the last written seq are skipped: they were written
   * before a restart.
   */
  append(changes: readonly RowChange[], coveredThrough: number): void {
    let prev = this.#watermark ?? coveredThrough;
    let pending = '';
    let pendingBytes = 0;
    for (const change of changes) {
      if (this.#lastSeq !== null && change.seq <= this.#lastSeq) continue;
      const line = formatLine(change, prev);
      const bytes = Buffer.byteLength(line);
      if (this.#size + pendingBytes > 0 && this.#size + pendingBytes + bytes > this.#maxBytes) {
        this.#write(pending);
        pending = '';
        pendingBytes = 0;
        this.#rotate();
      }
      pending += line;
      pendingBytes += bytes;
      prev = change.seq;
      this.#lastSeq = change.seq;
    }
    this.#write(pending);
    this.#watermark = Math.max(prev, coveredThrough, this.#watermark ?? 0);
  }

  close(): void {
    closeSync(this.#fd);
  }

  #write(text: string): void {
    if (text.length === 0) return;
    const buffer = Buffer.from(text);
    let offset = 0;
    while (offset < buffer.length) offset += writeSync(this.#fd, buffer, offset);
    this.#size += buffer.length;
  }

  #rotate(): void {
    closeSync(this.#fd);
    for (let i = this.#keep - 1; i >= 1; i--) {
      const from = rotatedPath(this.path, i);
      if (existsSync(from)) renameSync(from, rotatedPath(this.path, i + 1));
    }
    renameSync(this.path, rotatedPath(this.path, 1));
    this.#fd = openSync(this.path, 'a+');
    this.#size = 0;
  }
}

function lastLineOf(path: string): string | null {
  if (!existsSync(path)) return null;
  const fd = openSync(path, 'r');
  try {
    return readLastLine(fd, false);
  } finally {
    closeSync(fd);
  }
}
