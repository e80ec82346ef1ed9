/**
 * Exactly once under faults, on the real stack. While at least 20,000 changes flow from the
 * origin MariaDB through Debezium, the loader process is killed with SIGKILL at random moments
 * (and started again), the Kafka Connect worker process is killed with SIGKILL and started again
 * (Debezium then re-sends what it had read past its last flushed offset, under new Kafka
 * offsets), the connector and its task are restarted through Connect's REST API, and the Kafka
 * broker is stopped and started again. Afterwards ctldb equals the origin table, and the ledger
 * holds exactly one effect per origin change, per key in the origin's order.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENCODINGS } from '../../../services/loader/mapping/encodings.ts';
import type { SourceConfigInput } from '../../../services/loader/mapping/source-config.ts';
import { consumeMessages, jsonOf, waitForTopic } from '../../support/kafka.ts';
import { stackEnv } from '../../support/stack-env.ts';
import { LoaderHarness, eventually } from './harness.ts';
import { DebeziumConnector, Origin } from './origin.ts';

const run = promisify(execFile);
const CHANGES = 20_000;
const KEYS = 2_000;
/** The key of the row written before the connector starts (see beforeAll). */
const SENTINEL = 0;
const harness = new LoaderHarness();
const origin = new Origin();
const encodings = {
  ...DEFAULT_ENCODINGS,
  decimalHandlingMode: 'string',
  binaryHandlingMode: 'base64',
} as const;
let connector: DebeziumConnector;
let source: SourceConfigInput;
let dir: string;

/** The origin's history per key: the value after each change, or null for a delete. */
const history = new Map<number, (number | null)[]>();

class LoaderProcess {
  #child: ChildProcess | undefined;
  kills = 0;

  start(): void {
    const config = harness.config();
    // Each run's loader log stays in the temp folder's sibling for a post-mortem.
    const log = openSync(join(tmpdir(), `${harness.prefix}-loader.log`), 'a');
    this.#child = spawn(process.execPath, ['--import', 'tsx', 'services/loader/main.ts'], {
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        LOADER_BROKERS: config.brokers.join(','),
        LOADER_GROUP_ID: config.groupId,
        LOADER_EXECUTIVE_URL: config.executiveUrl,
        LOADER_WRITER: config.writer,
        LOADER_SECRET: config.secret,
        LOADER_SOURCES_FILE: join(dir, 'sources.json'),
        LOADER_HTTP_PORT: '0',
        // Debug: each re-emitted event the loader drops is in the log, for a post-mortem.
        LOADER_LOG_LEVEL: 'debug',
      },
    });
  }

  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.kills++;
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes CHANGES single-row changes in small transactions; each statement changes exactly one row. */
async function writeChanges(): Promise<number> {
  const present = new Set<number>();
  let written = 0;
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  while (written < CHANGES) {
    const statements: string[] = [];
    for (let i = 0; i < 25 && written + statements.length < CHANGES; i++) {
      const id = 1 + Math.floor(rand() * KEYS);
      const v = written + statements.length;
      const past = history.get(id) ?? [];
      if (!present.has(id)) {
        statements.push(`INSERT INTO counters (id, v, note) VALUES (${id}, ${v}, 'n${v}')`);
        present.add(id);
        history.set(id, [...past, v]);
      } else if (rand() < 0.15) {
        statements.push(`DELETE FROM counters WHERE id = ${id}`);
        present.delete(id);
        history.set(id, [...past, null]);
      } else {
        statements.push(`UPDATE counters SET v = ${v}, note = 'u${v}' WHERE id = ${id}`);
        history.set(id, [...past, v]);
      }
    }
    await origin.exec(`START TRANSACTION; ${statements.join('; ')}; COMMIT`);
    written += statements.length;
    await sleep(30);
  }
  return written;
}

/**
 * Signals the stack process serving `address` and starts it again from the stack folder it was
 * started from (stack/lib/process.sh restart_listener): this checkout's, or the one whose running
 * stack this checkout reuses, so that it comes back with its own data.
 */
async function restartListener(address: string, signal: 'TERM' | 'KILL'): Promise<void> {
  const port = new URL(address.includes('://') ? address : `tcp://${address}`).port;
  const script = `. stack/lib/env.sh && . stack/lib/process.sh && restart_listener ${port} ${signal}`;
  await run('bash', ['-c', script], { cwd: process.cwd(), timeout: 300_000 });
}

