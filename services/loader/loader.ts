/**
 * `createLoader(config, deps)`: the loader assembled, for main.ts and for compositions in one
 * process (tests, benchmarks, the embedded mode). Sources come from `deps.sources` or the
 * config's sources file; adapters (Kafka consumer, dead-letter sink) can be injected, and what
 * the loader opens itself it closes in `stop()`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CuttleError } from '../../lib/errors.ts';
import { sleep } from '../../lib/lifecycle.ts';
import { silentLogger, type Logger } from '../../lib/logging.ts';
import { createRegistry, type Registry } from '../../lib/metrics.ts';
import { ConfluentRegistryAdapter } from './adapters/confluent-registry-adapter.ts';
import { KafkajsChangeConsumer } from './adapters/kafkajs-consumer-adapter.ts';
import type { LoaderConfig } from './config.ts';
import type { ChangeConsumer } from './consumer/consumer.ts';
import { MemoryDeadLetterSink, type DeadLetterSink } from './dead-letters/dead-letter.ts';
import { AvroEventDecoder } from './decode/avro-decoder.ts';
import type { EventDecoder } from './decode/decoder.ts';
import { JsonEventDecoder } from './decode/json-decoder.ts';
import type { SchemaRegistry } from './decode/schema-registry.ts';
import { ExecutiveClient } from './executive/executive-client.ts';
import { StatusServer } from './http/status-server.ts';
import { sourceConfigSchema, type SourceConfig, type SourceConfigInput } from './mapping/source-config.ts';
import { SourceMapper } from './mapping/source-mapper.ts';
import { createLoaderMetrics, type LoaderMetrics } from './metrics.ts';
import { LoaderPipeline } from './pipeline/loader-pipeline.ts';
import { topicsOf, type SourceRoute } from './pipeline/source-route.ts';

export interface LoaderDeps {
  readonly log?: Logger;
  readonly sources?: readonly SourceConfigInput[];
  readonly consumer?: ChangeConsumer;
  readonly deadLetters?: DeadLetterSink;
  readonly registry?: SchemaRegistry;
  readonly metricsRegistry?: Registry;
}

export interface Loader {
  readonly pipeline: LoaderPipeline;
  readonly metrics: LoaderMetrics;
  readonly topics: readonly string[];
  readonly deadLetters: DeadLetterSink;
  /** Base URL of the status server once started. */
  statusUrl: string | undefined;
  start(): Promise<void>;
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
): { routes: Map<string, SourceRoute>; topics: string[] } {
  const routes = new Map<string, SourceRoute>();
  const topics: string[] = [];
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
    };
    for (const topic of topicsOf(config.topicPrefix ?? config.name, mapper, config.schemaTopic)) {
      if (routes.has(topic)) throw new CuttleError('CONFIG_INVALID', `topic ${topic} belongs to two sources`);
      routes.set(topic, route);
      topics.push(topic);
    }
  }
  return { routes, topics };
}

export function createLoader(config: LoaderConfig, deps: LoaderDeps = {}): Loader {
  const log = deps.log ?? silentLogger();
  const sources = (deps.sources ?? readSourcesFile(config.sourcesFile)).map((s) =>
    sourceConfigSchema.parse(s),
  );
  let registry = deps.registry;
  const json = new JsonEventDecoder();
  const decoderFor = (source: SourceConfig): EventDecoder => {
    if (source.format === 'json') return json;
    if (registry === undefined) {
      if (config.registryUrl === undefined) {
        throw new CuttleError(
          'CONFIG_INVALID',
          `source ${source.name} is Avro: LOADER_REGISTRY_URL is required`,
        );
      }
      registry = new ConfluentRegistryAdapter({ url: config.registryUrl });
    }
    return new AvroEventDecoder(registry);
  };
  const { routes, topics } = buildRoutes(sources, decoderFor);
  const metricsRegistry = deps.metricsRegistry ?? createRegistry('loader');
  const metrics = createLoaderMetrics(metricsRegistry);
  const consumer =
    deps.consumer ??
    new KafkajsChangeConsumer({
      brokers: config.brokers,
      groupId: config.groupId,
      clientId: config.clientId,
      partitionsConsumedConcurrently: config.partitionsConcurrently,
      log: log.child({ component: 'kafka' }),
    });
  const deadLetters = deps.deadLetters ?? new MemoryDeadLetterSink();
  const pipeline = new LoaderPipeline(routes, {
    consumer,
    executive: new ExecutiveClient({
      url: config.executiveUrl,
      writer: config.writer,
      secret: config.secret,
    }),
    deadLetters,
    metrics,
    log: log.child({ component: 'pipeline' }),
    limits: {
      maxMutations: config.maxBatchMutations,
      maxBytes: config.maxBatchBytes,
      maxEvents: 5000,
      maxWaitMs: config.maxBatchWaitMs,
    },
    now: Date.now,
    sleep: (ms) => sleep(ms),
  });
  const status = new StatusServer({
    host: config.httpHost,
    port: config.httpPort,
    registry: metricsRegistry,
    status: pipeline,
  });
  const loader: Loader = {
    pipeline,
    metrics,
    topics,
    deadLetters,
    statusUrl: undefined,
    async start() {
      loader.statusUrl = await status.start();
      await consumer.start(topics, pipeline);
      log.info({ topics, statusUrl: loader.statusUrl }, 'loader started');
    },
    async stop() {
      await consumer.stop();
      await status.stop();
    },
  };
  return loader;
}
