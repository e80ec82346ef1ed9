/**
 * Debezium helpers for integration tests: a throw-away database on the origin MariaDB, and a
 * MariaDB connector registered through Connect's REST API that is RUNNING before the test goes on.
 *
 *   const db = await createOriginDatabase('loader');
 *   await db.execute('CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20))');
 *   const connector = await registerConnector(mariaDbConnectorConfig({ database: db.name }));
 *   const [event] = await consumeMessages(connector.topicFor(db.name, 't'));
 *   // finally: await connector.delete(); await db.drop();
 */
import { createConnection, type Connection } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { deleteTopicsWithPrefix, waitForTopic } from './kafka.ts';
import { stackEnv } from './stack-env.ts';

export const mariaDbConnectorClass = 'io.debezium.connector.mariadb.MariaDbConnector';
export const apicurioAvroConverterClass = 'io.apicurio.registry.utils.converter.AvroConverter';

/** `<area>_<10 random hex chars>`: unique names for databases, connectors and topic prefixes. */
export function uniqueName(area: string): string {
  return `${area}_${randomBytes(5).toString('hex')}`;
}

export interface OriginDatabase {
  readonly name: string;
  /** Runs one statement in this database (placeholders `?`). */
  execute(sql: string, params?: unknown[]): Promise<void>;
  /** Drops the database and closes the connection. */
  drop(): Promise<void>;
}

/** Creates `cuttle_<area>_<random>` on the origin MariaDB. */
export async function createOriginDatabase(area: string): Promise<OriginDatabase> {
  const name = `cuttle_${uniqueName(area)}`;
  const connection: Connection = await createConnection({
    uri: stackEnv.originMysqlUrl,
    multipleStatements: false,
  });
  await connection.query(`CREATE DATABASE \`${name}\``);
  await connection.query(`USE \`${name}\``);
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    try {
      await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
    } finally {
      await connection.end();
    }
  };
  return {
    name,
    execute: async (sql, params = []) => {
      await connection.query(sql, params);
    },
    drop,
  };
}

export type ConverterKind = 'json' | 'avro';

export interface MariaDbConnectorOptions {
  /** The origin database to capture (only this one). */
  readonly database: string;
  /** Connector name and topic prefix; unique by default. */
  readonly name?: string;
  readonly converter?: ConverterKind;
  /** Any other connector property; wins over the defaults. */
  readonly extra?: Readonly<Record<string, string>>;
}

export interface ConnectorConfig {
  readonly name: string;
  readonly config: Readonly<Record<string, string>>;
}

function converterConfig(kind: ConverterKind): Record<string, string> {
  if (kind === 'json') {
    const json = 'org.apache.kafka.connect.json.JsonConverter';
    return {
      'key.converter': json,
      'key.converter.schemas.enable': 'false',
      'value.converter': json,
      'value.converter.schemas.enable': 'false',
    };
  }
  // Apicurio 2.6 converter against the 3.x registry's v2 API, writing the Confluent wire format
  // (magic byte, 4-byte content id) that the ccompat API and Confluent clients understand.
  const avro: Record<string, string> = { 'schema.name.adjustment.mode': 'avro' };
  for (const side of ['key', 'value']) {
    Object.assign(avro, {
      [`${side}.converter`]: apicurioAvroConverterClass,
      [`${side}.converter.apicurio.registry.url`]: stackEnv.registryApiUrl,
      [`${side}.converter.apicurio.registry.auto-register`]: 'true',
      [`${side}.converter.apicurio.registry.find-latest`]: 'true',
      [`${side}.converter.apicurio.registry.headers.enabled`]: 'false',
      [`${side}.converter.apicurio.registry.as-confluent`]: 'true',
      [`${side}.converter.apicurio.registry.use-id`]: 'contentId',
    });
  }
  return avro;
}

