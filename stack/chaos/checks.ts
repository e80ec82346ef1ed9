/**
 * The invariants checked once a run has quiesced:
 *
 * - ctldb equals the origin row for row, and every LDB equals ctldb (`compareAll`, also the
 *   convergence test);
 * - the ledger holds exactly one effect per origin change per key, in origin order
 *   (`checkLedgerEffects`);
 * - no dead letters and no ledger gap (`checkLogsAndDeadLetters`).
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { BullmqDeadLetterStore } from '../../lib/dead-letters/bullmq-dead-letter-adapter.ts';
import { openLdb } from '../../lib/reader/ldb-reader.ts';
import type { Fleet } from '../fleet/description.ts';
import { fleetMembers } from '../fleet/members.ts';
import { logFile } from '../fleet/processes.ts';
import { originState, type Ctldb, type TablesState } from './ctldb.ts';
import { readLdbState } from './ldb-state.ts';
import { fleetLdbs } from './ldb-watch.ts';
import type { LedgerLog } from './replay.ts';
import { diffTables } from './tables.ts';
import { CHAOS_TABLES, KEY_FIELDS, keyString, type CommittedTx, type Effect } from './truth.ts';

function diffAll(label: string, expected: TablesState, actual: TablesState): string[] {
  return CHAOS_TABLES.flatMap((table) => {
    const diff = diffTables(expected[table], actual[table], 3);
    return diff.length === 0 ? [] : [`${label}, ${table}: ${diff.join('; ')}`];
  });
}

/** Differences between origin and ctldb, and between ctldb and each LDB; empty once converged. */
export async function compareAll(fleet: Fleet, ctldb: Ctldb): Promise<string[]> {
  const central = await ctldb.state();
  const origin = await originState(fleet, central.types);
  const problems = diffAll('ctldb vs origin', origin, central.tables);
  for (const ldb of fleetLdbs(fleet)) {
    if (!existsSync(ldb.path)) {
      problems.push(`${ldb.id}: no LDB`);
      continue;
    }
    const reader = openLdb(ldb.path);
    try {
      const state = readLdbState(reader, fleet.source.family);
      if (state === undefined) problems.push(`${ldb.id}: LDB kept changing while read`);
      else problems.push(...diffAll(`${ldb.id} (seq ${state.seq}) vs ctldb`, central.tables, state.tables));
    } finally {
      reader.close();
    }
  }
  return problems;
}

const effectText = (e: Pick<Effect, 'op' | 'ver'>) =>
  e.op === 'delete' ? 'delete' : `upsert ${e.ver ?? 'null'}`;

function groupByKey(effects: Iterable<Effect>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of effects) {
    const id = `${e.table}:${e.key}`;
    out.set(id, [...(out.get(id) ?? []), effectText(e)]);
  }
  return out;
}

function* ledgerEffects(log: LedgerLog): Generator<Effect> {
  for (const entry of log.entries) {
    const table = log.tableOf(entry);
    if (table === undefined) continue;
    if (entry.op === 'upsert') {
      const values = entry.payload.values;
      yield {
        table,
        key: keyString(KEY_FIELDS[table].map((f) => values[f] ?? '')),
        op: 'upsert',
        ver: values.ver ?? null,
      };
    } else if (entry.op === 'delete') {
      const key = entry.payload.key;
      yield { table, key: keyString(KEY_FIELDS[table].map((f) => key[f] ?? '')), op: 'delete', ver: null };
    }
  }
}

/** Per key, the ledger's effects since the run began must be the origin's changes, in order. */
export function checkLedgerEffects(log: LedgerLog, committed: readonly CommittedTx[]): string[] {
  const truth = groupByKey(committed.flatMap((tx) => tx.effects));
  const ledger = groupByKey(ledgerEffects(log));
  const problems: string[] = [];
  for (const [key, want] of truth) {
    const got = ledger.get(key) ?? [];
    if (want.join() !== got.join())
      problems.push(
        `ledger ${key}: origin ${want.slice(-4).join(', ')} (${want.length}), ledger ${got.slice(-4).join(', ')} (${got.length})`,
      );
  }
  for (const [key, got] of ledger)
    if (!truth.has(key))
      problems.push(
        `ledger ${key}: ${got.length} effect(s) no origin change made: ${got.slice(0, 3).join(', ')}`,
      );
  return problems
    .slice(0, 20)
    .concat(problems.length > 20 ? [`… and ${problems.length - 20} more keys`] : []);
}

/** Byte length of every member's log, to scan only what a run appended. */
export function logOffsets(fleet: Fleet): Map<string, number> {
  return new Map(
    fleetMembers(fleet).map((m) => {
      const file = logFile(fleet, m.id);
      return [m.id, existsSync(file) ? statSync(file).size : 0];
    }),
  );
}

function readFrom(file: string, offset: number): string {
  if (!existsSync(file)) return '';
  const size = statSync(file).size;
  if (size <= offset) return '';
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(size - offset);
    readSync(fd, buffer, 0, buffer.length, offset);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** What the services' logs say that must never happen: gaps, dead letters, halted partitions. */
const FORBIDDEN = [/LEDGER_GAP/, /"msg":"dead letter"/, /"msg":"partition halted"/];

export async function checkLogsAndDeadLetters(
  fleet: Fleet,
  offsets: Map<string, number>,
  sinceMs: number,
): Promise<string[]> {
  const problems: string[] = [];
  for (const member of fleetMembers(fleet)) {
    const text = readFrom(logFile(fleet, member.id), offsets.get(member.id) ?? 0);
    for (const line of text.split('\n'))
      if (FORBIDDEN.some((re) => re.test(line))) problems.push(`${member.id} log: ${line.slice(0, 400)}`);
  }
  const store = new BullmqDeadLetterStore({ redisUrl: fleet.stack.redisUrl });
  try {
    const letters = (await store.list()).filter((l) => l.atMs >= sinceMs);
    for (const l of letters.slice(0, 5))
      problems.push(`dead letter ${l.id}: ${l.code} ${l.reason.slice(0, 200)}`);
  } finally {
    await store.close();
  }
  return problems.slice(0, 20);
}
