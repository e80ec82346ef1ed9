/**
 * The reader library: what consumer services import to read an LDB in-process.
 *
 * Reads are synchronous and take microseconds: one prepared SQLite statement per call, each its
 * own short read transaction, so a reader never holds a snapshot that would block WAL
 * checkpoints, and (WAL mode) never blocks the reflector nor is blocked by it. The connection is
 * read-only (`query_only`), and any number of processes may read one LDB at once.
 *
 * See README.md in this folder for an example.
 */
import { statSync } from 'node:fs';
import { CuttleError } from '../errors.ts';
import { SELECT_CURRENT_SCHEMA_SQL, catalogEntryFromRow, readCatalog } from '../ldb/catalog.ts';
import {
  LDB_LAYOUT_VERSION,
  POSITION_TABLE,
  SELECT_POSITION_SQL,
  positionFromRow,
  stalenessSeconds,
  type LdbPosition,
} from '../ldb/layout.ts';
import { openSqlite } from '../ldb/sqlite-adapter.ts';
import type { SqliteDb, SqliteStatement } from '../ldb/sqlite-port.ts';
import { sleep } from '../lifecycle.ts';
import type { TableSchema } from '../schema/types.ts';
import type { Row } from '../schema/values.ts';
import { keyParams, type KeyInput } from './key.ts';
import { TableStatements } from './table-statements.ts';

export type { LdbPosition } from '../ldb/layout.ts';
export type { Row, Value } from '../schema/values.ts';
export type { KeyInput, KeyValue } from './key.ts';

/** Options of {@link openLdb}. */
export interface OpenLdbOptions {
  /**
   * Check at most this often (ms) whether the file at the path was replaced (a bootstrap renames
   * a new LDB over it); if so, reopen. @defaultValue 1000
   */
  readonly replaceCheckMs?: number;
  /** SQLite page cache of this connection, in KiB. @defaultValue 32768 */
  readonly cacheSizeKiB?: number;
  /** Bytes of the file to memory-map (0: off). @defaultValue 268435456 */
  readonly mmapBytes?: number;
  /** Clock for staleness, ms since the epoch. @defaultValue Date.now */
  readonly clock?: () => number;
}

/** Options of {@link LdbReader.rowsByPrefix}. */
export interface RowsByPrefixOptions {
  /** At most this many rows. @defaultValue unlimited */
  readonly limit?: number;
  /** Only rows whose full key sorts after this key (paging: pass the last row's key). */
  readonly after?: KeyInput;
}

interface Connection {
  readonly db: SqliteDb;
  readonly inode: number;
  readonly device: number;
  readonly position: SqliteStatement;
  readonly version: SqliteStatement<bigint>;
  readonly tables: Map<string, Map<string, TableStatements>>;
}

