/**
 * The `LdbFiles` port: the SQLite work snapshots need on LDB files. The adapter
 * (adapters/sqlite-files.ts) runs it on a worker thread, because better-sqlite3 is synchronous
 * and a multi-second VACUUM on the main thread would stall the follower sharing the process.
 */
import type { LdbPosition, LdbPositionSpec } from './position.ts';

export type IntegrityCheck = 'full' | 'quick' | 'none';

export interface LdbFacts {
  readonly position: LdbPosition;
  /** Table names, sorted. */
  readonly tables: readonly string[];
}

export type InspectResult =
  ({ readonly ok: true } & LdbFacts) | { readonly ok: false; readonly problem: string };

export interface InspectOptions {
  readonly check: IntegrityCheck;
  /** Open read-only (a live LDB) or read-write (a file being restored). @defaultValue true */
  readonly readonly?: boolean;
  /** Switch the file to WAL before closing it, so the first reader opens it in WAL mode. */
  readonly makeWal?: boolean;
}

export interface LdbFiles {
  /**
   * Writes a consistent, compact copy of the live LDB at `source` to `target` (which must not
   * exist) without blocking the LDB's writer, then checks the copy in full and reads its facts.
   * Aborting `signal` stops the work at once (the caller removes `target`).
   */
  compactCopy(
    source: string,
    target: string,
    position: LdbPositionSpec,
    signal?: AbortSignal,
  ): Promise<LdbFacts>;
  /** Checks a file and reads its position; never throws for a damaged file, it says why. */
  inspect(path: string, position: LdbPositionSpec, options: InspectOptions): Promise<InspectResult>;
}
