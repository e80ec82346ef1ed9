/**
 * `createLoader(config, deps)`: the loader assembled, for main.ts and for compositions in one
 * process (tests, benchmarks, the embedded mode). Sources come from `deps.sources`, the config's
 * sources file, or (by default) the `cuttle.sources` registry in ctldb, polled so that added,
 * changed, paused and removed sources take effect without a restart: the consumer is rebuilt
 * with the new topics and every partition seeks to its stored offset again.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BullmqDeadLetterStore } from '../../lib/dead-letters/bullmq-dead-letter-adapter.ts';
import { MemoryDeadLetterSink, type DeadLetterStore } from '../../lib/dead-letters/dead-letter.ts';
import { CuttleError, ensureError } from '../../lib/errors.ts';
import { backoffMs, sleep } from '../../lib/lifecycle.ts';
import { silentLogger, type Logger } from '../../lib/logging.ts';
import { createRegistry, type Registry } from '../../lib/metrics.ts';
import { ConnectClient } from '../../lib/sources/connect-client.ts';
import { ConfluentRegistryAdapter } from './adapters/confluent-registry-adapter.ts';
import { KafkajsChangeConsumer } from './adapters/kafkajs-consumer-adapter.ts';
import { KafkajsTransactionFeed, type TransactionFeedTopic } from './adapters/kafkajs-transaction-feed.ts';
import type { LoaderConfig } from './config.ts';
import type { ChangeConsumer } from './consumer/consumer.ts';
import { FileChangeConsumer } from './consumer/file-consumer.ts';
import { registerPendingDeadLettersMetric } from './dead-letters/pending-metric.ts';
import { DeadLetterReplayer } from './dead-letters/replayer.ts';
import { AvroEventDecoder } from './decode/avro-decoder.ts';
import type { EventDecoder } from './decode/decoder.ts';
import { JsonEventDecoder } from './decode/json-decoder.ts';
import type { SchemaRegistry } from './decode/schema-registry.ts';
import { ExecutiveClient } from './executive/executive-client.ts';
import { StatusServer } from './http/status-server.ts';
import { sourceConfigSchema, type SourceConfig, type SourceConfigInput } from './mapping/source-config.ts';
import { SourceMapper } from './mapping/source-mapper.ts';
import { createLoaderMetrics, type LoaderMetrics } from './metrics.ts';
import type { PartitionStatus } from './pipeline/partition-worker.ts';
import {
  topicsOf,
  transactionTopic,
  type SchemaApi,
  type SourceRoute,
  type TableKeys,
} from './pipeline/source-route.ts';
import { TransactionTracker } from './pipeline/transactions.ts';
import { SourceRunner, type SourceState } from './source-runner.ts';
import { ConnectorWatch } from './sources/connector-watch.ts';
import { ExecutiveAdmin } from './sources/executive-admin.ts';
import { listSources, updateSourceConfig } from './sources/registration.ts';
import { writerSecretPlaces, type WriterSecrets } from './writer-secrets.ts';

export interface LoaderDeps {
  readonly log?: Logger;
  /** Fixed sources (tests, benchmarks); otherwise the sources file or the registry. */
  readonly sources?: readonly SourceConfigInput[];
  readonly consumerFactory?: () => ChangeConsumer;
  readonly deadLetters?: DeadLetterStore;
  readonly registry?: SchemaRegistry;
  readonly metricsRegistry?: Registry;
  /** Secrets of the sources' own writers (main.ts: CUTTLE_WRITER_SECRET_<NAME>, LOADER_WRITER_SECRETS_DIR). */
  readonly writerSecrets?: WriterSecrets;
}

export interface Loader {
  readonly metrics: LoaderMetrics;
  readonly deadLetters: DeadLetterStore;
  /** Topics currently consumed. */
  readonly topics: readonly string[];
  readonly statuses: readonly PartitionStatus[];
  /** Base URL of the status server once started. */
  readonly statusUrl: string | undefined;
  /** Readiness, as GET /ready reports it (see StatusSource.ready). */
  ready(): boolean;
  start(): Promise<void>;
  /** Reads the sources again now, rebuilding the consumer if they changed. */
  refreshSources(): Promise<boolean>;
  /** Acts on pending dead-letter requests now; returns how many it handled. */
  replayDeadLetters(): Promise<number>;
  stop(): Promise<void>;
}