/** A graceful broker stop and start. */
const restartBroker = (): Promise<void> => restartListener(stackEnv.kafkaBrokers[0] ?? '', 'TERM');

/** SIGKILL of the Connect worker, as a host crash would do, and a start. */
const crashConnectWorker = (): Promise<void> => restartListener(stackEnv.connectUrl, 'KILL');

/** Records in the table's topic: one per change, one tombstone per delete, and any re-sent. */
const topic = (): string => `${harness.prefix}.${origin.database}.counters`;

async function topicRecords(): Promise<number> {
  const admin = harness.kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic());
    return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/**
 * For a failed run: the keys whose ledger effects differ from the origin's history, and every
 * topic record of those keys with its Kafka offset and binlog position, so that a lost or doubled
 * change can be traced to what Debezium sent and what the loader did (its log is kept too).
 */
async function explainMissingEffects(effects: Map<number, (number | null)[]>): Promise<string> {
  const differing = [...history.entries()].filter(
    ([id, h]) => JSON.stringify(effects.get(id) ?? []) !== JSON.stringify(h),
  );
  const ids = new Set(differing.map(([id]) => id));
  const records = await consumeMessages(topic(), { count: await topicRecords(), timeoutMs: 120_000 });
  const lines = records.flatMap((record) => {
    const value = jsonOf(record.value) as null | {
      payload?: DebeziumPayload;
    };
    const payload = value?.payload ?? (value as DebeziumPayload | null);
    const id = Number(payload?.after?.id ?? payload?.before?.id);
    if (payload === null || !ids.has(id)) return [];
    const { source, transaction } = payload;
    return [
      `offset ${record.offset} op ${payload.op} id ${id} v ${payload.after?.v ?? '-'} at ${source.file}:${source.pos}:${source.row} tx ${transaction?.id ?? '-'}#${transaction?.total_order ?? '-'}`,
    ];
  });
  return [
    `${differing.length} keys differ from the origin's history:`,
    ...differing.map(
      ([id, h]) => `  ${id}: origin ${JSON.stringify(h)} ledger ${JSON.stringify(effects.get(id))}`,
    ),
    'their topic records:',
    ...lines.map((l) => `  ${l}`),
    `loader log: ${join(tmpdir(), `${harness.prefix}-loader.log`)}`,
  ].join('\n');
}

interface DebeziumPayload {
  op: string;
  before?: { id: number; v: number } | null;
  after?: { id: number; v: number } | null;
  source: { file: string; pos: number; row: number };
  transaction?: { id: string; total_order: number } | null;
}

async function restartConnector(): Promise<void> {
  const response = await fetch(
    `${stackEnv.connectUrl}/connectors/${connector.name}/restart?includeTasks=true&onlyFailed=false`,
    {
      method: 'POST',
    },
  );
  if (!response.ok && response.status !== 202 && response.status !== 204) {
    throw new Error(`restart connector: ${response.status} ${await response.text()}`);
  }
}

/**
 * Restarts the connector's task whenever it failed, as an operator would: Debezium 3.2.0's task
 * can fail after a broker restart ("DebeziumOpenLineageEmitter not initialized"). A restarted task
 * resumes from Connect's last flushed offset and may send recent transactions again.
 */
function keepConnectorRunning(): { stop(): void; restarts(): number } {
  let restarts = 0;
  let running = true;
  const loop = async (): Promise<void> => {
    while (running) {
      const status = (await connector.status()) as { tasks?: { id: number; state: string }[] } | string;
      for (const task of typeof status === 'string' ? [] : (status.tasks ?? [])) {
        if (task.state !== 'FAILED') continue;
        await fetch(`${stackEnv.connectUrl}/connectors/${connector.name}/tasks/${task.id}/restart`, {
          method: 'POST',
        });
        restarts++;
      }
      await sleep(2000);
    }
  };
  const done = loop().catch(() => undefined);
  return {
    stop: () => {
      running = false;
      void done;
    },
    restarts: () => restarts,
  };
}

