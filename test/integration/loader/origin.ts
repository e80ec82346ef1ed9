/**
 * The origin side of the loader's end-to-end tests: a throwaway database on the stack's private
 * MariaDB (the one Debezium captures) and a Debezium MariaDB connector registered through Kafka
 * Connect's REST API with a unique name, topic prefix and server id, removed afterwards.
 */
import { createConnection, type Connection } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { MysqlOriginSchemaReader } from '../../../services/loader/adapters/origin-schema-adapter.ts';
import type { DebeziumEncodings } from '../../../services/loader/mapping/encodings.ts';
import type { TableMappingConfig } from '../../../services/loader/mapping/source-config.ts';
import { avroConverterConfig, connectorConfig } from '../../../services/loader/sources/connector-config.ts';
import {
  ORIGIN_COLUMNS_SQL,
  originColumnOf,
  tableMappingFromOrigin,
  type OriginColumn,
  type TableChoice,
} from '../../../services/loader/sources/origin-schema.ts';
import { stackEnv } from '../../support/stack-env.ts';

export class Origin {
  readonly database = `cuttle_loader_${randomBytes(4).toString('hex')}`;
  #conn!: Connection;

  async open(): Promise<void> {
    this.#conn = await createConnection({
      uri: stackEnv.originMysqlUrl,
      multipleStatements: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      timezone: 'Z',
    });
    await this.#conn.query("SET time_zone = '+00:00'");
    await this.#conn.query(`CREATE DATABASE \`${this.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    await this.#conn.query(`USE \`${this.database}\``);
  }

  async exec(sql: string, params: unknown[] = []): Promise<void> {
    await this.#conn.query(sql, params);
  }

  async all(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    const [rows] = await this.#conn.query(sql, params);
    return rows as Record<string, unknown>[];
  }

  /** A query over the binary protocol: FLOAT and DOUBLE arrive as the exact float32/float64. */
  async allBinary(sql: string): Promise<Record<string, unknown>[]> {
    const [rows] = await this.#conn.execute(sql);
    return rows as Record<string, unknown>[];
  }

  /** The source mapping of a table as `cuttle sources add` builds it from information_schema. */
  async tableMapping(choice: Omit<TableChoice, 'database'>): Promise<TableMappingConfig> {
    return tableMappingFromOrigin({ ...choice, database: this.database }, await this.columns(choice.table));
  }

  /** The table's columns as `cuttle sources add` reads them from information_schema. */
  async columns(table: string): Promise<OriginColumn[]> {
    return (await this.all(ORIGIN_COLUMNS_SQL, [this.database, table])).map(originColumnOf);
  }

  async close(): Promise<void> {
    await this.#conn.query(`DROP DATABASE IF EXISTS \`${this.database}\``).catch(() => undefined);
    await this.#conn.end();
  }
}

/** The reader `cuttle sources add` uses on the origin (schema and fidelity checks), as root. */
export function openOriginReader(): Promise<MysqlOriginSchemaReader> {
  const url = new URL(stackEnv.originMysqlUrl);
  return MysqlOriginSchemaReader.open({
    host: url.hostname,
    port: Number(url.port || '3307'),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
  });
}

/**
 * Apicurio's Avro converter writing the Confluent wire format (magic byte, 4-byte content id):
 * the stack runs the 2.6 converter against the 3.x registry's v2 API (test/support/debezium.ts).
 */
export function avroConverters(): Record<string, string> {
  return avroConverterConfig(stackEnv.registryApiUrl);
}

export interface ConnectorOptions {
  readonly prefix: string;
  readonly database: string;
  readonly encodings: DebeziumEncodings;
  /** Tables to capture; the whole database when left out. */
  readonly tables?: readonly string[];
  /** Extra or overriding connector properties (converters for Avro, …). */
  readonly extra?: Record<string, string>;
}

export class DebeziumConnector {
  readonly name: string;
  readonly #options: ConnectorOptions;

  constructor(options: ConnectorOptions) {
    this.#options = options;
    this.name = `cuttle-${options.prefix}`;
  }

  /**
   * The configuration `cuttle sources add` writes (connector-config.ts), capturing the whole test
   * database, with the stack's replication user and JSON converters unless `extra` says otherwise.
   */
  config(): Record<string, string> {
    const origin = new URL(stackEnv.originMysqlUrl);
    const o = this.#options;
    const properties = connectorConfig({
      source: o.prefix,
      origin: {
        host: origin.hostname,
        port: Number(origin.port || '3307'),
        user: stackEnv.originDebeziumUser,
        password: { kind: 'env', variable: 'UNUSED' },
        database: o.database,
      },
      tables: o.tables ?? [],
      format: 'json',
      encodings: o.encodings,
      kafkaBrokers: stackEnv.kafkaBrokers,
      extra: { 'database.password': stackEnv.originDebeziumPassword, ...o.extra },
    });
    if (o.tables === undefined) delete properties['table.include.list'];
    return properties;
  }

  async create(): Promise<void> {
    const response = await fetch(`${stackEnv.connectUrl}/connectors/${this.name}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(this.config()),
    });
    if (!response.ok)
      throw new Error(`creating connector ${this.name}: ${response.status} ${await response.text()}`);
    await this.waitRunning();
  }

  async waitRunning(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const response = await fetch(`${stackEnv.connectUrl}/connectors/${this.name}/status`);
      last = await response.text();
      if (response.ok) {
        const status = JSON.parse(last) as {
          connector: { state: string };
          tasks: { state: string; trace?: string }[];
        };
        if (status.tasks.some((t) => t.state === 'FAILED'))
          throw new Error(`connector ${this.name} failed: ${last}`);
        if (
          status.connector.state === 'RUNNING' &&
          status.tasks.length > 0 &&
          status.tasks.every((t) => t.state === 'RUNNING')
        )
          return;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`connector ${this.name} not running after ${timeoutMs} ms: ${last}`);
  }

  async status(): Promise<unknown> {
    const response = await fetch(`${stackEnv.connectUrl}/connectors/${this.name}/status`);
    return response.ok ? await response.json() : `${response.status}`;
  }

  async remove(): Promise<void> {
    await fetch(`${stackEnv.connectUrl}/connectors/${this.name}`, { method: 'DELETE' }).catch(
      () => undefined,
    );
  }
}
