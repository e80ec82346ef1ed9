/** Measurements of the reflector benchmark (see reflector.ts). */
import { Redis } from 'ioredis';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { Reflector } from '../lib/ldb/reflector.ts';
import type { PendingEntry } from '../lib/ledger/entry.ts';
import { LEDGER_ADVANCED_CHANNEL } from '../lib/ledger/entry.ts';
import { sleep } from '../lib/lifecycle.ts';
import { silentLogger } from '../lib/logging.ts';
import { createRegistry } from '../lib/metrics.ts';
import { openLdb, type LdbReader } from '../lib/reader/ldb-reader.ts';
import type { TableSchema } from '../lib/schema/types.ts';
import { tempDir } from '../test/support/ldb.ts';
import {
  op,
  openLedgerFixture,
  type LedgerDialect,
  type LedgerFixture,
} from '../test/support/ledger-fixture.ts';
import { stackEnv } from '../test/support/stack-env.ts';
import { median, percentile } from './_latency.ts';

const items: TableSchema = {
  family: 'bench',
  table: 'items',
  fields: [
    { name: 'id', type: 'integer' },
    { name: 'name', type: 'string' },
    { name: 'price', type: 'decimal' },
    { name: 'note', type: 'text' },
  ],
  keyFields: ['id'],
};

function upserts(first: number, count: number): PendingEntry[] {
  return Array.from({ length: count }, (_, i) =>
    op.upsert(items, {
      id: BigInt(first + i),
      name: `item-${first + i}`,
      price: '12.50',
      note: 'x'.repeat(32),
    }),
  );
}

/** Entries per second of an in-process reflector catching up from an empty LDB. */
export async function measureApplyRate(dialect: LedgerDialect, entries: number): Promise<number> {
  const ledger = await openLedgerFixture(dialect);
  const dir = tempDir('cuttle-bench-');
  try {
    await ledger.append([op.createTable(items)]);
    for (let i = 0; i < entries; i += 500) await ledger.append(upserts(i, Math.min(500, entries - i)));
    const head = await ledger.head();
    const reflector = Reflector.open({
      ldbPath: dir.file('ldb.db'),
      source: ledger.source(),
      registry: createRegistry('reflector', { defaultMetrics: false }),
      log: silentLogger(),
    });
    const started = performance.now();
    await reflector.start();
    if (!(await reflector.waitForSeq(head, 600_000))) throw new Error('reflector did not catch up');
    const seconds = (performance.now() - started) / 1000;
    await reflector.stop();
    return head / seconds;
  } finally {
    await ledger.close();
    dir.remove();
  }
}

export interface LagResult {
  readonly samples: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function spawnReflector(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/reflector/main.ts'], {
    env: { ...process.env, REFLECTOR_PORT: '0', REFLECTOR_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

async function openWhenReady(path: string, seq: number): Promise<LdbReader> {
  for (;;) {
    if (existsSync(path)) {
      try {
        const reader = openLdb(path);
        if (await reader.waitForSeq(seq, 30_000, 1)) return reader;
        reader.close();
      } catch {
        // not created yet
      }
    }
    await sleep(50);
  }
}

/** Commits batches for `seconds` while polling the LDB; returns the lags in ms. */
async function sampleLag(
  ledger: LedgerFixture,
  reader: LdbReader,
  redis: Redis | null,
  seconds: number,
): Promise<number[]> {
  const pending: { seq: number; at: number }[] = [];
  const lags: number[] = [];
  let writing = true;
  let next = 1_000_000;
  const writer = (async () => {
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      const { lastSeq } = await ledger.append(upserts(next, 10));
      pending.push({ seq: lastSeq, at: performance.now() });
      next += 10;
      if (redis !== null) await redis.publish(LEDGER_ADVANCED_CHANNEL, String(lastSeq));
      await sleep(35 + Math.random() * 30);
    }
    writing = false;
  })();
  while (writing || pending.length > 0) {
    const seq = reader.lastSeq();
    while (pending.length > 0 && (pending[0]?.seq ?? Infinity) <= seq) {
      lags.push(performance.now() - (pending.shift()?.at ?? 0));
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  await writer;
  return lags;
}

export async function measureLag(options: {
  wakeUps: boolean;
  repetitions: number;
  seconds: number;
}): Promise<LagResult> {
  const ledger = await openLedgerFixture('mysql');
  const dir = tempDir('cuttle-bench-');
  const redis = options.wakeUps ? new Redis(stackEnv.redisUrl) : null;
  const ldbPath = dir.file('ldb.db');
  const { lastSeq } = await ledger.append([op.createTable(items)]);
  const child = spawnReflector({
    REFLECTOR_CTLDB: ledger.address,
    REFLECTOR_LDB_PATH: ldbPath,
    REFLECTOR_POLL_INTERVAL_MS: '1000',
    REFLECTOR_POLL_JITTER: '0.25',
    ...(redis === null ? {} : { REFLECTOR_REDIS_URL: stackEnv.redisUrl }),
  });
  const reader = await openWhenReady(ldbPath, lastSeq);
  try {
    const p50s: number[] = [];
    const p99s: number[] = [];
    let max = 0;
    let samples = 0;
    for (let rep = 0; rep < options.repetitions; rep++) {
      const lags = (await sampleLag(ledger, reader, redis, options.seconds)).sort((a, b) => a - b);
      p50s.push(percentile(lags, 50));
      p99s.push(percentile(lags, 99));
      max = Math.max(max, lags[lags.length - 1] ?? 0);
      samples += lags.length;
    }
    return { samples, p50: median(p50s), p99: median(p99s), max };
  } finally {
    reader.close();
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
    await redis?.quit();
    await ledger.close();
    dir.remove();
  }
}
