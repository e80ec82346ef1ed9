/**
 * `npm run bench -- loader [events] [rate] [seconds]`: the loader from Kafka into the ledger on
 * the real stack (Kafka broker, an in-process executive over a throwaway MariaDB ctldb).
 *
 * 1. Throughput: pre-fills a 4-partition topic with `events` (default 200,000) Debezium JSON
 *    change events (schemaless, as the stack's connectors write them), starts one loader and
 *    measures events per second until ctldb stores every partition's last offset; also from the
 *    ledger's own commit times (first to last entry).
 * 2. Latency: produces at a steady `rate` (default 2,000 events/s) for `seconds` (default 15);
 *    each event carries its send time as the origin commit time (`source.ts_ms`) and in a column,
 *    and the ledger's `committed_at` minus that time gives origin-commit-to-ledger latency
 *    (Debezium's own delay, binlog to Kafka, is not part of it).
 * 3. Baseline, side by side: the same changes as mutation batches of the loader's size, posted
 *    straight to the executive's API by one client per partition with their offsets (what the
 *    loader sends, minus Kafka and decoding). The loader's ratio to it is the cost of the loader.
 * Prints a table, then as the last line one JSON object with the figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceConfigInput } from '../services/loader/mapping/source-config.ts';
import { envelope, toJson } from '../test/fixtures/debezium/envelopes.ts';
import { LoaderHarness, eventually, type ProducedRecord } from '../test/integration/loader/harness.ts';
import { percentile } from './_latency.ts';

const totalEvents = Number(process.argv[2] ?? '200000');
const steadyRate = Number(process.argv[3] ?? '2000');
const steadySeconds = Number(process.argv[4] ?? '15');
const PARTITIONS = 4;
const KEYS = 50_000;

const harness = new LoaderHarness();
const topic = `${harness.prefix}.ctl.items`;
const source: SourceConfigInput = {
  name: harness.prefix,
  topicPrefix: harness.prefix,
  schemaTopic: false,
  encodings: { decimalHandlingMode: 'string', binaryHandlingMode: 'base64' },
  tables: [
    {
      source: { database: 'ctl', table: 'items' },
      target: { family: 'bench', table: 'items' },
      columns: [
        { name: 'id', type: 'bigint(20)' },
        { name: 'name', type: 'varchar(50)' },
        { name: 'qty', type: 'int(11)' },
        { name: 'price', type: 'decimal(10,2)' },
        { name: 'sent_at', type: 'bigint(20)' },
      ],
      keyColumns: ['id'],
    },
  ],
};

let sequence = 0;
function change(now: number): ProducedRecord {
  const n = sequence++;
  const id = 1 + (n % KEYS);
  const after = { id, name: `item ${id} v${n}`, qty: n, price: `${n % 10000}.25`, sent_at: now };
  const value = envelope({
    op: n < KEYS ? 'c' : 'u',
    table: 'items',
    tsMs: now,
    pos: 4 + n,
    after,
    before: n < KEYS ? null : { id },
  });
  return { key: Buffer.from(toJson({ id })), value: Buffer.from(toJson(value)), partition: id % PARTITIONS };
}

async function produce(count: number): Promise<void> {
  for (let done = 0; done < count;) {
    const chunk = Math.min(2000, count - done);
    const now = Date.now();
    await harness.produce(
      topic,
      Array.from({ length: chunk }, () => change(now)),
    );
    done += chunk;
  }
}

const BATCH = 2000;

/**
 * The executive alone: the same upserts, prebuilt as request bodies (so client work is not timed),
 * posted by PARTITIONS concurrent clients, each a stream with its offsets, as the loader does.
 */
