/**
 * The origin side of the loader's end-to-end tests: a throwaway database on the stack's private
 * MariaDB (the one Debezium captures) and a Debezium MariaDB connector registered through Kafka
 * Connect's REST API with a unique name, topic prefix and server id, removed afterwards.
 */
import { createConnection, type Connection } from 'mysql2/promise';
import { randomBytes, randomInt } from 'node:crypto';
import { connectorProperties, type DebeziumEncodings } from '../../../services/loader/mapping/encodings.ts';
import type { TableMappingConfig } from '../../../services/loader/mapping/source-config.ts';
import { avroConverterConfig } from '../../../services/loader/sources/connector-config.ts';
import {
  ORIGIN_COLUMNS_SQL,
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

  /** The source mapping of a table as `cuttle sources add` builds it from information_schema. */
  async tableMapping(choice: Omit<TableChoice, 'database'>): Promise<TableMappingConfig> {
    const rows = await this.all(ORIGIN_COLUMNS_SQL, [this.database, choice.table]);
    const columns: OriginColumn[] = rows.map((r) => ({
      name: String(r.name),
      type: String(r.type),
      position: Number(r.position),
      keyPosition: r.keyPosition === null ? null : Number(r.keyPosition),
    }));
    return tableMappingFromOrigin({ ...choice, database: this.database }, columns);
  }

  async close(): Promise<void> {
    await this.#conn.query(`DROP DATABASE IF EXISTS \`${this.database}\``).catch(() => undefined);
    await this.#conn.end();
  }
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

  config(): Record<string, string> {
    const origin = new URL(stackEnv.originMysqlUrl);
    const o = this.#options;
    return {
      'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
      'tasks.max': '1',
      'database.hostname': origin.hostname,
      'database.port': origin.port || '3307',
      'database.user': 'debezium',
      'database.password': 'dbz',
      'database.server.id': String(randomInt(100_000, 2_000_000_000)),
      'topic.prefix': o.prefix,
      'database.include.list': o.database,
      'schema.history.internal.kafka.bootstrap.servers': stackEnv.kafkaBrokers.join(','),
      'schema.history.internal.kafka.topic': `${o.prefix}.schema-history`,
      'include.schema.changes': 'true',
      'tombstones.on.delete': 'true',
      'snapshot.mode': 'initial',
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable': 'false',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      ...connectorProperties(o.encodings),
      ...o.extra,
    };
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
