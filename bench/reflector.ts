/**
 * `npm run bench -- reflector [repetitions]`:
 *   1. entries applied per second: a reflector (in-process) catching up on a ledger of upserts in
 *      batches of 500, from a MariaDB ctldb and from a SQLite ctldb;
 *   2. commit-to-readable lag: the reflector service as its own process follows a MariaDB ledger
 *      while this process commits a 10-row batch every ~50 ms and polls the LDB through the reader
 *      library; lag = reader first sees the batch's seq − the ctldb commit returned. Once with
 *      Redis wake-ups (published after each commit, as the executive does), once polling only
 *      (ctlstore's default: 1 s ± 25 %).
 * Medians over repetitions. Prints a table, then as the last line one JSON object.
 */
import { median } from './_latency.ts';
import { measureApplyRate, measureLag, type LagResult } from './_reflector-harness.ts';

const repetitions = Number(process.argv[2] ?? '3');
const ENTRIES = 100_000;

const apply: Record<string, number> = {};
for (const dialect of ['mysql', 'sqlite'] as const) {
  const rates: number[] = [];
  for (let rep = 0; rep < repetitions; rep++) rates.push(await measureApplyRate(dialect, ENTRIES));
  apply[dialect] = median(rates);
}

const lag: Record<string, LagResult> = {
  wake: await measureLag({ wakeUps: true, repetitions, seconds: 6 }),
  poll: await measureLag({ wakeUps: false, repetitions, seconds: 6 }),
};

const ms = (n: number): string => n.toFixed(1).padStart(8);
console.log(`reflector, median of ${repetitions} repetitions`);
console.log(`apply rate (${ENTRIES.toLocaleString('en-US')} upserts, batches of 500, from empty LDB)`);
for (const [dialect, rate] of Object.entries(apply)) {
  console.log(
    `  ${dialect.padEnd(6)} ctldb | ${Math.round(rate).toLocaleString('en-US').padStart(9)} entries/s`,
  );
}
console.log('commit-to-readable lag (10-row batches every ~50 ms, reader library polling the LDB)');
console.log('  mode                         | samples |  p50 ms |  p99 ms |  max ms');
for (const [mode, r] of Object.entries(lag)) {
  const label = mode === 'wake' ? 'Redis wake-ups (poll 1 s)' : 'polling only (1 s ± 25 %)';
  console.log(
    `  ${label.padEnd(28)} | ${String(r.samples).padStart(7)} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)}`,
  );
}
console.log(
  JSON.stringify({
    bench: 'reflector',
    repetitions,
    applyEntriesPerSecond: Object.fromEntries(Object.entries(apply).map(([d, r]) => [d, Math.round(r)])),
    lagMillis: Object.fromEntries(
      Object.entries(lag).map(([mode, r]) => [
        mode,
        {
          samples: r.samples,
          p50: Number(r.p50.toFixed(2)),
          p99: Number(r.p99.toFixed(2)),
          max: Number(r.max.toFixed(2)),
        },
      ]),
    ),
    aim: { wakeLagP99MillisBelow: 50, met: (lag['wake']?.p99 ?? Infinity) < 50 },
  }),
);
