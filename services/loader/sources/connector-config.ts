/**
 * The Debezium MariaDB connector a source runs (real-stack.md §2.4 and §3.1): its origin, its
 * topic prefix (= the source name), the encodings the loader decodes, and JSON or Apicurio Avro
 * converters in the Confluent wire format.
 */
import { randomInt } from 'node:crypto';
import { connectorProperties, type DebeziumEncodings } from '../mapping/encodings.ts';
import { connectPlaceholder, type SecretRef } from './secret-ref.ts';
import { escapeRegex, includeListEntry } from './table-names.ts';

export interface OriginAddress {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Resolved by the Connect worker's config providers; the value never leaves it. */
  readonly password: SecretRef;
  readonly database: string;
}

export interface ConnectorRequest {
  readonly source: string;
  readonly origin: OriginAddress;
  readonly tables: readonly string[];
  /** Key columns of tables without a primary key, by table (Debezium's `message.key.columns`). */
  readonly keyColumns?: Readonly<Record<string, readonly string[]>>;
  readonly format: 'json' | 'avro';
  readonly encodings: DebeziumEncodings;
  readonly kafkaBrokers: readonly string[];
  /** Apicurio's API for the Avro converters, e.g. http://127.0.0.1:18081/apis/registry/v2 */
  readonly converterRegistryUrl?: string;
  /** Must differ from the origin's server_id and every replica's. @defaultValue random */
  readonly serverId?: number;
  readonly extra?: Readonly<Record<string, string>>;
}

function converters(request: ConnectorRequest): Record<string, string> {
  if (request.format === 'json') {
    return {
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable': 'false',
      // A NULL in a nullable column with a DEFAULT stays NULL (KIP-581; Kafka's default writes
      // the column's default instead).
      'key.converter.replace.null.with.default': 'false',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      'value.converter.replace.null.with.default': 'false',
    };
  }
  return avroConverterConfig(request.converterRegistryUrl ?? 'http://127.0.0.1:18081/apis/registry/v2');
}

/** Apicurio's Avro converters on both sides, against the registry API at `url`. */
export function avroConverterConfig(url: string): Record<string, string> {
  const out: Record<string, string> = { 'schema.name.adjustment.mode': 'avro' };
  for (const side of ['key', 'value']) {
    out[`${side}.converter`] = 'io.apicurio.registry.utils.converter.AvroConverter';
    out[`${side}.converter.apicurio.registry.url`] = url;
    out[`${side}.converter.apicurio.registry.auto-register`] = 'true';
    out[`${side}.converter.apicurio.registry.find-latest`] = 'true';
    // The Confluent wire format (magic byte + 4-byte content id) on the 2.6 converter; 3.x
    // writes it by default and ignores the 2.x-only keys (real-stack.md §3.1).
    out[`${side}.converter.apicurio.registry.headers.enabled`] = 'false';
    out[`${side}.converter.apicurio.registry.as-confluent`] = 'true';
    out[`${side}.converter.apicurio.registry.use-id`] = 'contentId';
  }
  return out;
}

/**
 * What keeps values and transactions as the origin holds them, and their delay low (see the
 * loader README, "Source fidelity").
 */
export const FIDELITY_PROPERTIES: Readonly<Record<string, string>> = {
  // Two-digit years stay as written (0018-04-01 is not 2018-04-01; Debezium adjusts by default).
  'enable.time.adjuster': 'false',
  // Transaction boundaries (`<prefix>.transaction`, and each event's place in its transaction):
  // the loader keeps an origin transaction in one ledger batch, and its re-emission check exact.
  'provide.transaction.metadata': 'true',
  // TRUNCATE events too (Debezium skips them by default); the source's truncate policy decides.
  'skipped.operations': 'none',
  // Debezium hands events to Connect after waiting up to this long for a fuller batch (default
  // 500 ms): at low rates that wait was most of the origin-to-LDB delay.
  'poll.interval.ms': '10',
};

export function connectorConfig(request: ConnectorRequest): Record<string, string> {
  const { origin, source } = request;
  return {
    'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
    'tasks.max': '1',
    'database.hostname': origin.host,
    'database.port': String(origin.port),
    'database.user': origin.user,
    'database.password': connectPlaceholder(origin.password),
    'database.server.id': String(request.serverId ?? randomInt(100_000, 2_000_000_000)),
    'topic.prefix': source,
    // Both lists are regular expressions: names are escaped (sources add refuses the ones no list can hold).
    'database.include.list': escapeRegex(origin.database),
    'table.include.list': request.tables.map((t) => includeListEntry(origin.database, t)).join(','),
    ...messageKeyColumns(origin.database, request.keyColumns ?? {}),
    'schema.history.internal.kafka.bootstrap.servers': request.kafkaBrokers.join(','),
    'schema.history.internal.kafka.topic': `${source}.schema-history`,
    'include.schema.changes': 'true',
    ...FIDELITY_PROPERTIES,
    'tombstones.on.delete': 'true',
    'snapshot.mode': 'initial',
    ...connectorProperties(request.encodings),
    ...converters(request),
    ...request.extra,
  };
}

/** `message.key.columns`: `<database>.<table>:<col>,<col>` per table, `;`-separated. */
function messageKeyColumns(
  database: string,
  keys: Readonly<Record<string, readonly string[]>>,
): Record<string, string> {
  const entries = Object.entries(keys).filter(([, columns]) => columns.length > 0);
  if (entries.length === 0) return {};
  return {
    'message.key.columns': entries
      .map(([table, columns]) => `${includeListEntry(database, table)}:${columns.join(',')}`)
      .join(';'),
  };
}