async function executiveBaseline(count: number): Promise<number> {
  const fields =
    source.tables[0]?.columns.map(
      (c) =>
        [
          c.name,
          c.type.startsWith('decimal') ? 'decimal' : c.name === 'name' ? 'string' : 'integer',
        ] as const,
    ) ?? [];
  // Its own family and writer: the loader phase's ledger span and stored offsets stay its own.
  await harness.ex.setupTable('bench_direct', 'items', fields, ['id']);
  const writer = await harness.ex.registerWriter(`direct-${harness.prefix}`);
  const bodies: string[][] = Array.from({ length: PARTITIONS }, () => []);
  const perClient = Math.ceil(count / PARTITIONS);
  for (let p = 0; p < PARTITIONS; p++) {
    for (let from = 0; from < perClient; from += BATCH) {
      const n = Math.min(BATCH, perClient - from);
      const mutations = Array.from({ length: n }, (_, i) => {
        const id = 1 + ((p * perClient + from + i) % KEYS);
        const values = {
          id,
          name: `item ${id}`,
          qty: from + i,
          price: `${(from + i) % 10000}.25`,
          sent_at: 0,
        };
        return { table: 'items', op: 'upsert', values };
      });
      const offsets = [
        { stream: `direct/${p}`, expected: from === 0 ? null : String(from), next: String(from + n) },
      ];
      bodies[p]?.push(JSON.stringify({ mutations, offsets }));
    }
  }
  const headers = {
    'content-type': 'application/json',
    'x-cuttle-writer': writer.writer,
    'x-cuttle-secret': writer.secret,
  };
  const started = Date.now();
  await Promise.all(
    bodies.map(async (list) => {
      for (const body of list) {
        const response = await fetch(`${harness.ex.url}/families/bench_direct/mutations`, {
          method: 'POST',
          headers,
          body,
        });
        if (!response.ok) throw new Error(`baseline batch: HTTP ${response.status} ${await response.text()}`);
      }
    }),
  );
  return (perClient * PARTITIONS) / ((Date.now() - started) / 1000);
}

async function waitStored(expectedTotal: number): Promise<void> {
  await eventually(
    async () => {
      const stored = await harness.storedOffsets();
      const sum = Object.values(stored).reduce((n, v) => n + Number(v), 0);
      if (sum < expectedTotal) throw new Error(`stored ${sum} of ${expectedTotal}`);
    },
    600_000,
    100,
  );
}

async function ledgerSpan(
  fromSeq: number,
): Promise<{ entries: number; firstMs: number; lastMs: number; lastSeq: number }> {
  const [row] = await harness.ex.db.ctldb.all(
    "SELECT COUNT(*) AS n, MIN(committed_at) AS first, MAX(committed_at) AS last, MAX(seq) AS seq FROM cuttle_ledger WHERE family = 'bench' AND op = 'upsert' AND seq > ?",
    [fromSeq],
  );
  return {
    entries: Number(row?.n),
    firstMs: Number(row?.first),
    lastMs: Number(row?.last),
    lastSeq: Number(row?.seq),
  };
}

async function latencies(fromSeq: number): Promise<number[]> {
  const rows = await harness.ex.db.ctldb.all(
    "SELECT committed_at, payload FROM cuttle_ledger WHERE family = 'bench' AND op = 'upsert' AND seq > ?",
    [fromSeq],
  );
  return rows
    .map(
      (r) =>
        Number(r.committed_at) -
        Number((JSON.parse(String(r.payload)) as { values: { sent_at: string } }).values.sent_at),
    )
    .sort((a, b) => a - b);
}

/**
 * The loader runs in a process of its own, as deployed, so that it and the executive (in this
 * process) each have a core.
 */
