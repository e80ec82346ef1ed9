/**
 * `createLoader(config, deps)`: the loader assembled, for main.ts and for compositions in one
 * process (tests, benchmarks, the embedded mode). Sources come from `deps.sources`, the config's
 * sources file, or (by default) the `cuttle.sources` registry in ctldb, polled so that added,
 * changed, paused and removed sources take effect without a restart: the consumer is rebuilt
 * with the new topics and every partition seeks to its stored offset again. How one source is put
 * together (routes, consumer, transaction feed, runner) is source-factory.ts.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BullmqDeadLetterStore } from '../../lib/dead-letters/bullmq-dead-letter-adapter.ts';
import { MemoryDeadLetterSink, type DeadLetterStore } from '../../lib/dead-letters/dead-letter.ts';
import { CuttleError } from '../../lib/errors.ts';
import { backoffMs } from '../../lib/lifecycle.ts';
import { silentLogger, type Logger } from '../../lib/logging.ts';
import { createRegistry, type Registry } from '../../lib/metrics.ts';
import { ConnectClient } from '../../lib/sources/connect-client.ts';
import type { LoaderConfig } from './config.ts';
import type { ChangeConsumer } from './consumer/consumer.ts';
import { registerPendingDeadLettersMetric } from './dead-letters/pending-metric.ts';
import { DeadLetterReplayer } from './dead-letters/replayer.ts';
import type { SchemaRegistry } from './decode/schema-registry.ts';
import { ExecutiveClient } from './executive/executive-client.ts';
import { StatusServer } from './http/status-server.ts';
import type { SourceConfigInput } from './mapping/source-config.ts';
import { createLoaderMetrics, type LoaderMetrics } from './metrics.ts';
import type { PartitionStatus } from './pipeline/partition-worker.ts';
import type { SourceRoute } from './pipeline/source-route.ts';
import { SourceFactory, type FollowedSource } from './source-factory.ts';
import type { SourceRunner, SourceState } from './source-runner.ts';
import { ConnectorWatch } from './sources/connector-watch.ts';
import { ExecutiveAdmin } from './sources/executive-admin.ts';
import { listSources } from './sources/registration.ts';
import type { WriterSecrets } from './writer-secrets.ts';

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

export function createLoader(config: LoaderConfig, deps: LoaderDeps = {}): Loader {
  return new LoaderService(config, deps);
}

class LoaderService implements Loader {
  readonly metrics: LoaderMetrics;
  readonly deadLetters: DeadLetterStore;
  readonly #config: LoaderConfig;
  readonly #deps: LoaderDeps;
  readonly #log: Logger;
  readonly #status: StatusServer;
  readonly #factory: SourceFactory;
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
    this.#factory = new SourceFactory({
      config,
      log: this.#log,
      metrics: this.metrics,
      deadLetters: this.deadLetters,
      executive: this.#executive,
      fixedSources: deps.sources !== undefined || config.sourcesFile !== undefined,
      ...(deps.consumerFactory === undefined ? {} : { consumerFactory: deps.consumerFactory }),
      ...(deps.registry === undefined ? {} : { registry: deps.registry }),
      ...(deps.writerSecrets === undefined ? {} : { writerSecrets: deps.writerSecrets }),
    });
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
      const followed = this.#factory.follow(name, input, claimed);
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

  #routes(): ReadonlyMap<string, SourceRoute> {
    return new Map([...this.#sources.values()].flatMap((s) => [...(s.runner?.routes ?? [])]));
  }

  #runnerOf(topic: string): SourceRunner | undefined {
    return [...this.#sources.values()].find((s) => s.runner?.routes.has(topic))?.runner;
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
}
