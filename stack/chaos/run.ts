/**
 * One chaos run: the seeded workload on the origin while the seeded fault schedule strikes,
 * invariants watched throughout (LDBs a prefix of the ledger, readers never seeing part of an
 * origin transaction), then quiescing and the final checks.
 */
import type { Fleet } from '../fleet/description.ts';
import { checkLedgerEffects, checkLogsAndDeadLetters, compareAll, logOffsets } from './checks.ts';
import { Ctldb } from './ctldb.ts';
import { injectFault, planFaults, type FaultKind, type FaultRecord } from './faults.ts';
import { LdbWatcher } from './ldb-watch.ts';
import { ReaderProbes } from './reader-probes.ts';
import { LedgerLog } from './replay.ts';
import { Rng } from './rng.ts';
import { checkSnapshots } from './snapshot-check.ts';
import type { ManualRecovery, Supervisor } from './supervise.ts';
import type { CommittedTx, WorkloadCounts } from './truth.ts';
import { Workload } from './workload.ts';

export interface RunOptions {
  readonly seed: string;
  readonly workloadMs: number;
  /** Origin transactions per second. */
  readonly rate: number;
  readonly faults: number;
  /** The fault kinds to pick from (all when absent). */
  readonly kinds?: readonly FaultKind[];
  readonly convergeTimeoutMs: number;
}

export interface RunResult {
  readonly seed: string;
  readonly violations: string[];
  readonly faults: FaultRecord[];
  readonly counts: WorkloadCounts;
  /** From the end of the workload and of the last fault's restart, whichever is later, to convergence. */
  readonly convergeMs: number | null;
  readonly recoveries: ManualRecovery[];
  readonly ledgerEntries: number;
  readonly ldbChecks: number;
  readonly readerReads: number;
  readonly snapshotsChecked: number;
  readonly committed: CommittedTx[];
  readonly logOffsets: Map<string, number>;
  readonly wallMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until origin, ctldb and every LDB agree; returns the last differences (empty: converged). */
export async function waitConverged(fleet: Fleet, ctldb: Ctldb, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let problems: string[] = ['not checked yet'];
  while (Date.now() < deadline) {
    try {
      problems = await compareAll(fleet, ctldb);
    } catch (err) {
      problems = [`comparison failed: ${String(err)}`];
    }
    if (problems.length === 0) return [];
    await sleep(2000);
  }
  return problems;
}

async function runFaults(
  fleet: Fleet,
  options: RunOptions,
  supervisor: Supervisor,
  say: (line: string) => void,
  startedAt: number,
): Promise<FaultRecord[]> {
  const plan = planFaults(
    new Rng(options.seed).fork('faults'),
    fleet,
    options.workloadMs,
    options.faults,
    options.kinds,
  );
  const records: FaultRecord[] = [];
  for (const fault of plan) {
    const wait = startedAt + fault.atMs - Date.now();
    if (wait > 0) await sleep(wait);
    say(`  fault: ${fault.kind}${fault.member === undefined ? '' : ` ${fault.member}`}`);
    const record = await injectFault(fleet, fault, {
      log: say,
      hold: (id, held) => supervisor.hold(id, held),
    });
    if (record.error !== undefined) say(`  fault ${fault.kind} failed: ${record.error}`);
    records.push(record);
  }
  return records;
}

export async function chaosRun(
  fleet: Fleet,
  supervisor: Supervisor,
  options: RunOptions,
  say: (line: string) => void,
): Promise<RunResult> {
  const began = Date.now();
  const ctldb = new Ctldb(fleet);
  const violations: string[] = [];
  const recoveriesBefore = supervisor.recoveries.length;
  const committed: CommittedTx[] = [];
  try {
    const unsettled = await waitConverged(fleet, ctldb, options.convergeTimeoutMs);
    if (unsettled.length > 0)
      throw new Error(`the fleet did not converge before the run: ${unsettled.join('; ')}`);
    const base = await ctldb.state();
    const log = new LedgerLog(fleet.source.family, base.head, base.tables);
    const offsets = logOffsets(fleet);
    const rng = new Rng(options.seed);
    const workload = new Workload(fleet, {
      rng: rng.fork('workload'),
      rate: options.rate,
      durationMs: options.workloadMs,
      addColumn: rng.fork('schema').chance(0.5),
      onCommit: (tx) => committed.push(tx),
      log: say,
    });
    const probes = new ReaderProbes(fleet, 50);
    const watcher = new LdbWatcher(fleet, log, ctldb);
    const watching = setInterval(() => void watcher.checkAll(), 4000);
    const stop = new AbortController();
    const startedAt = Date.now();
    let faults: FaultRecord[] = [];
    try {
      [, faults] = await Promise.all([
        workload.run(stop.signal),
        runFaults(fleet, options, supervisor, say, startedAt),
      ]);
    } finally {
      stop.abort();
    }
    const quietFrom = Date.now();
    const unconverged = await waitConverged(fleet, ctldb, options.convergeTimeoutMs);
    const convergeMs = unconverged.length === 0 ? Date.now() - quietFrom : null;
    if (unconverged.length > 0)
      violations.push(`did not converge in ${options.convergeTimeoutMs} ms: ${unconverged.join('; ')}`);
    clearInterval(watching);
    await watcher.checkAll();
    watcher.close();
    await probes.stop();
    violations.push(...watcher.violations, ...probes.violations);
    violations.push(...(await log.refresh(ctldb)));
    violations.push(...checkLedgerEffects(log, committed));
    const snapshots = await checkSnapshots(fleet, log, new Set());
    violations.push(...snapshots.violations);
    violations.push(...(await checkLogsAndDeadLetters(fleet, offsets, startedAt)));
    return {
      seed: options.seed,
      violations,
      faults,
      counts: workload.counts,
      convergeMs,
      recoveries: supervisor.recoveries.slice(recoveriesBefore),
      ledgerEntries: log.entries.length,
      ldbChecks: watcher.checks,
      readerReads: probes.reads,
      snapshotsChecked: snapshots.checked,
      committed,
      logOffsets: offsets,
      wallMs: Date.now() - began,
    };
  } finally {
    await ctldb.close();
  }
}
