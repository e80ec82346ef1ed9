/**
 * The whole pipeline on the real stack, for tests and the e2e benchmark: a throwaway origin
 * database on the stack's MariaDB (3307) → a Debezium connector configured as `cuttle sources add`
 * configures it → Kafka → a loader → an executive over a throwaway MariaDB ctldb → a reflector
 * (in this process) → an LDB read through the reader library.
 *
 *   const p = new Pipeline();
 *   await p.open({ format: 'json', setup: ['CREATE TABLE t (…)'], tables: [{ table: 't', family: 'fam' }] });
 *   await p.origin.exec('INSERT …');
 *   await p.waitForLdb(...);
 *   await p.close();
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../lib/logging.ts';
import { openLdb, type LdbReader } from '../../../lib/reader/ldb-reader.ts';
import { ConnectClient } from '../../../lib/sources/connect-client.ts';
import type { ExecutiveConfig } from '../../../services/executive/config.ts';
import type { LoaderConfig } from '../../../services/loader/config.ts';
import type { Loader } from '../../../services/loader/loader.ts';
import { DEFAULT_ENCODINGS, type DebeziumEncodings } from '../../../services/loader/mapping/encodings.ts';
import type { SourceConfigInput } from '../../../services/loader/mapping/source-config.ts';
import { ExecutiveAdmin } from '../../../services/loader/sources/executive-admin.ts';
import type { TableChoice } from '../../../services/loader/sources/origin-schema.ts';
import { addSource } from '../../../services/loader/sources/registration.ts';
import { parseSecretRef } from '../../../services/loader/sources/secret-ref.ts';
import { createReflectorApp, type ReflectorApp } from '../../../services/reflector/app.ts';
import { loadReflectorConfig } from '../../../services/reflector/config.ts';
import { waitForTopic } from '../../support/kafka.ts';
import { stackEnv } from '../../support/stack-env.ts';
import { LoaderHarness, eventually } from './harness.ts';
import { DebeziumConnector, Origin, avroConverters, openOriginReader } from './origin.ts';

export interface PipelineOptions {
  readonly format: 'json' | 'avro';
  /** Statements run on the origin before the connector starts (tables, snapshot rows). */
  readonly setup: readonly string[];
  readonly tables: readonly Omit<TableChoice, 'database'>[];
  readonly encodings?: Partial<DebeziumEncodings>;
  readonly deadLetterPolicy?: 'halt' | 'skip';
  readonly schemaChanges?: 'add-columns' | 'hold';
  readonly truncate?: 'hold' | 'ignore' | 'apply';
  /** Connector properties over the ones `sources add` writes. */
  readonly connector?: Record<string, string>;
  readonly loader?: Partial<LoaderConfig>;
  readonly executive?: Partial<ExecutiveConfig>;
  /** Redis wake-ups from the executive to the reflector, as in production. @defaultValue false */
  readonly wakeUps?: boolean;
  /** The reflector's idle poll interval. @defaultValue 20 */
  readonly reflectorPollMs?: number;
  /** Start the loader at once; otherwise `startLoader()` does. @defaultValue true */
  readonly startLoader?: boolean;
  /**
   * Register the source as `cuttle sources add` does (connector through Kafka Connect, row in the
   * `cuttle.sources` registry) and run a loader that follows the registry. @defaultValue false
   */
  readonly registry?: boolean;
}

/** The encodings `cuttle sources add` uses by default (registration.ts). */
export const SOURCE_ENCODINGS: DebeziumEncodings = {
  ...DEFAULT_ENCODINGS,
  decimalHandlingMode: 'string',
  binaryHandlingMode: 'base64',
};

export class Pipeline {
  readonly harness = new LoaderHarness();
  readonly origin = new Origin();
  source!: SourceConfigInput;
  connector!: DebeziumConnector;
  loader!: Loader;
  reflector!: ReflectorApp;
  reader!: LdbReader;
  #loaderConfig: Partial<LoaderConfig> = {};
  #registered = false;
  readonly #connect = new ConnectClient(stackEnv.connectUrl);
  readonly #folder = mkdtempSync(join(tmpdir(), 'cuttle-pipeline-'));

  async open(options: PipelineOptions): Promise<void> {
    await this.origin.open();
    await this.harness.open({
      ...(options.wakeUps === true ? { redisUrl: stackEnv.redisUrl } : {}),
      ...options.executive,
    });
    for (const sql of options.setup) await this.origin.exec(sql);
    const encodings = { ...SOURCE_ENCODINGS, ...options.encodings };
    const tables = [];
    for (const choice of options.tables) tables.push(await this.origin.tableMapping(choice));
    this.source = {
      name: this.harness.prefix,
      topicPrefix: this.harness.prefix,
      format: options.format,
      encodings,
      deadLetterPolicy: options.deadLetterPolicy ?? 'halt',
      schemaChanges: options.schemaChanges ?? 'hold',
      truncate: options.truncate ?? 'apply',
      tables,
    };
    await this.#startReflector(options);
    if (options.registry === true) {
      await this.#register(options, encodings);
      return;
    }
    await this.harness.createTables(this.source);
    this.connector = new DebeziumConnector({
      prefix: this.harness.prefix,
      database: this.origin.database,
      tables: options.tables.map((t) => t.table),
      encodings,
      extra: { ...(options.format === 'avro' ? avroConverters() : {}), ...options.connector },
    });
    await this.connector.create();
    // The schema-change topic appears with the snapshot; a table's topic only with its first row.
    await waitForTopic(this.harness.prefix, 120_000);
    this.#loaderConfig = { registryUrl: stackEnv.registryUrl, ...options.loader };
    if (options.startLoader ?? true) await this.startLoader();
  }

