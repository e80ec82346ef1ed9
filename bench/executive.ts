/**
 * `npm run bench -- executive [repetitions]`: mutations per second through the executive (HTTP,
 * in-process server, MariaDB ctldb, one sequential client) for batches of 1, 100 and 1000 rows,
 * next to the same rows written by plain multi-row INSERT … ON DUPLICATE KEY UPDATE through mysql2
 * in the same run. Prints a table, then as the last line one JSON object.
 */
import { unlimited } from '../services/executive/limits/limiter.ts';
import { measureExecutive } from './_executive-harness.ts';

const repetitions = Number(process.argv[2] ?? '5');
const perRep: Record<number, number> = { 1: 300, 100: 5_000, 1000: 20_000 };

const results = await measureExecutive(unlimited, {
  batchSizes: [1, 100, 1000],
  repetitions,
  mutationsPerRep: (batchSize) => perRep[batchSize] ?? batchSize * 10,
});

const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(10);
console.log(
  `executive vs plain INSERT … ON DUPLICATE KEY UPDATE (MariaDB, median of ${repetitions} repetitions)`,
);
console.log('batch | executive mut/s | plain insert mut/s | executive/plain');
for (const r of results)
  console.log(
    `${String(r.batchSize).padStart(5)} | ${fmt(r.executive)}      | ${fmt(r.plainInsert)}         | ${r.ratio.toFixed(2)}`,
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
    })),
  }),
);
