/**
 * The schema registry unreachable, on the real stack: an Avro source's loader reaches the
 * registry through a TCP proxy that is closed at first. The loader cannot decode, so it waits and
 * retries, reports it in readiness and metrics and commits nothing; once the proxy opens, every
 * change (snapshot and streamed) arrives once.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Loader } from '../../../services/loader/loader.ts';
import { DEFAULT_ENCODINGS } from '../../../services/loader/mapping/encodings.ts';
import type { SourceConfigInput } from '../../../services/loader/mapping/source-config.ts';
import { waitForTopic } from '../../support/kafka.ts';
import { stackEnv } from '../../support/stack-env.ts';
import { LoaderHarness, eventually } from './harness.ts';
import { DebeziumConnector, Origin, avroConverters } from './origin.ts';

const encodings = {
  ...DEFAULT_ENCODINGS,
  decimalHandlingMode: 'string',
  binaryHandlingMode: 'base64',
} as const;
const harness = new LoaderHarness();
const origin = new Origin();
let connector: DebeziumConnector;
let source: SourceConfigInput;

/** Forwards a local port to the registry; refuses connections (nothing listens) until opened. */
class RegistryProxy {
  readonly #target = new URL(stackEnv.registryUrl);
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  port = 0;

  /** Finds a free port, then leaves it closed. */
  async reserve(): Promise<void> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    this.port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
  }

  async open(): Promise<void> {
    this.#server = createServer((client) => {
      const upstream = connect(Number(this.#target.port), this.#target.hostname);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.#server?.listen(this.port, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise((resolve) =>
      this.#server === undefined ? resolve(undefined) : this.#server.close(resolve),
    );
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}${this.#target.pathname}`;
  }
}

const proxy = new RegistryProxy();

async function readiness(loader: Loader): Promise<number> {
  return (await fetch(`${loader.statusUrl}/ready`)).status;
}

async function retries(loader: Loader): Promise<number> {
  const text = await (await fetch(`${loader.statusUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('cuttle_loader_retries_total{') && l.includes('action="retry"'))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

describe('loader while the schema registry is unreachable', () => {
  beforeAll(async () => {
    await proxy.reserve();
    await origin.open();
    await harness.open();
    await origin.exec('CREATE TABLE gadgets (id INT NOT NULL PRIMARY KEY, name VARCHAR(40))');
    await origin.exec("INSERT INTO gadgets VALUES (1, 'snapshotted'), (2, 'also')");
    source = {
      name: harness.prefix,
      topicPrefix: harness.prefix,
      schemaTopic: false,
      format: 'avro',
      encodings,
      tables: [await origin.tableMapping({ table: 'gadgets', family: 'outage' })],
    };
    await harness.createTables(source);
    connector = new DebeziumConnector({
      prefix: harness.prefix,
      database: origin.database,
      encodings,
      extra: avroConverters(),
    });
    await connector.create();
    await waitForTopic(`${harness.prefix}.${origin.database}.gadgets`, 120_000);
  });

  afterAll(async () => {
    await proxy.close();
    await connector?.remove();
    await harness.close();
    await origin.close();
  });

  it('waits unready while it cannot decode, commits nothing, then loads everything once', async () => {
    const loader = await harness.startLoader([source], { registryUrl: proxy.url });
    await eventually(async () => {
      expect(await retries(loader)).toBeGreaterThan(1);
      expect(loader.statuses.map((s) => s.waitingFor)).toContain('retry');
    }, 60_000);
    // Unready for as long as the registry is away, not only while a retry's delay runs.
    for (let i = 0; i < 10; i++) {
      expect(await readiness(loader)).toBe(503);
      await new Promise((r) => setTimeout(r, 100));
    }
    await origin.exec("INSERT INTO gadgets VALUES (3, 'while the registry was away')");
    await origin.exec("UPDATE gadgets SET name = 'updated meanwhile' WHERE id = 1");
    expect(await harness.rows('outage', 'gadgets')).toEqual([]);

    await proxy.open();
    await eventually(async () => {
      expect(await harness.rows('outage', 'gadgets')).toEqual([
        { id: 1, name: 'updated meanwhile' },
        { id: 2, name: 'also' },
        { id: 3, name: 'while the registry was away' },
      ]);
      expect(await readiness(loader)).toBe(200);
    }, 120_000);
    expect(await harness.ledgerOps('outage', 'gadgets')).toEqual({ create_table: 1, upsert: 4 });
  }, 240_000);
});