export function readSourcesFile(path: string): SourceConfigInput[] {
  const parsed = z.array(z.unknown()).safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new CuttleError('CONFIG_INVALID', `${path} must hold a JSON array of sources`);
  return parsed.data as SourceConfigInput[];
}

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

export function createLoader(config: LoaderConfig, deps: LoaderDeps = {}): Loader {
  return new LoaderService(config, deps);
}

/** A source the loader follows: its runner, or why it has none (its configuration is unusable). */
interface FollowedSource {
  readonly fingerprint: string;
  readonly runner?: SourceRunner;
  /** The executive as the source's writer. */
  readonly executive?: ExecutiveClient;
  readonly broken?: string;
}

class LoaderService implements Loader {
  readonly metrics: LoaderMetrics;
  readonly deadLetters: DeadLetterStore;
  readonly #config: LoaderConfig;
  readonly #deps: LoaderDeps;
  readonly #log: Logger;
  readonly #status: StatusServer;
  readonly #json = new JsonEventDecoder();
  #registry: SchemaRegistry | undefined;
  /** Each source on its own consumer, so that one that cannot be consumed stops only itself. */
  #sources = new Map<string, FollowedSource>();
  #loaded = false;
  #statusUrl: string | undefined;
  readonly #executive: ExecutiveClient;
  readonly #replayer: DeadLetterReplayer;
  #poller: NodeJS.Timeout | undefined;
  #connectorWatch: ConnectorWatch | undefined;
  #replayTimer: NodeJS.Timeout | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #readFailures = 0;
  #stopping = false;
  #refreshing: Promise<boolean> = Promise.resolve(false);

