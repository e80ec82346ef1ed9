/**
 * What a chaos session prints: one line per run, the final JSON summary, and for a failing run
 * a folder (.artifacts/chaos/<seed>/) with the seed, the fault log, the violations, what the
 * origin committed, and the services' and stack's logs from the run.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, stackEnv, type Fleet } from '../fleet/description.ts';
import { fleetMembers } from '../fleet/members.ts';
import { logFile } from '../fleet/processes.ts';
import { FAULT_KINDS } from './faults.ts';
import type { RunResult } from './run.ts';
import { percentile } from './stats.ts';
import type { ManualRecovery } from './supervise.ts';

export const ARTIFACTS_DIR = join(REPO_ROOT, '.artifacts/chaos');

export function runLine(index: number, r: RunResult): string {
  const faults = r.faults.map((f) => (f.member === undefined ? f.kind : `${f.kind}:${f.member}`)).join(',');
  const verdict = r.violations.length === 0 ? 'ok' : `FAIL (${r.violations.length} violations)`;
  return (
    `run ${index + 1} seed=${r.seed} ${verdict} tx=${r.counts.committed} changes=${r.counts.changes} ` +
    `rolledBack=${r.counts.rolledBack} ambiguous=${r.counts.ambiguous} faults=[${faults}] ` +
    `converge=${r.convergeMs === null ? '-' : `${(r.convergeMs / 1000).toFixed(1)}s`} recoveries=${r.recoveries.length} ` +
    `ldbChecks=${r.ldbChecks} reads=${r.readerReads} snapshots=${r.snapshotsChecked} wall=${Math.round(r.wallMs / 1000)}s`
  );
}

export interface Summary {
  readonly runs: number;
  readonly passed: number;
  readonly failedSeeds: string[];
  readonly faults: Record<string, number>;
  readonly faultsFailedToInject: number;
  readonly transactions: number;
  readonly changes: number;
  readonly rolledBack: number;
  readonly ambiguousCommits: number;
  readonly violations: number;
  readonly firstViolations: string[];
  readonly manualRecoveries: number;
  readonly manualRecoveryList: ManualRecovery[];
  readonly selfExits: Record<string, number>;
  readonly convergenceMs: { p50: number | null; p99: number | null; max: number | null };
  readonly wallMinutes: number;
}

export function summarize(
  results: readonly RunResult[],
  selfExits: Record<string, number>,
  wallMs: number,
): Summary {
  const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<string, number>;
  for (const r of results) for (const f of r.faults) faults[f.kind] = (faults[f.kind] ?? 0) + 1;
  const converge = results
    .flatMap((r) => (r.convergeMs === null ? [] : [r.convergeMs]))
    .sort((a, b) => a - b);
  const sum = (f: (r: RunResult) => number) => results.reduce((n, r) => n + f(r), 0);
  const recoveries = results.flatMap((r) => r.recoveries);
  return {
    runs: results.length,
    passed: results.filter((r) => r.violations.length === 0).length,
    failedSeeds: results.filter((r) => r.violations.length > 0).map((r) => r.seed),
    faults,
    faultsFailedToInject: sum((r) => r.faults.filter((f) => f.error !== undefined).length),
    transactions: sum((r) => r.counts.committed),
    changes: sum((r) => r.counts.changes),
    rolledBack: sum((r) => r.counts.rolledBack),
    ambiguousCommits: sum((r) => r.counts.ambiguous),
    violations: sum((r) => r.violations.length),
    firstViolations: results.flatMap((r) => r.violations.map((v) => `${r.seed}: ${v}`)).slice(0, 10),
    manualRecoveries: recoveries.length,
    manualRecoveryList: recoveries,
    selfExits,
    convergenceMs: {
      p50: percentile(converge, 50),
      p99: percentile(converge, 99),
      max: converge.at(-1) ?? null,
    },
    wallMinutes: Math.round(wallMs / 600) / 100,
  };
}

function tailFrom(file: string, offset: number, maxBytes: number): Buffer {
  const bytes = readFileSync(file);
  const start = Math.max(offset, bytes.length - maxBytes);
  return bytes.subarray(Math.min(start, bytes.length));
}

/** Saves a failing run under .artifacts/chaos/<seed>/ and returns the folder. */
export function saveArtifacts(fleet: Fleet, r: RunResult, options: unknown): string {
  const dir = join(ARTIFACTS_DIR, r.seed.replace(/[^A-Za-z0-9._-]/g, '_'));
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const { committed, logOffsets, ...rest } = r;
  writeFileSync(
    join(dir, 'run.json'),
    `${JSON.stringify({ replay: `npm run chaos -- --seed ${r.seed}`, options, ...rest }, null, 2)}\n`,
  );
  writeFileSync(join(dir, 'committed.ndjson'), committed.map((tx) => JSON.stringify(tx)).join('\n'));
  for (const member of fleetMembers(fleet)) {
    const file = logFile(fleet, member.id);
    if (existsSync(file))
      writeFileSync(
        join(dir, 'logs', `${member.id}.log`),
        tailFrom(file, logOffsets.get(member.id) ?? 0, 20 << 20),
      );
  }
  const stackLogs = join(stackEnv(fleet).CUTTLE_STACK_DIR ?? '', 'logs');
  if (existsSync(stackLogs))
    for (const name of readdirSync(stackLogs)) {
      const file = join(stackLogs, name);
      if (statSync(file).isFile()) {
        if (statSync(file).size < 4 << 20) copyFileSync(file, join(dir, 'logs', `stack-${name}`));
        else writeFileSync(join(dir, 'logs', `stack-${name}`), tailFrom(file, 0, 4 << 20));
      }
    }
  return dir;
}
