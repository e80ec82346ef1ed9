/**
 * What the loader builds for each source it follows: the source's routes (mapping, decoder,
 * transaction tracker per topic), the executive client of its writer, its Kafka consumer and
 * transaction feed, and the SourceRunner that runs them. The loader (loader.ts) decides which
 * sources to follow and when; this file knows how one is put together.
 */
import type { DeadLetterStore } from '../../lib/dead-letters/dead-letter.ts';
import { CuttleError, ensureError } from '../../lib/errors.ts';
import { sleep } from '../../lib/lifecycle.ts';
import type { Logger } from '../../lib/logging.ts';
import { ConfluentRegistryAdapter } from './adapters/confluent-registry-adapter.ts';
import { KafkajsChangeConsumer } from './adapters/kafkajs-consumer-adapter.ts';
import { KafkajsTransactionFeed, type TransactionFeedTopic } from './adapters/kafkajs-transaction-feed.ts';
import type { LoaderConfig } from './config.ts';
import type { ChangeConsumer } from './consumer/consumer.ts';
import { FileChangeConsumer } from './consumer/file-consumer.ts';
import { AvroEventDecoder } from './decode/avro-decoder.ts';
import type { EventDecoder } from './decode/decoder.ts';
import { JsonEventDecoder } from './decode/json-decoder.ts';
import type { SchemaRegistry } from './decode/schema-registry.ts';
import { ExecutiveClient } from './executive/executive-client.ts';
import { sourceConfigSchema, type SourceConfig, type SourceConfigInput } from './mapping/source-config.ts';
import { SourceMapper } from './mapping/source-mapper.ts';
import type { LoaderMetrics } from './metrics.ts';
import {
  topicsOf,
  transactionTopic,
  type SchemaApi,
  type SourceRoute,
  type TableKeys,
} from './pipeline/source-route.ts';
import { TransactionTracker } from './pipeline/transactions.ts';
import { SourceRunner } from './source-runner.ts';
import { ExecutiveAdmin } from './sources/executive-admin.ts';
import { updateSourceConfig } from './sources/registration.ts';
import { writerSecretPlaces, type WriterSecrets } from './writer-secrets.ts';

export function buildRoutes(
  sources: readonly SourceConfig[],
  decoderFor: (source: SourceConfig) => EventDecoder,
  schemaApi?: SchemaApi,
  rows?: TableKeys,
): {
  routes: Map<string, SourceRoute>;
  topics: string[];
  /** Each source's transaction topic, with the tracker its partitions consult. */
  transactionTopics: Map<string, TransactionFeedTopic>;
} {
  const routes = new Map<string, SourceRoute>();
  const topics: string[] = [];
  const transactionTopics = new Map<string, TransactionFeedTopic>();
  for (const config of sources) {
    const mapper = new SourceMapper(config);
    const firstTable = mapper.tables[0];
    if (firstTable === undefined)
      throw new CuttleError('CONFIG_INVALID', `source ${config.name} maps no table`);
    const route: SourceRoute = {
      source: config.name,
      mapper,
      decoder: decoderFor(config),
      defaultFamily: firstTable.schema.family,
      held: new Map(),
      transactions: new TransactionTracker(),
      ...(schemaApi === undefined ? {} : { schemaApi }),
      ...(rows === undefined ? {} : { rows }),
    };
    transactionTopics.set(transactionTopic(config.topicPrefix ?? config.name), {
      decoder: route.decoder,
      tracker: route.transactions as TransactionTracker,
    });
    for (const topic of topicsOf(config.topicPrefix ?? config.name, mapper, config.schemaTopic)) {
      if (routes.has(topic)) throw new CuttleError('CONFIG_INVALID', `topic ${topic} belongs to two sources`);
      routes.set(topic, route);
      topics.push(topic);
    }
  }
  return { routes, topics, transactionTopics };
}

/** A source the loader follows: its runner, or why it has none (its configuration is unusable). */
export interface FollowedSource {
  readonly fingerprint: string;
  readonly runner?: SourceRunner;
  /** The executive as the source's writer. */
  readonly executive?: ExecutiveClient;
  readonly broken?: string;
}

export interface SourceFactoryDeps {
  readonly config: LoaderConfig;
  readonly log: Logger;
  readonly metrics: LoaderMetrics;
  readonly deadLetters: DeadLetterStore;
  /** The executive as the loader's own writer (sources without a writer of their own commit so). */
  readonly executive: ExecutiveClient;
  /** Sources fixed at start (tests, a sources file): a changed mapping cannot be saved. */
  readonly fixedSources: boolean;
  readonly consumerFactory?: () => ChangeConsumer;
  readonly registry?: SchemaRegistry;
  readonly writerSecrets?: WriterSecrets;
}

export class SourceFactory {
  readonly #deps: SourceFactoryDeps;
  readonly #config: LoaderConfig;
  readonly #json = new JsonEventDecoder();
  #registry: SchemaRegistry | undefined;

  constructor(deps: SourceFactoryDeps) {
    this.#deps = deps;
    this.#config = deps.config;
    this.#registry = deps.registry;
  }