  constructor(config: LoaderConfig, deps: LoaderDeps) {
    this.#config = config;
    this.#deps = deps;
    this.#log = deps.log ?? silentLogger();
    this.#registry = deps.registry;
    this.deadLetters =
      deps.deadLetters ??
      (config.redisUrl === undefined
        ? new MemoryDeadLetterSink()
        : new BullmqDeadLetterStore({ redisUrl: config.redisUrl, prefix: config.deadLetterPrefix }));
    this.#executive = new ExecutiveClient({
      url: config.executiveUrl,
      writer: config.writer,
      secret: config.secret,
    });
    this.#replayer = new DeadLetterReplayer({
      store: this.deadLetters,
      routes: () => this.#routes(),
      pipeline: () => ({ find: (tp) => this.#runnerOf(tp.topic)?.find(tp) }),
      executive: (route) => this.#sources.get(route.source)?.executive ?? this.#executive,
      log: this.#log.child({ component: 'dead-letters' }),
    });
    const registry = deps.metricsRegistry ?? createRegistry('loader');
    this.metrics = createLoaderMetrics(registry);
    registerPendingDeadLettersMetric(registry, this.deadLetters);
    const status = {
      ready: () => this.#ready(),
      statuses: () => this.statuses,
      sources: () => this.sourceStates,
    };
    this.#status = new StatusServer({ host: config.httpHost, port: config.httpPort, registry, status });
  }

  get topics(): readonly string[] {
    return [...this.#sources.values()].flatMap((s) => s.runner?.topics ?? []);
  }

  get statuses(): readonly PartitionStatus[] {
    return [...this.#sources.values()].flatMap((s) => s.runner?.statuses ?? []);
  }

  get sourceStates(): readonly SourceState[] {
    return [...this.#sources.entries()].map(([source, followed]) =>
      followed.runner === undefined
        ? { source, up: false, reason: followed.broken ?? 'not started', topics: [] }
        : followed.runner.state,
    );
  }

  get statusUrl(): string | undefined {
    return this.#statusUrl;
  }

  ready(): boolean {
    return this.#ready();
  }

  async start(): Promise<void> {
    this.#statusUrl = await this.#status.start();
    await this.refreshSources().catch((err: unknown) => {
      // The registry (executive) may be down at start: report unready and keep trying.
      this.#log.error({ err }, 'reading the sources failed');
      this.#restartLater();
    });
    if (this.#deps.sources === undefined && this.#config.sourcesFile === undefined) {
      this.#poller = setInterval(() => {
        this.refreshSources().catch((err: unknown) => this.#log.error({ err }, 'reading the sources failed'));
      }, this.#config.sourcesPollMs);
    }
    this.#connectorWatch = this.#watchConnectors();
    this.#replayTimer = setInterval(() => {
      this.#replayer
        .runOnce()
        .catch((err: unknown) => this.#log.error({ err }, 'dead-letter requests failed'));
    }, this.#config.deadLetterPollMs);
    this.#log.info({ topics: this.topics, statusUrl: this.#statusUrl }, 'loader started');
  }

  /** Reports sources whose connector failed, when Kafka Connect's URL is configured. */
  #watchConnectors(): ConnectorWatch | undefined {
    const url = this.#config.connectUrl;
    if (url === undefined) return undefined;
    const connect = new ConnectClient(url);
    const watch = new ConnectorWatch({
      read: (connector) => connect.status(connector),
      everyMs: this.#config.connectCheckMs,
      sources: () => this.#sources.keys(),
      report: (source, problem) => this.#sources.get(source)?.runner?.setConnectorProblem(problem),
      log: this.#log.child({ component: 'connectors' }),
    });
    watch.start();
    return watch;
  }

  /** Acts on pending dead-letter requests now (tests; the timer does it otherwise). */
  replayDeadLetters(): Promise<number> {
    return this.#replayer.runOnce();
  }

  refreshSources(): Promise<boolean> {
    // Chained after the previous refresh whatever its outcome: chaining on a rejected one would
    // skip every later refresh and repeat its old error forever (a ctldb restart did that).
    this.#refreshing = this.#refreshing.catch(() => false).then(() => this.#refresh());
    return this.#refreshing;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    clearInterval(this.#poller);
    clearInterval(this.#replayTimer);
    await this.#connectorWatch?.stop();
    await this.#refreshing.catch(() => undefined);
    await Promise.all([...this.#sources.values()].map((s) => s.runner?.stop() ?? Promise.resolve()));
    this.#sources.clear();
    await this.#status.stop();
    if (this.#deps.deadLetters === undefined) await this.deadLetters.close();
  }

  /**
   * Starts the sources that are new or changed, stops the changed and removed ones; the others
   * keep running untouched. Returns whether anything changed.
   */
  async #refresh(): Promise<boolean> {
    const wanted = new Map<string, SourceConfigInput>();
    for (const input of await this.#readSources()) wanted.set(String(input.name), input);
    this.#readFailures = 0;
    // The first read that succeeds changes what the loader follows, even to nothing.
    let changed = !this.#loaded;
    this.#loaded = true;
    for (const [name, followed] of this.#sources) {
      const input = wanted.get(name);
      if (input !== undefined && JSON.stringify(input) === followed.fingerprint) continue;
      await followed.runner?.stop();
      this.#sources.delete(name);
      this.metrics.sourceUp.remove({ source: name });
      changed = true;
    }
    const claimed = new Map<string, string>();
    for (const followed of this.#sources.values())
      for (const topic of followed.runner?.topics ?? []) claimed.set(topic, followed.runner?.source ?? '');
    for (const [name, input] of wanted) {
      if (this.#sources.has(name)) continue;
      const followed = this.#follow(name, input, claimed);
      this.#sources.set(name, followed);
      for (const topic of followed.runner?.topics ?? []) claimed.set(topic, name);
      changed = true;
      if (followed.runner === undefined) {
        this.metrics.sourceUp.set({ source: name }, 0);
        this.#log.error({ source: name, reason: followed.broken }, 'source not loaded');
      } else await followed.runner.start();
    }
    if (changed) this.#log.info({ sources: [...wanted.keys()], topics: this.topics }, 'sources loaded');
    return changed;
  }

  /** A runner for one source, or why it cannot have one; never throws. */
  #follow(name: string, input: SourceConfigInput, claimed: ReadonlyMap<string, string>): FollowedSource {
    const fingerprint = JSON.stringify(input);
    const credentials = this.#credentialsOf(input.writer);
    if (typeof credentials === 'string') return { fingerprint, broken: credentials };
    const executive =
      credentials.writer === this.#config.writer
        ? this.#executive
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
    const log = this.#log.child({ component: 'pipeline', source: name });
    const runner = new SourceRunner({
      source: name,
      routes: built.routes,
      topics: built.topics,
      consumer: () => this.#deps.consumerFactory?.() ?? this.#kafkaConsumer(name),
      companion: () => this.#transactionFeed(name, built.transactionTopics),
      worker: {
        executive,
        deadLetters: this.deadLetters,
        metrics: this.metrics,
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
      onState: (up) => this.metrics.sourceUp.set({ source: name }, up ? 1 : 0),
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

  #routes(): ReadonlyMap<string, SourceRoute> {
    return new Map([...this.#sources.values()].flatMap((s) => [...(s.runner?.routes ?? [])]));
  }

  #runnerOf(topic: string): SourceRunner | undefined {
    return [...this.#sources.values()].find((s) => s.runner?.routes.has(topic))?.runner;
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
      log: this.#log.child({ component: 'transactions', source }),
    });
    try {
      await feed.start();
      return feed;
    } catch (err) {
      // Partitions then wait out LOADER_TRANSACTION_WAIT_MS for each open transaction: slower, not wrong.
      this.#log.error({ err, source }, 'the transaction topics cannot be followed');
      await feed.stop().catch(() => undefined);
      return undefined;
    }
  }

  /** Reads the sources again after a backoff (the registry could not be read). */
  #restartLater(): void {
    if (this.#stopping || this.#restartTimer !== undefined) return;
    const delay = backoffMs(this.#readFailures++, 500, 30_000);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      this.refreshSources().catch((err: unknown) => {
        this.#log.error({ err }, 'reading the sources failed');
        this.#restartLater();
      });
    }, delay);
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
    const fixed = this.#deps.sources !== undefined || this.#config.sourcesFile !== undefined;
    return {
      addFields: (family, table, fields) => admin.addFields(family, table, fields),
      saveSource: async (config) => {
        if (fixed) {
          this.#log.warn({ source: config.name }, 'fixed sources: the new mapping lasts until a restart');
          return;
        }
        await updateSourceConfig(admin, config);
      },
    };
  }

  /** Ready when the sources were read and every one of them loads (a broken one is named in /status). */
  #ready(): boolean {
    if (!this.#loaded) return false;
    return [...this.#sources.values()].every((s) => s.runner?.ready() ?? false);
  }

  async #readSources(): Promise<readonly SourceConfigInput[]> {
    if (this.#deps.sources !== undefined) return this.#deps.sources;
    if (this.#config.sourcesFile !== undefined) return readSourcesFile(this.#config.sourcesFile);
    const executive = new ExecutiveAdmin(this.#config.executiveUrl, {
      writer: { name: this.#config.writer, secret: this.#config.secret },
    });
    return (await listSources(executive)).filter((s) => s.state === 'active').map((s) => s.config);
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
        log: this.#log.child({ component: 'events-file' }),
      });
    return new KafkajsChangeConsumer({
      brokers: this.#config.brokers,
      // One group per source: a rebalance or crash of one source's consumer leaves the others.
      groupId: `${this.#config.groupId}.${source}`,
      clientId: this.#config.clientId,
      partitionsConsumedConcurrently: this.#config.partitionsConcurrently,
      log: this.#log.child({ component: 'kafka', source }),
    });
  }
}
