/**
 * A chaos session: the fleet brought up once (and reused while runs leave it healthy), N seeded
 * runs, a line per run, artifacts for failing runs, and the summary.
 */
import { randomBytes } from 'node:crypto';
import { fleetDown, fleetUp } from '../fleet/control.ts';
import type { Fleet } from '../fleet/description.ts';
import { runLine, saveArtifacts, summarize, type Summary } from './report.ts';
import { chaosRun, type RunOptions, type RunResult } from './run.ts';
import { Supervisor } from './supervise.ts';
import { emptyCounts } from './truth.ts';

export interface SessionOptions extends Omit<RunOptions, 'seed'> {
  readonly runs: number;
  /** The first run's seed; run i > 0 uses `<seed>.<i>`, so any run replays with --seed alone. */
  readonly seed?: string;
  readonly build: boolean;
  readonly keepFleet: boolean;
}

export function runSeed(seed: string, index: number): string {
  return index === 0 ? seed : `${seed}.${index}`;
}

function failedResult(seed: string, err: unknown): RunResult {
  return {
    seed,
    violations: [`run aborted: ${String(err)}`],
    faults: [],
    counts: emptyCounts(),
    convergeMs: null,
    recoveries: [],
    ledgerEntries: 0,
    ldbChecks: 0,
    readerReads: 0,
    snapshotsChecked: 0,
    committed: [],
    logOffsets: new Map(),
    wallMs: 0,
  };
}

export async function chaosSession(
  fleet: Fleet,
  options: SessionOptions,
  say: (line: string) => void,
): Promise<{ summary: Summary; results: RunResult[] }> {
  const began = Date.now();
  const seed = options.seed ?? randomBytes(4).toString('hex');
  say(
    `chaos: ${options.runs} run(s) from seed ${seed}, ${options.workloadMs / 1000} s of workload at ${options.rate} tx/s, ${options.faults} faults each`,
  );
  await fleetUp(fleet, { build: options.build }, say);
  const supervisor = new Supervisor(fleet, (line) => say(`  ${line}`));
  supervisor.start();
  const results: RunResult[] = [];
  try {
    for (let i = 0; i < options.runs; i++) {
      const runOptions: RunOptions = { ...options, seed: runSeed(seed, i) };
      const result = await chaosRun(fleet, supervisor, runOptions, (line) => say(line)).catch(
        (err: unknown) => failedResult(runOptions.seed, err),
      );
      results.push(result);
      say(runLine(i, result));
      if (result.violations.length > 0) {
        for (const v of result.violations.slice(0, 8)) say(`  violation: ${v}`);
        say(`  saved to ${saveArtifacts(fleet, result, runOptions)}`);
      }
    }
  } finally {
    supervisor.stop();
    if (!options.keepFleet) await fleetDown(fleet, { stack: true }, say);
  }
  return { summary: summarize(results, supervisor.selfExits, Date.now() - began), results };
}