  /** A runner for one source, or why it cannot have one; never throws. */
  follow(name: string, input: SourceConfigInput, claimed: ReadonlyMap<string, string>): FollowedSource {
    const fingerprint = JSON.stringify(input);
    const credentials = this.#credentialsOf(input.writer);
    if (typeof credentials === 'string') return { fingerprint, broken: credentials };
    const executive =
      credentials.writer === this.#config.writer
        ? this.#deps.executive
        : new ExecutiveClient({ url: this.#config.executiveUrl, ...credentials });
    let built: ReturnType<typeof buildRoutes>;
    try {
      built = buildRoutes(
        [sourceConfigSchema.parse(input)],
        (s) => this.#decoderFor(s),
        this.#schemaApi(),
        this.#tableKeys(credentials),
      );
    } catch (err) {
      return { fingerprint, broken: `its configuration cannot be used: ${ensureError(err).message}` };
    }
    const taken = built.topics.filter((t) => claimed.has(t));
    if (taken.length > 0)
      return {
        fingerprint,
        broken: `topic(s) ${taken.join(', ')} belong to source ${claimed.get(taken[0] ?? '')}`,
      };
    const log = this.#deps.log.child({ component: 'pipeline', source: name });
    const runner = new SourceRunner({
      source: name,
      routes: built.routes,
      topics: built.topics,
      consumer: () => this.#deps.consumerFactory?.() ?? this.#kafkaConsumer(name),
      companion: () => this.#transactionFeed(name, built.transactionTopics),
      worker: {
        executive,
        deadLetters: this.#deps.deadLetters,
        metrics: this.#deps.metrics,
        log,
        limits: {
          maxMutations: this.#config.maxBatchMutations,
          maxBytes: this.#config.maxBatchBytes,
          maxEvents: 5000,
          maxWaitMs: this.#config.maxBatchWaitMs,
        },
        now: Date.now,
        sleep: (ms) => sleep(ms),
        transactionWaitMs: this.#config.transactionWaitMs,
      },
      log,
      onState: (up) => this.#deps.metrics.sourceUp.set({ source: name }, up ? 1 : 0),
    });
    return { fingerprint, runner, executive };
  }

  /** The writer a source commits as, with its secret; or why the source cannot run. */
  #credentialsOf(writer: string | undefined): { writer: string; secret: string } | string {
    if (writer === undefined || writer === this.#config.writer)
      return { writer: this.#config.writer, secret: this.#config.secret };
    const secret = this.#deps.writerSecrets?.(writer);
    if (secret === undefined)
      return `no secret for its writer ${writer}: give the loader ${writerSecretPlaces(writer, this.#config.writerSecretsDir)}`;
    return { writer, secret };
  }

  /** Follows a source's transaction topic (Kafka only), so that origin transactions stay whole. */
  async #transactionFeed(
    source: string,
    topics: ReadonlyMap<string, TransactionFeedTopic>,
  ): Promise<KafkajsTransactionFeed | undefined> {
    if (this.#deps.consumerFactory !== undefined || this.#config.eventsFile !== undefined) return undefined;
    const feed = new KafkajsTransactionFeed({
      brokers: this.#config.brokers,
      clientId: this.#config.clientId,
      groupId: `${this.#config.groupId}.${source}`,
      topics,
      log: this.#deps.log.child({ component: 'transactions', source }),
    });
    try {
      await feed.start();
      return feed;
    } catch (err) {
      // No end marker can arrive: partitions commit each transaction as far as a fetch holds it.
      this.#deps.log.error({ err, source }, 'the transaction topics cannot be followed');
      await feed.stop().catch(() => undefined);
      return undefined;
    }
  }

  /** A cuttle table's keys through the executive's read API, as the source's writer. */
  #tableKeys(credentials: { writer: string; secret: string }): TableKeys {
    const reader = new ExecutiveAdmin(this.#config.executiveUrl, {
      writer: { name: credentials.writer, secret: credentials.secret },
    });
    return {
      keys: async (family, table, keyFields) =>
        (await reader.scan(family, table)).map((row) =>
          Object.fromEntries(keyFields.map((k) => [k, row[k]])),
        ),
    };
  }

  /** Schema changes the loader may follow itself, when it was given the admin token. */
  #schemaApi(): SchemaApi | undefined {
    const token = this.#config.adminToken;
    if (token === undefined) return undefined;
    const admin = new ExecutiveAdmin(this.#config.executiveUrl, { adminToken: token });
    const fixed = this.#deps.fixedSources || this.#config.sourcesFile !== undefined;
    return {
      addFields: (family, table, fields) => admin.addFields(family, table, fields),
      saveSource: async (config) => {
        if (fixed) {
          this.#deps.log.warn(
            { source: config.name },
            'fixed sources: the new mapping lasts until a restart',
          );
          return;
        }
        await updateSourceConfig(admin, config);
      },
    };
  }

  #decoderFor(source: SourceConfig): EventDecoder {
    if (source.format === 'json') return this.#json;
    if (this.#registry === undefined) {
      if (this.#config.registryUrl === undefined) {
        throw new CuttleError(
          'CONFIG_INVALID',
          `source ${source.name} is Avro: LOADER_REGISTRY_URL is required`,
        );
      }
      this.#registry = new ConfluentRegistryAdapter({ url: this.#config.registryUrl });
    }
    return new AvroEventDecoder(this.#registry);
  }

  #kafkaConsumer(source: string): ChangeConsumer {
    if (this.#config.eventsFile !== undefined)
      return new FileChangeConsumer({
        path: this.#config.eventsFile,
        log: this.#deps.log.child({ component: 'events-file' }),
      });
    return new KafkajsChangeConsumer({
      brokers: this.#config.brokers,
      // One group per source: a rebalance or crash of one source's consumer leaves the others.
      groupId: `${this.#config.groupId}.${source}`,
      clientId: this.#config.clientId,
      partitionsConsumedConcurrently: this.#config.partitionsConcurrently,
      log: this.#deps.log.child({ component: 'kafka', source }),
    });
  }
}
