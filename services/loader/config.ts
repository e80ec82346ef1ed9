/** The loader's options: env LOADER_<NAME> or flag --<name>. Read once, in main.ts. */
import { env, loadConfig, type ConfigOf } from '../../lib/config.ts';
import { statusOptions } from '../../lib/status/status-config.ts';

export const loaderOptions = {
  brokers: {
    schema: env.list(['127.0.0.1:19092']),
    description: 'Kafka bootstrap brokers, comma-separated.',
  },
  groupId: {
    schema: env.string('cuttle-loader'),
    description: 'Kafka consumer group shared by all loader processes.',
  },
  clientId: { schema: env.string('cuttle-loader'), description: 'Kafka client id.' },
  executiveUrl: { schema: env.url('http://127.0.0.1:7070'), description: 'Base URL of the executive API.' },
  writer: {
    schema: env.string('loader'),
    description: 'Writer name the loader commits as for sources without a writer of their own.',
  },
  secret: { schema: env.string(), description: "The writer's secret. Required." },
  writerSecretsDir: {
    schema: env.optional(),
    description:
      'Folder of per-source writer secrets, one file per writer name (source.<name>); a secret in CUTTLE_WRITER_SECRET_<NAME> comes first.',
  },
  sourcesFile: {
    schema: env.optional(),
    description:
      'JSON file with a fixed list of sources; without it the loader follows the cuttle.sources registry.',
  },
  eventsFile: {
    schema: env.optional(),
    description:
      'Read Debezium JSON change events from this file (one per line, followed as it grows) instead of Kafka; the embedded mode uses it.',
  },
  sourcesPollMs: { schema: env.int(5000, 100), description: 'How often the sources registry is read again.' },
  connectUrl: {
    schema: env.optional(),
    description:
      "Kafka Connect REST API (e.g. http://127.0.0.1:18083): a source whose connector or task has FAILED is then reported down. Without it connector failures show only in 'cuttle sources show'.",
  },
  connectCheckMs: {
    schema: env.int(10_000, 100),
    description: "How often each source's connector state is read from Kafka Connect.",
  },
  registryUrl: {
    schema: env.optional(),
    description:
      'Confluent-compatible schema registry API, for Avro sources (e.g. http://127.0.0.1:18081/apis/ccompat/v7).',
  },
  adminToken: {
    schema: env.optional(),
    description:
      "The executive's admin token, only for sources with schemaChanges=add-columns: the loader then adds fields for new origin columns.",
  },
  redisUrl: {
    schema: env.optional(),
    description: 'Redis for the dead-letter queue (BullMQ). Without it dead letters are kept in memory only.',
  },
  deadLetterPrefix: {
    schema: env.string('bull'),
    description: 'BullMQ key prefix of the dead-letter queue.',
  },
  deadLetterPollMs: {
    schema: env.int(2000, 100),
    description: 'How often operator requests on dead letters (retry, drop) are looked for.',
  },
  maxBatchMutations: { schema: env.int(1000, 1), description: 'Close a batch at this many mutations.' },
  maxBatchBytes: {
    schema: env.int(1024 * 1024, 1024),
    description: 'Close a batch at about this many bytes of events.',
  },
  maxBatchWaitMs: {
    schema: env.int(50),
    description: 'Close a non-empty batch this long after its first event.',
  },
  partitionsConcurrently: { schema: env.int(4, 1), description: 'Partitions processed at the same time.' },
  transactionWaitMs: {
    schema: env.int(60_000, 0),
    description:
      "Longest wait for the end of an origin transaction (Debezium's transaction topic) before its changes so far are committed without the rest. Long enough to outlast a Kafka Connect worker's restart in the middle of a transaction.",
  },
  httpHost: {
    schema: env.string('127.0.0.1'),
    description: 'Address of the health, status and metrics endpoints.',
  },
  httpPort: {
    schema: env.int(7071),
    description: 'Port of the health, status and metrics endpoints (0 picks one).',
  },
  logLevel: { schema: env.string('info'), description: 'pino log level.' },
  ...statusOptions,
} as const;

export type LoaderConfig = ConfigOf<typeof loaderOptions>;

export function loadLoaderConfig(
  environment: Readonly<Record<string, string | undefined>>,
  argv: readonly string[] = [],
): LoaderConfig {
  return loadConfig('LOADER', loaderOptions, environment, argv);
}