describe('loader exactly once under faults', () => {
  const loader = new LoaderProcess();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cuttle-loader-faults-'));
    await origin.open();
    await harness.open();
    await origin.exec(
      'CREATE TABLE counters (id INT NOT NULL PRIMARY KEY, v BIGINT NOT NULL, note VARCHAR(40))',
    );
    source = {
      name: harness.prefix,
      topicPrefix: harness.prefix,
      schemaTopic: false,
      encodings,
      tables: [await origin.tableMapping({ table: 'counters', family: 'faults' })],
    };
    // A row Debezium's initial snapshot reads: once its record is in the topic, the snapshot has
    // fixed its binlog position, so every change written after that is streamed one by one.
    // (Changes written before it would reach Kafka merged into the snapshot's reads, with fewer
    // records than changes, which is Debezium's design and not what this test counts.)
    await origin.exec(`INSERT INTO counters (id, v, note) VALUES (${SENTINEL}, 0, 'n0')`);
    history.set(SENTINEL, [0]);
    writeFileSync(join(dir, 'sources.json'), JSON.stringify([source]));
    await harness.createTables(source);
    connector = new DebeziumConnector({
      prefix: harness.prefix,
      database: origin.database,
      encodings,
      // As `cuttle sources add` sets it: each event's ordinal in its transaction.
      extra: { 'provide.transaction.metadata': 'true' },
    });
    await connector.create();
    await waitForTopic(topic(), 120_000);
    await consumeMessages(topic(), { timeoutMs: 60_000 });
  });

  afterAll(async () => {
    await loader.stop();
    await connector?.remove();
    await harness.close();
    await origin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps ctldb equal to the origin with one ledger effect per change', async () => {
    loader.start();
    const watchdog = keepConnectorRunning();
    const writing = writeChanges();
    const faults: string[] = [];
    for (const fault of ['kill', 'connect-crash', 'kill', 'connector', 'kill', 'broker', 'kill']) {
      await sleep(1500 + Math.floor(Math.random() * 2500));
      if (fault === 'kill') {
        await loader.kill();
        await sleep(Math.floor(Math.random() * 1000));
        loader.start();
      } else if (fault === 'connect-crash') {
        await crashConnectWorker();
      } else if (fault === 'connector') {
        await restartConnector();
      } else {
        await restartBroker();
      }
      faults.push(fault);
    }
    const written = await writing;
    expect(written).toBeGreaterThanOrEqual(CHANGES);

    try {
      await eventually(async () => {
        const rows = await harness.rows('faults', 'counters');
        const expected = [...history.entries()]
          .filter(([, h]) => h.at(-1) !== null)
          .sort(([a], [b]) => a - b)
          .map(([id, h]) => ({
            id,
            v: h.at(-1),
            note: `${h.length === 1 || (h.at(-2) ?? null) === null ? 'n' : 'u'}${h.at(-1)}`,
          }));
        expect(rows).toEqual(expected);
      }, 300_000);
    } catch (err) {
      // Where did it stop: Kafka's end, what ctldb stores, and the connector's state.
      const admin = harness.kafka.admin();
      await admin.connect();
      const ends = await admin.fetchTopicOffsets(topic());
      await admin.disconnect();
      const diagnostics = {
        kafkaEnd: ends.map((o) => o.high),
        stored: await harness.storedStreams(),
        connector: await connector.status(),
      };
      throw new Error(`ctldb did not converge: ${JSON.stringify(diagnostics)}`, { cause: err });
    } finally {
      watchdog.stop();
    }

    // One ledger effect per change, per key in the origin's order.
    const entries = await harness.ex.db.ctldb.all(
      "SELECT op, payload FROM cuttle_ledger WHERE family = 'faults' AND op IN ('upsert', 'delete') ORDER BY seq",
    );
    const effects = new Map<number, (number | null)[]>();
    for (const entry of entries) {
      const payload = JSON.parse(String(entry.payload)) as {
        values?: { id: string; v: string };
        key?: { id: string };
      };
      const id = Number(payload.values?.id ?? payload.key?.id);
      effects.set(id, [...(effects.get(id) ?? []), entry.op === 'delete' ? null : Number(payload.values?.v)]);
    }
    // Every origin change, and the snapshot's read of the sentinel row.
    const changes = [...history.values()].reduce((n, h) => n + h.length, 0);
    expect(changes).toBe(written + 1);
    if (entries.length !== changes) throw new Error(await explainMissingEffects(effects));
    expect(effects).toEqual(history);
    expect(loader.kills).toBe(4);
    const deletes = [...history.values()].flat().filter((v) => v === null).length;
    const resent = (await topicRecords()) - changes - deletes;
    console.log(
      JSON.stringify({
        changes: written,
        kills: loader.kills,
        faults,
        taskRestarts: watchdog.restarts(),
        ledgerEffects: entries.length,
        // Records Debezium sent twice (its re-sends after the crashes), each dropped by the loader.
        resentRecords: resent,
        keys: history.size,
      }),
    );
  }, 900_000);
});
