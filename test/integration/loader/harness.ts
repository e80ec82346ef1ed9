/**
 * Shared pieces of the loader's integration tests: a real executive over a throwaway MariaDB
 * ctldb, a unique Kafka topic prefix on the stack's broker, a producer of Debezium-shaped
 * records, loaders in this process, and reading ctldb back through the executive.
 */
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { createLogger } from '../../../lib/logging.ts';
import type { ExecutiveConfig } from '../../../services/executive/config.ts';
import { loadLoaderConfig, type LoaderConfig } from '../../../services/loader/config.ts';
import { createLoader, type Loader } from '../../../services/loader/loader.ts';
import type { SourceConfigInput } from '../../../services/loader/mapping/source-config.ts';
import { sourceConfigSchema } from '../../../services/loader/mapping/source-config.ts';
import { SourceMapper } from '../../../services/loader/mapping/source-mapper.ts';
import { startTestExecutive, type TestExecutive, type WriterCredentials } from '../../support/executive.ts';
import { stackEnv } from '../../support/stack-env.ts';

export interface ProducedRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Record<string, string>;
  readonly partition?: number;
}

export class LoaderHarness {
  readonly prefix = `it${randomBytes(4).toString('hex')}`;
  readonly kafka = new Kafka({
    clientId: 'loader-it',
    brokers: stackEnv.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  readonly loaders: Loader[] = [];
  ex!: TestExecutive;
  writer!: WriterCredentials;
  #admin!: Admin;
  #producer!: Producer;
  #topics: string[] = [];

  async open(executiveConfig: Partial<ExecutiveConfig> = {}): Promise<void> {
    this.ex = await startTestExecutive('mysql', { area: 'loader', config: executiveConfig });
    this.writer = await this.ex.registerWriter(`loader-${this.prefix}`);
    this.#admin = this.kafka.admin();
    await this.#admin.connect();
    this.#producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.#producer.connect();
  }

  /** Creates the cuttle tables of a source the way `cuttle sources add` will. */
  async createTables(source: SourceConfigInput): Promise<void> {
    for (const table of new SourceMapper(sourceConfigSchema.parse(source)).tables) {
      const { family, table: name, fields, keyFields } = table.schema;
      await this.ex.setupTable(
        family,
        name,
        fields.map((f) => [f.name, f.type] as const),
        keyFields,
      );
    }
  }

  async createTopic(topic: string, partitions: number): Promise<void> {
    await this.#admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    this.#topics.push(topic);
  }

  async produce(topic: string, records: readonly ProducedRecord[]): Promise<void> {
    await this.#producer.send({
      topic,
      messages: records.map((r) => ({
        key: r.key,
        value: r.value,
        ...(r.headers === undefined ? {} : { headers: r.headers }),
        ...(r.partition === undefined ? {} : { partition: r.partition }),
      })),
    });
  }

  config(overrides: Partial<LoaderConfig> = {}): LoaderConfig {
    return {
      ...loadLoaderConfig({ LOADER_SECRET: this.writer.secret }),
      brokers: stackEnv.kafkaBrokers,
      groupId: `loader-${this.prefix}`,
      executiveUrl: this.ex.url,
      writer: this.writer.writer,
      httpPort: 0,
      ...overrides,
    };
  }

  async startLoader(
    sources: readonly SourceConfigInput[],
    overrides: Partial<LoaderConfig> = {},
  ): Promise<Loader> {
    const log = createLogger({ service: 'loader', level: process.env.LOADER_TEST_LOG ?? 'silent' });
    const loader = createLoader(this.config(overrides), { sources, log });
    await loader.start();
    this.loaders.push(loader);
    return loader;
  }

  /** A loader that follows the cuttle.sources registry instead of fixed sources. */
  async startRegistryLoader(overrides: Partial<LoaderConfig> = {}): Promise<Loader> {
    const log = createLogger({ service: 'loader', level: process.env.LOADER_TEST_LOG ?? 'silent' });
    const loader = createLoader(this.config(overrides), { log });
    await loader.start();
    this.loaders.push(loader);
    return loader;
  }

  async stopLoader(loader: Loader): Promise<void> {
    await loader.stop();
    this.loaders.splice(this.loaders.indexOf(loader), 1);
  }

  /** Every row of a table through the executive's read API, in key order. */
  async rows(family: string, table: string): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { rows: Record<string, unknown>[]; nextCursor: string | null } } =
        await this.ex.admin<{ rows: Record<string, unknown>[]; nextCursor: string | null }>(
          'POST',
          `/families/${family}/tables/${table}/rows/scan`,
          { limit: 1000, cursor },
        );
      if (page.status !== 200)
        throw new Error(`scan ${family}.${table}: ${page.status} ${JSON.stringify(page.body)}`);
      rows.push(...page.body.rows);
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    return rows;
  }

  /** Ledger entries of a family (or one of its tables), by op. */
  async ledgerOps(family: string, table?: string): Promise<Record<string, number>> {
    const rows = await this.ex.db.ctldb.all(
      `SELECT op, COUNT(*) AS n FROM cuttle_ledger WHERE family = ?${table === undefined ? '' : ' AND table_name = ?'} GROUP BY op`,
      table === undefined ? [family] : [family, table],
    );
    return Object.fromEntries(rows.map((r) => [String(r.op), Number(r.n)]));
  }

  /** The Kafka offsets ctldb stores for the loader writer (`<topic>/<partition>` streams only). */
  async storedOffsets(): Promise<Record<string, string>> {
    const all = await this.storedStreams();
    return Object.fromEntries(Object.entries(all).filter(([stream]) => !stream.includes('@')));
  }

  /** Every stream ctldb stores for the loader writer, binlog positions (`…@binlog`) included. */
  async storedStreams(): Promise<Record<string, string>> {
    const r = await this.ex.admin<{ offsets: { stream: string; next: string }[] }>(
      'GET',
      `/writers/${this.writer.writer}/offsets`,
    );
    return Object.fromEntries(r.body.offsets.map((o) => [o.stream, o.next]));
  }

  async close(): Promise<void> {
    for (const loader of [...this.loaders]) await loader.stop();
    await this.#producer?.disconnect();
    if (this.#topics.length > 0)
      await this.#admin.deleteTopics({ topics: this.#topics }).catch(() => undefined);
    await this.#admin?.disconnect();
    await this.ex?.close();
  }
}

/** Polls until `check` returns without throwing, or rethrows its last failure after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T>,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
