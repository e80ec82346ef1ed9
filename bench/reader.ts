/**
 * `npm run bench -- reader [repetitions]`: point lookups by key on a table of 1 million rows,
 * in the same run:
 *   - the reader library (getRow) on an LDB, in-process;
 *   - the same prepared SELECT through better-sqlite3 directly (the floor the library adds to);
 *   - the same lookup through mysql2 (prepared statement) against MariaDB on 127.0.0.1:3306;
 *   - a Redis GET of the row as JSON on 127.0.0.1:6379.
 * p50/p99 latency per call (medians over repetitions), gets/s (a tight loop, no timers), and the
 * ratios to the reader library. Prints a table, then as the last line one JSON object.
 */
import Database from 'better-sqlite3';
import { openLdb } from '../lib/reader/ldb-reader.ts';
import { lcg, median, medianSummary, timeAsync, timeSync, type LatencySummary } from './_latency.ts';
import { buildLdb, ROWS, setUpMysql, setUpRedis } from './_reader-setup.ts';

const repetitions = Number(process.argv[2] ?? '5');
const LOCAL_SAMPLES = 200_000;
const REMOTE_SAMPLES = 4_000;

const ldbPath = await buildLdb();
const reader = openLdb(ldbPath);
const raw = new Database(ldbPath, { readonly: true });
raw.pragma('mmap_size = 268435456');
const rawGet = raw.prepare('SELECT * FROM "bench___items" WHERE "id" = ?').safeIntegers(true);
const mysql = await setUpMysql();
const redis = await setUpRedis();

const results: Record<string, { reps: LatencySummary[]; throughput: number[] }> = {
  reader: { reps: [], throughput: [] },
  sqlite: { reps: [], throughput: [] },
  mysql: { reps: [], throughput: [] },
  redis: { reps: [], throughput: [] },
};

function throughput(n: number, op: (i: number) => unknown): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) op(i);
  return n / (Number(process.hrtime.bigint() - started) / 1e9);
}

try {
  for (let rep = 0; rep < repetitions; rep++) {
    const key = lcg(rep + 1);
    const keys = Array.from({ length: LOCAL_SAMPLES }, () => Math.floor(key() * ROWS));
    const check = reader.getRow('bench', 'items', [keys[0] as number]);
    if (check === undefined) throw new Error('benchmark LDB is missing rows');
    results.reader?.reps.push(
      timeSync(LOCAL_SAMPLES, (i) => reader.getRow('bench', 'items', [keys[i] as number])),
    );
    results.reader?.throughput.push(
      throughput(LOCAL_SAMPLES, (i) => reader.getRow('bench', 'items', [keys[i] as number])),
    );
    results.sqlite?.reps.push(timeSync(LOCAL_SAMPLES, (i) => rawGet.get(keys[i])));
    results.sqlite?.throughput.push(throughput(LOCAL_SAMPLES, (i) => rawGet.get(keys[i])));
    const remote = keys.slice(0, REMOTE_SAMPLES);
    const mysqlRep = await timeAsync(REMOTE_SAMPLES, (i) => mysql.get(remote[i] as number));
    results.mysql?.reps.push(mysqlRep);
    results.mysql?.throughput.push(mysqlRep.perSecond);
    const redisRep = await timeAsync(REMOTE_SAMPLES, (i) => redis.get(remote[i] as number));
    results.redis?.reps.push(redisRep);
    results.redis?.throughput.push(redisRep.perSecond);
  }
} finally {
  reader.close();
  raw.close();
  await mysql.close();
  await redis.close();
}

const summary = Object.fromEntries(
  Object.entries(results).map(([name, r]) => [
    name,
    { ...medianSummary(r.reps), getsPerSecond: median(r.throughput) },
  ]),
);
const base = summary['reader'] as LatencySummary & { getsPerSecond: number };
const us = (n: number): string => n.toFixed(2).padStart(9);
console.log(
  `point lookup by key, ${ROWS.toLocaleString('en-US')} rows, median of ${repetitions} repetitions`,
);
console.log('path                          |   p50 µs |   p99 µs |     gets/s | p50 vs reader');
const labels: Record<string, string> = {
  reader: 'reader library (in-process)',
  sqlite: 'better-sqlite3 direct (floor)',
  mysql: 'mysql2 → MariaDB 127.0.0.1',
  redis: 'Redis GET 127.0.0.1',
};
for (const [name, s] of Object.entries(summary)) {
  console.log(
    `${(labels[name] ?? name).padEnd(29)} | ${us(s.p50)} | ${us(s.p99)} | ${Math.round(s.getsPerSecond).toLocaleString('en-US').padStart(10)} | ${(s.p50 / base.p50).toFixed(1).padStart(6)}x`,
  );
}
console.log(
  '(gets/s: one sequential caller; local paths in a loop without timers, remote ones awaiting each call)',
);
console.log(
  JSON.stringify({
    bench: 'reader',
    rows: ROWS,
    repetitions,
    results: Object.fromEntries(
      Object.entries(summary).map(([name, s]) => [
        name,
        {
          p50Micros: Number(s.p50.toFixed(2)),
          p99Micros: Number(s.p99.toFixed(2)),
          getsPerSecond: Math.round(s.getsPerSecond),
        },
      ]),
    ),
    ratios: {
      mysqlP50OverReader: Number(((summary['mysql']?.p50 ?? 0) / base.p50).toFixed(1)),
      redisP50OverReader: Number(((summary['redis']?.p50 ?? 0) / base.p50).toFixed(1)),
      readerP50OverRawSqlite: Number((base.p50 / (summary['sqlite']?.p50 ?? 1)).toFixed(2)),
    },
    aim: { p99MicrosBelow: 5, met: base.p99 < 5 },
  }),
);
