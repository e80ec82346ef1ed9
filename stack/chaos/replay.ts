/**
 * The ledger since a run began, and replays of it: the state every LDB and snapshot must equal
 * at its seq is the run's starting state (ctldb, read at a converged point) plus the ledger's
 * entries up to that seq.
 */
import type { LedgerEntry } from '../../lib/ledger/entry.ts';
import type { Ctldb, TablesState } from './ctldb.ts';
import { rowKey, type NormalRow } from './tables.ts';
import { CHAOS_TABLES, KEY_FIELDS, keyString, type ChaosTable } from './truth.ts';

export class LedgerLog {
  readonly baseSeq: number;
  readonly base: TablesState;
  readonly family: string;
  readonly entries: LedgerEntry[] = [];
  /** Refreshes run one after another (see refresh). */
  #refreshed: Promise<unknown> = Promise.resolve();

  constructor(family: string, baseSeq: number, base: TablesState) {
    this.family = family;
    this.baseSeq = baseSeq;
    this.base = base;
  }

  get head(): number {
    return this.entries.at(-1)?.seq ?? this.baseSeq;
  }

  /**
   * Reads what ctldb appended since the last call; a hole in seq is a violation. Calls are
   * serialised: two overlapping reads from the same head (a watcher's tick while ctldb restarts,
   * and a check) would append the same entries twice, which then reads as a hole in the ledger.
   */
  refresh(ctldb: Pick<Ctldb, 'entriesAfter'>): Promise<string[]> {
    const run = this.#refreshed.then(() => this.#refresh(ctldb));
    this.#refreshed = run.catch(() => undefined);
    return run;
  }

  async #refresh(ctldb: Pick<Ctldb, 'entriesAfter'>): Promise<string[]> {
    const problems: string[] = [];
    for (;;) {
      const more = await ctldb.entriesAfter(this.head);
      for (const entry of more) {
        if (entry.seq !== this.head + 1)
          problems.push(`ledger seq ${entry.seq} follows ${this.head}: a hole`);
        this.entries.push(entry);
      }
      if (more.length < 5000) return problems;
    }
  }

  entryAt(seq: number): LedgerEntry | undefined {
    return this.entries[seq - this.baseSeq - 1];
  }

  /** True when `seq` ends a batch (an LDB or snapshot may only stand there). */
  isBatchEnd(seq: number): boolean {
    return seq === this.baseSeq || this.entryAt(seq)?.batchEnd === true;
  }

  /** Whether the entry changes one of the chaos tables, and which. */
  tableOf(entry: LedgerEntry): ChaosTable | undefined {
    if (entry.family !== this.family) return undefined;
    return (CHAOS_TABLES as readonly string[]).includes(entry.table)
      ? (entry.table as ChaosTable)
      : undefined;
  }
}

function copyState(state: TablesState): TablesState {
  const out = {} as TablesState;
  for (const table of CHAOS_TABLES) out[table] = new Map(state[table]);
  return out;
}

/** Replays the log forward to any seq; going back starts again from the base. */
export class ReplayCursor {
  readonly #log: LedgerLog;
  #state: TablesState;
  #seq: number;

  constructor(log: LedgerLog) {
    this.#log = log;
    this.#state = copyState(log.base);
    this.#seq = log.baseSeq;
  }

  /** The state at `seq`, or undefined when the log does not cover it (before the base or beyond the head). */
  stateAt(seq: number): TablesState | undefined {
    if (seq < this.#log.baseSeq || seq > this.#log.head) return undefined;
    if (seq < this.#seq) {
      this.#state = copyState(this.#log.base);
      this.#seq = this.#log.baseSeq;
    }
    while (this.#seq < seq) {
      this.#seq++;
      const entry = this.#log.entryAt(this.#seq);
      if (entry !== undefined) this.#apply(entry);
    }
    return this.#state;
  }

  #apply(entry: LedgerEntry): void {
    const table = this.#log.tableOf(entry);
    if (table === undefined) return;
    const rows = this.#state[table];
    switch (entry.op) {
      case 'upsert': {
        const row: NormalRow = { ...entry.payload.values };
        rows.set(rowKey(table, row), row);
        return;
      }
      case 'delete':
        rows.delete(keyString(KEY_FIELDS[table].map((f) => entry.payload.key[f] ?? '')));
        return;
      case 'clear_table':
      case 'drop_table':
        rows.clear();
        return;
      default:
        return;
    }
  }
}