/** A MariaDB connector capturing one origin database, with its own topic prefix and history topic. */
export function mariaDbConnectorConfig(options: MariaDbConnectorOptions): ConnectorConfig {
  const name = options.name ?? uniqueName('cuttle_test');
  const origin = new URL(stackEnv.originMysqlUrl);
  return {
    name,
    config: {
      'connector.class': mariaDbConnectorClass,
      'tasks.max': '1',
      'database.hostname': origin.hostname,
      'database.port': origin.port || '3306',
      'database.user': stackEnv.originDebeziumUser,
      'database.password': stackEnv.originDebeziumPassword,
      // Unique per connector, and never the origin's own server-id (223344).
      'database.server.id': String(1_000_000 + randomBytes(3).readUIntBE(0, 3)),
      'topic.prefix': name,
      'database.include.list': options.database,
      'schema.history.internal.kafka.bootstrap.servers': stackEnv.kafkaBrokers.join(','),
      'schema.history.internal.kafka.topic': `${name}.schema-history`,
      'snapshot.mode': 'initial',
      ...converterConfig(options.converter ?? 'json'),
      ...options.extra,
    },
  };
}

export interface RegisteredConnector {
  readonly name: string;
  /** Topic of a table's change events: `<prefix>.<database>.<table>`. */
  topicFor(database: string, table: string): string;
  /** Deletes the connector, then its topics. */
  delete(): Promise<void>;
}

async function connectRequest(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${stackEnv.connectUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok && response.status !== 404) {
    throw new Error(`Connect ${method} ${path}: HTTP ${response.status} ${text}`);
  }
  return text === '' ? null : (JSON.parse(text) as unknown);
}

interface ConnectorStatus {
  readonly connector?: { readonly state: string; readonly trace?: string };
  readonly tasks?: readonly { readonly state: string; readonly trace?: string }[];
}

/** Resolves when the connector and all its tasks are RUNNING; rejects on FAILED or timeout. */
export async function waitForConnectorRunning(name: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: ConnectorStatus | null = null;
  while (Date.now() < deadline) {
    last = (await connectRequest('GET', `/connectors/${name}/status`)) as ConnectorStatus | null;
    const states = [last?.connector, ...(last?.tasks ?? [])];
    const failed = states.find((s) => s?.state === 'FAILED');
    if (failed !== undefined) throw new Error(`connector ${name} FAILED: ${failed?.trace ?? ''}`);
    if ((last?.tasks ?? []).length > 0 && states.every((s) => s?.state === 'RUNNING')) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`connector ${name} not RUNNING within ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

/** Registers the connector (PUT, so a rerun with the same name updates it) and waits for RUNNING. */
export async function registerConnector(
  connector: ConnectorConfig,
  timeoutMs = 60_000,
): Promise<RegisteredConnector> {
  const { name } = connector;
  await connectRequest('PUT', `/connectors/${name}/config`, connector.config);
  const topicPrefix = connector.config['topic.prefix'] ?? name;
  const remove = async () => {
    await connectRequest('DELETE', `/connectors/${name}`);
    // The change topics, the schema-change topic (named after the prefix) and the history topic.
    await deleteTopicsWithPrefix(topicPrefix);
  };
  try {
    await waitForConnectorRunning(name, timeoutMs);
  } catch (error) {
    await remove().catch(() => undefined);
    throw error;
  }
  let deleted = false;
  const deleteOnce = async () => {
    if (deleted) return;
    deleted = true;
    await remove();
  };
  return {
    name,
    topicFor: (database, table) => `${topicPrefix}.${database}.${table}`,
    delete: deleteOnce,
  };
}

export interface CapturedTable {
  readonly db: OriginDatabase;
  readonly connector: RegisteredConnector;
  /** The table's change topic, already created (the snapshot has started). */
  readonly topic: string;
  /** Deletes the connector and its topics, then drops the database. */
  remove(): Promise<void>;
}

/**
 * A fresh origin database with one table (`table`, created by `setup` statements that may also
 * insert snapshot rows) and a running connector capturing it.
 */
export async function captureTable(options: {
  readonly area: string;
  readonly table: string;
  readonly converter: ConverterKind;
  readonly setup: readonly string[];
}): Promise<CapturedTable> {
  const db = await createOriginDatabase(options.area);
  try {
    for (const sql of options.setup) await db.execute(sql);
    const connector = await registerConnector(
      mariaDbConnectorConfig({ database: db.name, converter: options.converter }),
    );
    const topic = connector.topicFor(db.name, options.table);
    await waitForTopic(topic);
    return {
      db,
      connector,
      topic,
      remove: async () => {
        await connector.delete();
        await db.drop();
      },
    };
  } catch (err) {
    await db.drop();
    throw err;
  }
}
