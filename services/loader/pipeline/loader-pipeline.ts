/**
 * The consumer handlers: one PartitionWorker per assigned partition, routed to its source by
 * topic. Every group join re-positions every assigned partition at the offset ctldb stores, so a
 * rebalance can never resume from a stale position.
 */
import { CuttleError } from '../../../lib/errors.ts';
import { streamName, type TopicPartition } from '../batching/offsets.ts';
import type { BatchContext, ConsumerHandlers, FetchedBatch } from '../consumer/consumer.ts';
import { PartitionWorker, type PartitionStatus, type WorkerDeps } from './partition-worker.ts';
import type { SourceRoute } from './source-route.ts';

export class LoaderPipeline implements ConsumerHandlers {
  readonly #routes: ReadonlyMap<string, SourceRoute>;
  readonly #deps: WorkerDeps;
  readonly #workers = new Map<string, PartitionWorker>();
  readonly #onFatal: (error: Error) => void;
  #joined = false;

  constructor(
    routes: ReadonlyMap<string, SourceRoute>,
    deps: WorkerDeps,
    onFatal: (error: Error) => void = () => undefined,
  ) {
    this.#routes = routes;
    this.#deps = deps;
    this.#onFatal = onFatal;
  }

  onFatal(error: Error): void {
    this.#deps.log.error({ err: error }, 'the Kafka consumer stopped for good');
    this.#onFatal(error);
  }

  /** True once the consumer joined its group at least once. */
  get joined(): boolean {
    return this.#joined;
  }

  get statuses(): PartitionStatus[] {
    return [...this.#workers.values()].map((w) => w.status);
  }

  /** The worker of a partition this loader holds, if any. */
  find(tp: TopicPartition): PartitionWorker | undefined {
    return this.#workers.get(streamName(tp));
  }

  onAssigned(assigned: readonly TopicPartition[]): void {
    this.#joined = true;
    const keep = new Set(assigned.map(streamName));
    for (const [stream, worker] of this.#workers) {
      if (keep.has(stream)) worker.unposition();
      else this.#workers.delete(stream);
    }
    this.#deps.log.info({ assigned: [...keep] }, 'partitions assigned');
  }

  async eachBatch(batch: FetchedBatch, ctx: BatchContext): Promise<void> {
    await this.#worker(batch).handle(batch, ctx);
  }

  #worker(tp: TopicPartition): PartitionWorker {
    const stream = streamName(tp);
    let worker = this.#workers.get(stream);
    if (worker === undefined) {
      const route = this.#routes.get(tp.topic);
      if (route === undefined) {
        throw new CuttleError('INTERNAL', `topic ${tp.topic} is subscribed but belongs to no source`);
      }
      worker = new PartitionWorker({ topic: tp.topic, partition: tp.partition }, route, this.#deps);
      this.#workers.set(stream, worker);
    }
    return worker;
  }
}