function startLoaderProcess(): ChildProcess {
  const dir = mkdtempSync(join(tmpdir(), 'cuttle-bench-loader-'));
  const sourcesFile = join(dir, 'sources.json');
  writeFileSync(sourcesFile, JSON.stringify([source]));
  const config = harness.config({ maxBatchMutations: 2000, partitionsConcurrently: PARTITIONS });
  const prof = process.env.BENCH_LOADER_CPU_PROF_DIR;
  const profArgs = prof === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', prof];
  const child = spawn(process.execPath, [...profArgs, '--import', 'tsx', 'services/loader/main.ts'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      LOADER_BROKERS: config.brokers.join(','),
      LOADER_GROUP_ID: config.groupId,
      LOADER_CLIENT_ID: `bench-${randomBytes(3).toString('hex')}`,
      LOADER_EXECUTIVE_URL: config.executiveUrl,
      LOADER_WRITER: config.writer,
      LOADER_SECRET: config.secret,
      LOADER_SOURCES_FILE: sourcesFile,
      LOADER_MAX_BATCH_MUTATIONS: String(config.maxBatchMutations),
      LOADER_PARTITIONS_CONCURRENTLY: String(PARTITIONS),
      LOADER_HTTP_PORT: '0',
      LOADER_LOG_LEVEL: 'warn',
    },
  });
  child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return child;
}

await harness.open();
try {
  await harness.createTables(source);
  await harness.createTopic(topic, PARTITIONS);
  const fillStarted = Date.now();
  await produce(totalEvents);
  const fillSeconds = (Date.now() - fillStarted) / 1000;

  const baseline = await executiveBaseline(totalEvents);

  const started = Date.now();
  const loader = startLoaderProcess();
  await waitStored(totalEvents);
  const elapsed = (Date.now() - started) / 1000;
  const span = await ledgerSpan(0);
  const throughput = totalEvents / elapsed;
  const ledgerRate = span.entries / Math.max(0.001, (span.lastMs - span.firstMs) / 1000);

  const steadyCount = steadyRate * steadySeconds;
  const tickMs = 100;
  const perTick = Math.max(1, Math.round((steadyRate * tickMs) / 1000));
  const steadyStarted = Date.now();
  for (let sent = 0; sent < steadyCount; sent += perTick) {
    const due = steadyStarted + (sent / steadyRate) * 1000;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const now = Date.now();
    await harness.produce(
      topic,
      Array.from({ length: Math.min(perTick, steadyCount - sent) }, () => change(now)),
    );
  }
  await waitStored(totalEvents + steadyCount);
  const lat = await latencies(span.lastSeq);

  const figures = {
    events: totalEvents,
    partitions: PARTITIONS,
    fillSeconds: Number(fillSeconds.toFixed(1)),
    loadSeconds: Number(elapsed.toFixed(2)),
    eventsPerSecond: Math.round(throughput),
    executiveDirectPerSecond: Math.round(baseline),
    ratioToExecutiveDirect: Number((throughput / baseline).toFixed(3)),
    ledgerEntriesPerSecond: Math.round(ledgerRate),
    steadyRate,
    steadyEvents: lat.length,
    originToLedgerP50Ms: percentile(lat, 50),
    originToLedgerP99Ms: percentile(lat, 99),
    originToLedgerMaxMs: lat.at(-1) ?? NaN,
  };
  console.log('loader: Kafka (Debezium JSON) -> loader -> executive -> ctldb (MariaDB)');
  console.log(
    `  pre-filled            ${totalEvents} events in ${figures.fillSeconds} s (${PARTITIONS} partitions)`,
  );
  console.log(
    `  loaded                ${figures.loadSeconds} s from loader start: ${figures.eventsPerSecond} events/s`,
  );
  console.log(
    `  baseline              ${figures.executiveDirectPerSecond} mutations/s posted straight to the executive (batches of ${BATCH}, ${PARTITIONS} clients with offsets); loader/baseline ${figures.ratioToExecutiveDirect}`,
  );
  console.log(
    `  ledger commit rate    ${figures.ledgerEntriesPerSecond} entries/s (first to last ledger entry)`,
  );
  console.log(
    `  steady ${steadyRate}/s for ${steadySeconds} s: origin-to-ledger p50 ${figures.originToLedgerP50Ms} ms, p99 ${figures.originToLedgerP99Ms} ms, max ${figures.originToLedgerMaxMs} ms`,
  );
  console.log(JSON.stringify(figures));
  loader.kill('SIGTERM');
  await new Promise((r) => loader.once('exit', r));
} finally {
  await harness.close();
}
