/**
 * `npm run chaos -- [--runs N] [--seed S] [--minutes M] [--rate R] [--faults F] [--kinds K,K]
 *                   [--converge-timeout SECONDS] [--build] [--keep-fleet] [--fleet FILE]`
 * `npm run chaos -- --soak [--minutes 30] [--rate R]`
 *
 * The whole fleet (stack/fleet) under a seeded workload and seeded faults, with invariants
 * checked during and after each run (stack/chaos/README.md). Prints one line per run and a JSON
 * summary; exit 1 when any run broke an invariant. --soak runs the workload without faults and
 * reports memory, file descriptors, growth and latency instead.
 */
import { parseFlags } from '../../lib/config.ts';
import { ensureError } from '../../lib/errors.ts';
import { loadFleet } from '../fleet/description.ts';
import { parseFaultKinds } from './faults.ts';
import { chaosSession } from './session.ts';
import { soak } from './soak.ts';

const KNOWN = [
  '--runs',
  '--seed',
  '--minutes',
  '--rate',
  '--faults',
  '--kinds',
  '--converge-timeout',
  '--build',
  '--keep-fleet',
  '--fleet',
  '--soak',
];

const say = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

function number(flags: Map<string, string>, name: string, fallback: number, min = Number.MIN_VALUE): number {
  const text = flags.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min)
    throw new Error(`${name} must be a number ≥ ${min}, got ${text}`);
  return value;
}

async function main(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(argv);
  const unknown = [...flags.keys()].filter((f) => !KNOWN.includes(f));
  if (unknown.length > 0) throw new Error(`unknown flag(s) ${unknown.join(', ')}; known: ${KNOWN.join(' ')}`);
  const fleet = loadFleet(flags.get('--fleet'));
  const build = flags.get('--build') === 'true';
  const keepFleet = flags.get('--keep-fleet') === 'true';
  if (flags.get('--soak') === 'true') {
    const report = await soak(
      fleet,
      { minutes: number(flags, '--minutes', 30), rate: number(flags, '--rate', 10), build, keepFleet },
      say,
    );
    console.log(JSON.stringify(report, null, 2));
    return report.pass ? 0 : 1;
  }
  const seed = flags.get('--seed');
  const kinds = flags.get('--kinds');
  const { summary } = await chaosSession(
    fleet,
    {
      runs: number(flags, '--runs', 1),
      ...(seed === undefined ? {} : { seed }),
      workloadMs: number(flags, '--minutes', 1) * 60_000,
      rate: number(flags, '--rate', 10),
      faults: Math.round(number(flags, '--faults', 3, 0)),
      ...(kinds === undefined ? {} : { kinds: parseFaultKinds(kinds) }),
      convergeTimeoutMs: number(flags, '--converge-timeout', 240) * 1000,
      build,
      keepFleet,
    },
    say,
  );
  console.log(JSON.stringify(summary, null, 2));
  return summary.passed === summary.runs ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[chaos] ${ensureError(err).message}`);
    process.exit(2);
  },
);
