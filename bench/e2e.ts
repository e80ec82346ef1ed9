/**
 * `npm run bench -- e2e [samples] [intervalMs] [format]`: origin commit to readable in an LDB, at
 * a low rate, through the whole real pipeline (test/integration/loader/pipeline.ts): origin
 * MariaDB → Debezium, configured as `cuttle sources add` configures it → Kafka → loader →
 * executive → ctldb → reflector (Redis wake-ups, as in production) → LDB.
 *
 * Each sample is one single-row UPDATE committed at the origin (autocommit); the clock starts when
 * the origin answers the commit and stops when the reader library sees the new value in the LDB
 * (polled every millisecond). Samples are `intervalMs` apart (default 200), so every change
 * travels alone. Prints a table, then as the last line one JSON object with the figures.
 */
import { sleep } from '../lib/lifecycle.ts';
import { Pipeline } from '../test/integration/loader/pipeline.ts';
import { percentile } from './_latency.ts';

const samples = Number(process.argv[2] ?? '50');
const intervalMs = Number(process.argv[3] ?? '200');
const format = (process.argv[4] ?? 'json') as 'json' | 'avro';

const pipeline = new Pipeline();

async function readableAfter(id: number, value: number, started: number): Promise<number> {
  const { family, table } = pipeline.target('items');
  for (;;) {
    const row = pipeline.reader.getRow(family, table, [id]);
    if (row !== undefined && row.n === BigInt(value)) return performance.now() - started;
    if (performance.now() - started > 30_000) throw new Error(`update ${value} not in the LDB after 30 s`);
    await sleep(1);
  }
}

try {
  await pipeline.open({
    format,
    setup: [
      'CREATE TABLE items (id INT PRIMARY KEY, n INT NOT NULL, note VARCHAR(40))',
      'INSERT INTO items VALUES (1, 0, NULL)',
    ],
    tables: [{ table: 'items', family: 'bench' }],
    wakeUps: true,
    reflectorPollMs: 1000,
  });
  // Warm-up: the snapshot row, then a few changes that are not timed.
  for (let i = 1; i <= 5; i++) {
    await pipeline.origin.exec('UPDATE items SET n = ? WHERE id = 1', [-i]);
    await readableAfter(1, -i, performance.now());
  }
  const latencies: number[] = [];
  for (let i = 1; i <= samples; i++) {
    await pipeline.origin.exec('UPDATE items SET n = ?, note = ? WHERE id = 1', [i, `sample ${i}`]);
    const committed = performance.now();
    latencies.push(await readableAfter(1, i, committed));
    await sleep(intervalMs);
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const figures = {
    bench: 'e2e',
    format,
    samples,
    intervalMs,
    p50Ms: Math.round(percentile(sorted, 50)),
    p99Ms: Math.round(percentile(sorted, 99)),
    minMs: Math.round(sorted[0] ?? NaN),
    maxMs: Math.round(sorted.at(-1) ?? NaN),
  };
  console.log('origin commit → readable in the LDB (ms)');
  console.log(`  p50 ${figures.p50Ms}   p99 ${figures.p99Ms}   min ${figures.minMs}   max ${figures.maxMs}`);
  console.log(JSON.stringify(figures));
} finally {
  await pipeline.close();
}
process.exit(0);