function connect(path: string, options: OpenLdbOptions): Connection {
  const stat = statFile(path);
  if (stat === null) {
    throw new CuttleError('NOT_FOUND', `no LDB at ${path}`, { details: { path }, retriable: true });
  }
  const db = openSqlite(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('query_only = 1');
    db.pragma(`cache_size = -${options.cacheSizeKiB ?? 32768}`);
    db.pragma(`mmap_size = ${options.mmapBytes ?? 268435456}`);
    const layout = Number(db.pragma('user_version', { simple: true }));
    if (layout !== LDB_LAYOUT_VERSION) {
      throw new CuttleError(
        'NOT_FOUND',
        `${path} is not an LDB of layout ${LDB_LAYOUT_VERSION} (found ${layout})`,
        {
          details: { path, layout },
        },
      );
    }
    return {
      db,
      inode: stat.ino,
      device: stat.dev,
      position: db.prepare(SELECT_POSITION_SQL),
      version: db
        .prepare<bigint>(`SELECT catalog_version FROM ${POSITION_TABLE} WHERE id = 1`)
        .pluck()
        .safeIntegers(true),
      tables: new Map(),
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

function statFile(path: string): { ino: number; dev: number } | null {
  try {
    const s = statSync(path);
    return { ino: s.ino, dev: s.dev };
  } catch {
    return null;
  }
}

/** Opens the LDB at `path` read-only. Throws NOT_FOUND when there is no LDB there yet. */
export function openLdb(path: string, options: OpenLdbOptions = {}): LdbReader {
  return new LdbReader(path, options);
}

/** A read-only view of one LDB. Create with {@link openLdb}. Not shared between threads. */
export class LdbReader {
  /** The path the LDB was opened from. */
  readonly path: string;
  readonly #options: OpenLdbOptions;
  readonly #clock: () => number;
  readonly #replaceCheckMs: number;
  #conn: Connection;
  #nextReplaceCheck: number;
  #reopens = 0;

  constructor(path: string, options: OpenLdbOptions = {}) {
    this.path = path;
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
    this.#replaceCheckMs = options.replaceCheckMs ?? 1000;
    this.#conn = connect(path, options);
    this.#nextReplaceCheck = Date.now() + this.#replaceCheckMs;
  }

  /**
   * The row with this full key, typed (integers as bigint, decimals as canonical strings, bytes
   * as Buffer, text as string), or undefined. Throws TABLE_NOT_FOUND, INVALID_KEY or
   * MISSING_KEY_FIELD.
   *
   * @param key - every key field: `[1n, 'eu']` in key order or `{ id: 1n, region: 'eu' }`.
   */
  getRow(family: string, table: string, key: KeyInput): Row | undefined {
    // The hot path, written out: one cached-statement lookup, one SQLite call.
    this.#checkReplaced();
    const statements = this.#statements(family, table);
    try {
      const row = statements.get.get(...statements.fullKeyParams(key));
      if (row !== undefined || !this.#outdated(statements)) return row;
    } catch (err) {
      if (!this.#outdated(statements)) throw err;
    }
    this.#forget(family, table);
    const fresh = this.#statements(family, table);
    return fresh.get.get(...fresh.fullKeyParams(key));
  }

  /**
   * Rows whose leading key fields equal `prefix`, in key order (byte order for strings and
   * bytes, numeric for integers). An empty prefix reads the whole table; use `limit` and
   * `after` to page through it.
   */
  rowsByPrefix(family: string, table: string, prefix: KeyInput, options: RowsByPrefixOptions = {}): Row[] {
    const rows = this.#lookup(family, table, (statements) => {
      const { keyDefs, schema } = statements;
      const params = keyParams(prefix, keyDefs, schema, false);
      const after = options.after === undefined ? [] : keyParams(options.after, keyDefs, schema, true);
      const statement = statements.prefix(params.length, options.after !== undefined);
      const found = statement.all(...params, ...after, statements.version, options.limit ?? -1);
      return found.length === 0 ? undefined : found;
    });
    return rows ?? [];
  }

  /** The LDB's position: seq, commit time of the last applied entry and heartbeat, catalog version. */
  position(): LdbPosition {
    this.#checkReplaced();
    return positionFromRow(this.#conn.position.get());
  }

  /** The last ledger seq applied to this LDB (0 before the first). */
  lastSeq(): number {
    return this.position().seq;
  }

  /**
   * Seconds since the newest ledger entry (heartbeats included) the LDB has applied was
   * committed; Infinity when it has applied none. The executive writes heartbeats on a schedule,
   * so on a healthy host this stays below the heartbeat interval plus the replication lag.
   */
  staleness(): number {
    return stalenessSeconds(this.position(), this.#clock());
  }

  /** Resolves true once the LDB has applied `seq` (polling every `pollMs`), false on timeout. */
  async waitForSeq(seq: number, timeoutMs: number, pollMs = 5): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.lastSeq() < seq) {
      if (Date.now() >= deadline) return false;
      await sleep(pollMs);
    }
    return true;
  }

  /** The current schema of a table, or undefined. */
  schema(family: string, table: string): TableSchema | undefined {
    const row = this.#conn.db.prepare(SELECT_CURRENT_SCHEMA_SQL).get(family, table);
    return row === undefined ? undefined : catalogEntryFromRow(row).schema;
  }

  /** Every live table's schema. */
  tables(): TableSchema[] {
    return readCatalog(this.#conn.db)
      .filter((entry) => entry.droppedSeq === null)
      .map((entry) => entry.schema);
  }

  /** How many times the reader reopened because the file was replaced. */
  get reopens(): number {
    return this.#reopens;
  }

  close(): void {
    this.#conn.db.close();
  }

  /**
   * Runs `read` with the table's statements. Nothing found, or a key that does not fit, or a
   * failing statement (its table was dropped) may all come from statements prepared for an older
   * catalog: if the catalog version moved, the statements are reloaded and the read is tried once
   * more. A hit needs no check: the guard inside the statement already matched the version.
   */
  #lookup<T>(
    family: string,
    table: string,
    read: (statements: TableStatements) => T | undefined,
  ): T | undefined {
    this.#checkReplaced();
    const statements = this.#statements(family, table);
    try {
      const result = read(statements);
      if (result !== undefined || !this.#outdated(statements)) return result;
    } catch (err) {
      if (!this.#outdated(statements)) throw err;
    }
    this.#forget(family, table);
    return read(this.#statements(family, table));
  }

  #outdated(statements: TableStatements): boolean {
    return (this.#conn.version.get() ?? 0n) !== statements.version;
  }

  #forget(family: string, table: string): void {
    this.#conn.tables.get(family)?.delete(table);
  }

  /** Cached per family, then table: literal names hash once, no string building per call. */
  #statements(family: string, table: string): TableStatements {
    let byTable = this.#conn.tables.get(family);
    const cached = byTable?.get(table);
    if (cached !== undefined) return cached;
    const { db, version } = this.#conn;
    // Schema and version from one snapshot, so the guard matches the schema exactly.
    const loaded = db.transaction(() => {
      const v = version.get() ?? 0n;
      const row = db.prepare(SELECT_CURRENT_SCHEMA_SQL).get(family, table);
      return row === undefined ? undefined : new TableStatements(db, catalogEntryFromRow(row).schema, v);
    })();
    if (loaded === undefined) {
      throw new CuttleError('TABLE_NOT_FOUND', `table ${family}.${table} does not exist in the LDB`, {
        details: { family, table },
      });
    }
    if (byTable === undefined) {
      byTable = new Map();
      this.#conn.tables.set(family, byTable);
    }
    byTable.set(table, loaded);
    return loaded;
  }

  #checkReplaced(): void {
    const now = Date.now();
    if (now < this.#nextReplaceCheck) return;
    this.#nextReplaceCheck = now + this.#replaceCheckMs;
    const stat = statFile(this.path);
    if (stat === null || (stat.ino === this.#conn.inode && stat.dev === this.#conn.device)) return;
    let next: Connection;
    try {
      next = connect(this.path, this.#options);
    } catch {
      return; // Not a usable LDB yet (mid-replacement): keep reading the old file, retry later.
    }
    const old = this.#conn;
    this.#conn = next;
    this.#reopens++;
    old.db.close();
  }
}
