/**
 * `npm run bench -- executive [repetitions]`: mutations per second through the executive (HTTP,
 * in-process server, MariaDB ctldb, one sequential client) for batches of 1, 100 and 1000 rows,
 * next to the same rows written by plain multi-row INSERT … ON DUPLICATE KEY UPDATE through mysql2
 * in the same run, and again with the Redis limiter on (one admit script per request; limits set
 * far above the load, so this is the cost of checking), rounds alternating limits on and off.
 * Also times the admit check on its own. Prints a table, then as the last line one JSON object.
 */
import { unlimited } from '../services/executive/limits/limiter.ts';
import { measureExecutive, type Measurement } from './_executive-harness.ts';
import { createBenchLimiter, measureChecks, type CheckLatency } from './_limits-bench.ts';

const repetitions = Number(process.argv[2] ?? '5');
const perRep: Record<number, number> = { 1: 300, 100: 5_000, 1000: 20_000 };
const options = {
  batchSizes: [1, 100, 1000],
  repetitions,
  mutationsPerRep: (batchSize: number) => perRep[batchSize] ?? batchSize * 10,
};

// The machine is shared and noisy: limits on and off alternate round by round (one repetition
// each, the order flipped every round) and the medians are compared, so drift hits both alike.
const bench = await createBenchLimiter();
const rounds: { on: Measurement[]; off: Measurement[] }[] = [];
let checks: CheckLatency;
try {
  for (let round = 0; round < repetitions; round++) {
    const single = { ...options, repetitions: 1 };
    const first = await measureExecutive(round % 2 === 0 ? bench.limiter : unlimited, single);
    const second = await measureExecutive(round % 2 === 0 ? unlimited : bench.limiter, single);
    rounds.push(round % 2 === 0 ? { on: first, off: second } : { on: second, off: first });
  }
  checks = await measureChecks(bench.limiter, 5_000);
} finally {
  await bench.close();
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};
const at = (ms: readonly Measurement[], batchSize: number) => ms.find((m) => m.batchSize === batchSize);
const results = options.batchSizes.map((batchSize) => {
  const executive = median(rounds.map((r) => at(r.off, batchSize)?.executive ?? NaN));
  const plainInsert = median(
    rounds.flatMap((r) => [r.on, r.off].map((ms) => at(ms, batchSize)?.plainInsert ?? NaN)),
  );
  const limitsOn = median(rounds.map((r) => at(r.on, batchSize)?.executive ?? NaN));
  return { batchSize, executive, plainInsert, ratio: executive / plainInsert, limitsOn };
});
const overhead = (r: (typeof results)[number]) => (1 - r.limitsOn / r.executive) * 100;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(10);
console.log(
  `executive vs plain INSERT … ON DUPLICATE KEY UPDATE, limits off vs on (MariaDB, median of ${repetitions} alternating rounds)`,
);
console.log(
  'batch | executive mut/s | plain insert mut/s | executive/plain | limits on mut/s | limiter cost',
);
for (const r of results)
  console.log(
    `${String(r.batchSize).padStart(5)} | ${fmt(r.executive)}      | ${fmt(r.plainInsert)}         | ${r.ratio.toFixed(2).padStart(15)} | ${fmt(r.limitsOn)}      | ${overhead(r).toFixed(1).padStart(10)}%`,
  );
console.log(
  `admit check alone (Redis script, writer + table + quota): mean ${checks.meanMicros.toFixed(0)} µs, p50 ${checks.p50Micros.toFixed(0)} µs, p99 ${checks.p99Micros.toFixed(0)} µs, ${fmt(checks.checksPerSecond).trim()} checks/s sequential`,
);
console.log(
  JSON.stringify({
    bench: 'executive',
    repetitions,
    results: results.map((r) => ({
      batchSize: r.batchSize,
      executiveMutationsPerSecond: Math.round(r.executive),
      plainInsertMutationsPerSecond: Math.round(r.plainInsert),
      ratio: Number(r.ratio.toFixed(3)),
      limitsOnMutationsPerSecond: Math.round(r.limitsOn),
      limiterOverheadPercent: Number(overhead(r).toFixed(1)),
    })),
    limiterCheck: {
      meanMicros: Math.round(checks.meanMicros),
      p50Micros: Math.round(checks.p50Micros),
      p99Micros: Math.round(checks.p99Micros),
      checksPerSecond: Math.round(checks.checksPerSecond),
    },
  }),
);