  async startLoader(): Promise<Loader> {
    this.loader = await this.harness.startLoader([this.source], this.#loaderConfig);
    return this.loader;
  }

  /** The Kafka topic Debezium writes a table's changes to. */
  topic(table: string): string {
    return `${this.harness.prefix}.${this.origin.database}.${table}`;
  }

  /** Waits until a table's topic holds at least `count` records (tombstones included). */
  async waitForRecords(table: string, count: number, timeoutMs = 60_000): Promise<void> {
    const admin = this.harness.kafka.admin();
    await admin.connect();
    try {
      await eventually(async () => {
        const offsets = await admin.fetchTopicOffsets(this.topic(table));
        const total = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
        if (total < count) throw new Error(`${this.topic(table)} holds ${total} of ${count} records`);
      }, timeoutMs);
    } finally {
      await admin.disconnect();
    }
  }

  /** The origin password as a reference (`file:…`), for `cuttle sources` commands in registry mode. */
  get passwordRef(): string {
    return `file:${join(this.#folder, 'origin.properties')}:password`;
  }

  /** The production path: `addSource` (fidelity checks, cuttle tables, connector, registry row). */
  async #register(options: PipelineOptions, encodings: DebeziumEncodings): Promise<void> {
    writeFileSync(join(this.#folder, 'origin.properties'), `password = ${stackEnv.originDebeziumPassword}\n`);
    const originUrl = new URL(stackEnv.originMysqlUrl);
    const reader = await openOriginReader();
    try {
      await addSource(
        {
          name: this.harness.prefix,
          origin: {
            host: originUrl.hostname,
            port: Number(originUrl.port || '3307'),
            user: stackEnv.originDebeziumUser,
            password: parseSecretRef(this.passwordRef),
            database: this.origin.database,
          },
          tables: options.tables,
          format: options.format,
          encodings,
          deadLetterPolicy: options.deadLetterPolicy ?? 'halt',
          schemaChanges: options.schemaChanges ?? 'hold',
          truncate: options.truncate ?? 'apply',
          loaderWriter: this.harness.writer.writer,
          loaderSecret: this.harness.writer.secret,
          kafkaBrokers: stackEnv.kafkaBrokers,
          converterRegistryUrl: stackEnv.registryApiUrl,
          ...(options.connector === undefined ? {} : { extraProperties: options.connector }),
        },
        reader,
        {
          executive: new ExecutiveAdmin(this.harness.ex.url, { adminToken: this.harness.ex.adminToken }),
          connect: this.#connect,
        },
      );
    } finally {
      await reader.close();
    }
    this.#registered = true;
    await waitForTopic(this.harness.prefix, 120_000);
    if (options.startLoader ?? true)
      this.loader = await this.harness.startRegistryLoader({
        sourcesPollMs: 300,
        registryUrl: stackEnv.registryUrl,
        ...options.loader,
      });
  }

  async #startReflector(options: PipelineOptions): Promise<void> {
    const connect = this.harness.ex.db.connect;
    if (connect.driver !== 'mysql') throw new Error('the pipeline runs on a MariaDB ctldb');
    const ldbPath = join(this.#folder, 'ldb.db');
    this.reflector = await createReflectorApp(
      loadReflectorConfig({
        REFLECTOR_CTLDB: connect.url,
        REFLECTOR_LDB_PATH: ldbPath,
        REFLECTOR_PORT: '0',
        REFLECTOR_POLL_INTERVAL_MS: String(options.reflectorPollMs ?? 20),
        REFLECTOR_POLL_JITTER: '0',
        ...(options.wakeUps === true ? { REFLECTOR_REDIS_URL: stackEnv.redisUrl } : {}),
      }),
      { log: createLogger({ service: 'reflector', level: process.env.LOADER_TEST_LOG ?? 'silent' }) },
    );
    this.reader = openLdb(ldbPath);
  }

  /** The family and cuttle table a source table maps to. */
  target(table: string): { family: string; table: string } {
    const mapping = this.source.tables.find((t) => t.source.table === table);
    if (mapping === undefined) throw new Error(`${table} is not mapped`);
    return mapping.target;
  }

  async close(): Promise<void> {
    await this.connector?.remove();
    if (this.#registered) await this.#connect.remove(this.harness.prefix).catch(() => undefined);
    await this.harness.close();
    this.reader?.close();
    await this.reflector?.close();
    await this.origin.close();
    rmSync(this.#folder, { recursive: true, force: true });
  }
}
