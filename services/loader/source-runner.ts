/**
 * One source's loading: its own Kafka consumer (group `<group>.<source>`), pipeline, transaction
 * feed and restart backoff. A source whose topics cannot be consumed (a name Kafka refuses, a
 * consumer that crashes or cannot join) is down on its own, with the reason, while every other
 * source's runner goes on: one kafkajs consumer for every source stopped them all.
 */
import { ensureError } from '../../lib/errors.ts';
import { backoffMs } from '../../lib/lifecycle.ts';
import type { Logger } from '../../lib/logging.ts';
import type { TopicPartition } from './batching/offsets.ts';
import type { ChangeConsumer } from './consumer/consumer.ts';
import { LoaderPipeline } from './pipeline/loader-pipeline.ts';
import type { PartitionStatus, PartitionWorker, WorkerDeps } from './pipeline/partition-worker.ts';
import type { SourceRoute } from './pipeline/source-route.ts';
import { isLegalTopic } from './sources/table-names.ts';

/** Kafka answers every fetch within its max wait (5 s): this much silence means it is unreachable. */
const KAFKA_SILENCE_MS = 30_000;

/** Something followed beside the changes (the transaction feed): started before, stopped after. */
export interface Companion {
  stop(): Promise<void>;
}

export interface SourceRunnerDeps {
  readonly source: string;
  readonly routes: ReadonlyMap<string, SourceRoute>;
  readonly topics: readonly string[];
  readonly consumer: () => ChangeConsumer;
  /** Follows the source's transaction topic; undefined when there is none to follow. */
  readonly companion?: () => Promise<Companion | undefined>;
  readonly worker: Omit<WorkerDeps, 'consumer'>;
  readonly log: Logger;
  /** Told whenever the runner goes up or down. */
  readonly onState?: (up: boolean) => void;
}

export interface SourceState {
  readonly source: string;
  readonly up: boolean;
  /** Why it is down: the last failure, or "starting". */
  readonly reason?: string;
  readonly topics: readonly string[];
}

export class SourceRunner {
  readonly source: string;
  readonly #deps: SourceRunnerDeps;
  #consumer: ChangeConsumer | null = null;
  #pipeline: LoaderPipeline | null = null;
  #companion: Companion | undefined;
  #failures = 0;
  #reason: string | undefined = 'starting';
  #connectorProblem: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #starting: Promise<void> = Promise.resolve();

  constructor(deps: SourceRunnerDeps) {
    this.source = deps.source;
    this.#deps = deps;
  }

  get routes(): ReadonlyMap<string, SourceRoute> {
    return this.#deps.routes;
  }

  get topics(): readonly string[] {
    return this.#deps.topics;
  }

  get statuses(): readonly PartitionStatus[] {
    return this.#pipeline?.statuses ?? [];
  }

  find(tp: TopicPartition): PartitionWorker | undefined {
    return this.#pipeline?.find(tp);
  }

  get state(): SourceState {
    const up = this.ready();
    const reason = this.#connectorProblem ?? this.#reason ?? 'not yet joined to its consumer group';
    return {
      source: this.source,
      up,
      ...(up ? {} : { reason }),
      topics: this.#deps.topics,
    };
  }

  /** Joined, hearing from Kafka, and no partition stuck retrying an unreachable service. */
  ready(): boolean {
    if (this.#connectorProblem !== undefined) return false;
    if (this.#reason !== undefined || this.#pipeline === null) return false;
    const lastHeard = this.#consumer?.lastActivityMs() ?? null;
    const hearsKafka = lastHeard !== null && Date.now() - lastHeard < KAFKA_SILENCE_MS;
    const stuck = this.#pipeline.statuses.some((s) => s.waitingFor === 'retry');
    return this.#pipeline.joined && hearsKafka && !stuck;
  }

  start(): Promise<void> {
    this.#starting = this.#starting.then(() => this.#start());
    return this.#starting;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#starting.catch(() => undefined);
    await this.#teardown();
  }

  async #start(): Promise<void> {
    if (this.#stopped) return;
    const illegal = this.#deps.topics.filter((t) => !isLegalTopic(t));
    if (illegal.length > 0) {
      // Kafka refuses the name: retrying cannot help until the source is changed or removed.
      this.#down(
        `topic(s) ${illegal.join(', ')}: not a legal Kafka topic name (a-z, A-Z, 0-9, . _ -, at most 249)`,
      );
      return;
    }
    const consumer = this.#deps.consumer();
    const pipeline = new LoaderPipeline(this.#deps.routes, { ...this.#deps.worker, consumer }, (err) =>
      this.#failed(`the Kafka consumer stopped: ${ensureError(err).message}`),
    );
    this.#consumer = consumer;
    this.#pipeline = pipeline;
    try {
      this.#companion = await this.#deps.companion?.();
      await consumer.start(this.#deps.topics, pipeline);
    } catch (err) {
      this.#failed(`the Kafka consumer did not start: ${ensureError(err).message}`);
      return;
    }
    this.#failures = 0;
    this.#reason = undefined;
    this.#deps.onState?.(this.#connectorProblem === undefined);
    this.#deps.log.info({ source: this.source, topics: this.#deps.topics }, 'source loading');
  }

  /**
   * What Kafka Connect says is wrong with the source's connector (connector-watch.ts), or
   * undefined once it runs again. The consumer keeps going: it resumes when the connector does.
   */
  setConnectorProblem(problem: string | undefined): void {
    if (problem === this.#connectorProblem) return;
    this.#connectorProblem = problem;
    this.#deps.onState?.(problem === undefined && this.#reason === undefined);
    if (problem === undefined) this.#deps.log.info({ source: this.source }, 'connector running again');
    else this.#deps.log.error({ source: this.source, reason: problem }, 'source down: its connector');
  }

  #down(reason: string): void {
    this.#reason = reason;
    this.#deps.onState?.(false);
    this.#deps.log.error({ source: this.source, reason }, 'source down');
  }

  /** Down now, and a fresh consumer after a backoff (the others are not touched). */
  #failed(reason: string): void {
    this.#down(reason);
    if (this.#stopped || this.#timer !== undefined) return;
    const delay = backoffMs(this.#failures++, 500, 30_000);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#starting = this.#starting
        .then(() => this.#teardown())
        .then(() => this.#start())
        .catch((err: unknown) => this.#failed(ensureError(err).message));
    }, delay);
  }

  async #teardown(): Promise<void> {
    const consumer = this.#consumer;
    const companion = this.#companion;
    this.#consumer = null;
    this.#pipeline = null;
    this.#companion = undefined;
    await consumer?.stop().catch((err: unknown) => this.#deps.log.warn({ err }, 'stopping a consumer'));
    await companion?.stop().catch((err: unknown) => this.#deps.log.warn({ err }, 'stopping a companion'));
  }
}
