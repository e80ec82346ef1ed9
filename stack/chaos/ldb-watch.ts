/**
 * "LDBs are always a prefix of the ledger", checked while the run goes: every few seconds each
 * LDB (the reflectors' and the supervisors' private ones) is read at its seq and compared with
 * the ledger replayed to that seq. An LDB must stand on a batch end, never ahead of the ledger,
 * and hold exactly the replayed rows.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openLdb, type LdbReader } from '../../lib/reader/ldb-reader.ts';
import { memberDir, type Fleet } from '../fleet/description.ts';
import type { Ctldb } from './ctldb.ts';
import { readLdbState } from './ldb-state.ts';
import { ReplayCursor, type LedgerLog } from './replay.ts';
import { diffTables } from './tables.ts';
import { CHAOS_TABLES } from './truth.ts';

export interface WatchedLdb {
  readonly id: string;
  readonly path: string;
}

export function fleetLdbs(fleet: Fleet): WatchedLdb[] {
  return [...fleet.reflectors, ...fleet.supervisors].map((m) => ({
    id: m.id,
    path: join(memberDir(fleet, m.id), 'ldb.db'),
  }));
}

interface Watched extends WatchedLdb {
  reader: LdbReader | undefined;
  readonly cursor: ReplayCursor;
  lastSeq: number;
}

export class LdbWatcher {
  readonly violations: string[] = [];
  checks = 0;
  readonly #log: LedgerLog;
  readonly #ctldb: Ctldb;
  readonly #family: string;
  readonly #ldbs: Watched[];
  #checking: Promise<void> | null = null;

  constructor(fleet: Fleet, log: LedgerLog, ctldb: Ctldb) {
    this.#log = log;
    this.#ctldb = ctldb;
    this.#family = fleet.source.family;
    this.#ldbs = fleetLdbs(fleet).map((l) => ({
      ...l,
      reader: undefined,
      cursor: new ReplayCursor(log),
      lastSeq: 0,
    }));
  }

  #violation(text: string): void {
    if (this.violations.length < 50) this.violations.push(text);
  }

  /**
   * Checks every LDB once; ctldb being down only postpones the check. A call while a check runs
   * (a timer tick during a ctldb restart) joins it instead of starting another.
   */
  checkAll(): Promise<void> {
    this.#checking ??= this.#checkAll().finally(() => (this.#checking = null));
    return this.#checking;
  }

  async #checkAll(): Promise<void> {
    try {
      for (const problem of await this.#log.refresh(this.#ctldb)) this.#violation(problem);
    } catch {
      return;
    }
    for (const ldb of this.#ldbs) await this.#check(ldb);
  }

  async #check(ldb: Watched): Promise<void> {
    if (!existsSync(ldb.path)) return;
    ldb.reader ??= openLdb(ldb.path, { replaceCheckMs: 0 });
    const state = readLdbState(ldb.reader, this.#family);
    if (state === undefined) return;
    if (state.seq < ldb.lastSeq)
      this.#violation(`${ldb.id}: seq went back from ${ldb.lastSeq} to ${state.seq}`);
    ldb.lastSeq = state.seq;
    if (state.seq > this.#log.head) {
      await this.#log.refresh(this.#ctldb).catch(() => []);
      if (state.seq > this.#log.head) {
        this.#violation(`${ldb.id}: LDB at seq ${state.seq} is ahead of the ledger head ${this.#log.head}`);
        return;
      }
    }
    if (!this.#log.isBatchEnd(state.seq))
      this.#violation(`${ldb.id}: LDB stands inside a batch at seq ${state.seq}`);
    const expected = ldb.cursor.stateAt(state.seq);
    if (expected === undefined) return;
    this.checks++;
    for (const table of CHAOS_TABLES) {
      const diff = diffTables(expected[table], state.tables[table], 3);
      if (diff.length > 0)
        this.#violation(
          `${ldb.id} at seq ${state.seq}, ${table} differs from the ledger: ${diff.join('; ')}`,
        );
    }
  }

  close(): void {
    for (const ldb of this.#ldbs) ldb.reader?.close();
  }
}
