/**
 * ChangeConsumer over kafkajs 2.2.4 (real-stack.md §6): a consumer group with eachBatch,
 * `autoCommit: false` and `eachBatchAutoResolve: false` (the loader resolves only what ctldb
 * holds), READ_COMMITTED (the default), and an admin client for low watermarks.
 */
import { Kafka, logLevel, type Admin, type Batch, type Consumer, type KafkaMessage } from 'kafkajs';
import type { Logger } from '../../../lib/logging.ts';
import type { TopicPartition } from '../batching/offsets.ts';
import type { ChangeConsumer, ConsumerHandlers, FetchedBatch } from '../consumer/consumer.ts';
import type { InboundMessage } from '../message.ts';

export interface KafkajsConsumerOptions {
  readonly brokers: readonly string[];
  readonly groupId: string;
  readonly clientId: string;
  /** Partitions processed at the same time. @defaultValue 4 */
  readonly partitionsConsumedConcurrently?: number;
  /** @defaultValue 30000 */
  readonly sessionTimeoutMs?: number;
  /** Largest fetch per partition. @defaultValue 4 MiB */
  readonly maxBytesPerPartition?: number;
  /** How old the cluster metadata may get before a fetch refreshes it. @defaultValue 10000 */
  readonly metadataMaxAgeMs?: number;
  readonly log: Logger;
}

/**
 * The group leader assigns only the partitions in its cached metadata: a topic that a restarted
 * broker had not loaded yet when the group rejoined is silently assigned to nobody (the chaos
 * run's seed 1.47 left a partition unassigned with both loaders up). kafkajs rejoins when a fetch
 * finds the metadata changed since the assignment, but it refreshes metadata only every
 * `metadataMaxAge` (5 min by default): a short one ends such a gap within seconds, for the cost
 * of one metadata request per interval.
 */
export const METADATA_MAX_AGE_MS = 10_000;

export class KafkajsChangeConsumer implements ChangeConsumer {
  readonly #kafka: Kafka;
  readonly #consumer: Consumer;
  readonly #admin: Admin;
  readonly #options: KafkajsConsumerOptions;
  #adminConnected = false;
  #lastActivityMs: number | null = null;
  /**
   * Set by stop(). Chaos seed 1.48 found a loader with two members in the group: the consumer of
   * a source it had reloaded (new mapping) and, still consuming, the consumer it had stopped during
   * a rebalance (kafkajs 2.2.4 can finish a join after stop()), which held a partition with the old
   * mapping and waited forever for columns the new one had. A stopped consumer therefore hands
   * nothing on: its assignments are ignored, a batch it fetches fails (so that kafkajs gives it
   * up, without a restart, and the group reassigns its partitions), and its crashes are its own.
   */
  #stopped = false;

  constructor(options: KafkajsConsumerOptions) {
    this.#options = options;
    const log = options.log;
    this.#kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => {
        const { message, ...rest } = entry.log;
        if (entry.level <= logLevel.ERROR) log.error({ kafkajs: rest, namespace: entry.namespace }, message);
        else log.warn({ kafkajs: rest, namespace: entry.namespace }, message);
      },
    });
    this.#consumer = this.#kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 4 * 1024 * 1024,
      metadataMaxAge: options.metadataMaxAgeMs ?? METADATA_MAX_AGE_MS,
      // kafkajs's own default (5), which giving `retry` replaces; a stopped consumer is not restarted.
      retry: { retries: 5, restartOnFailure: () => Promise.resolve(!this.#stopped) },
    });
    this.#admin = this.#kafka.admin();
  }

  async start(topics: readonly string[], handlers: ConsumerHandlers): Promise<void> {
    const seen = (): void => {
      this.#lastActivityMs = Date.now();
    };
    this.#consumer.on(this.#consumer.events.FETCH, seen);
    this.#consumer.on(this.#consumer.events.HEARTBEAT, seen);
    this.#consumer.on(this.#consumer.events.GROUP_JOIN, (event) => {
      if (this.#stopped) return this.#cameBack('joined its group');
      seen();
      const assignment = event.payload.memberAssignment;
      handlers.onAssigned(
        Object.entries(assignment).flatMap(([topic, partitions]) =>
          partitions.map((partition) => ({ topic, partition })),
        ),
      );
    });
    this.#consumer.on(this.#consumer.events.CRASH, (event) => {
      if (!event.payload.restart && !this.#stopped) handlers.onFatal(event.payload.error);
    });
    await this.#consumer.connect();
    // Without a ctldb offset the loader starts at the beginning; otherwise it seeks anyway.
    await this.#consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.#options.partitionsConsumedConcurrently ?? 4,
      eachBatch: async (payload) => {
        if (this.#stopped) {
          this.#cameBack('fetched a batch');
          throw new Error('this Kafka consumer was stopped');
        }
        const { batch } = payload;
        await handlers.eachBatch(fetchedBatch(batch), {
          isCurrent: () => payload.isRunning() && !payload.isStale(),
          heartbeat: () => payload.heartbeat(),
          consumed: async (next) => {
            payload.resolveOffset((BigInt(next) - 1n).toString());
            await payload.commitOffsetsIfNecessary({
              topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
            });
          },
        });
      },
    });
  }

  seek(tp: TopicPartition, offset: string): void {
    this.#consumer.seek({ topic: tp.topic, partition: tp.partition, offset });
  }

  async earliestOffset(tp: TopicPartition): Promise<string> {
    if (!this.#adminConnected) {
      await this.#admin.connect();
      this.#adminConnected = true;
    }
    const offsets = await this.#admin.fetchTopicOffsets(tp.topic);
    const mine = offsets.find((o) => o.partition === tp.partition);
    return mine?.low ?? '0';
  }

  lastActivityMs(): number | null {
    return this.#lastActivityMs;
  }

  pause(tp: TopicPartition): void {
    this.#consumer.pause([{ topic: tp.topic, partitions: [tp.partition] }]);
  }

  resume(tp: TopicPartition): void {
    this.#consumer.resume([{ topic: tp.topic, partitions: [tp.partition] }]);
  }

  /** The consumer acts after stop(): says so, and disconnects it again (without waiting). */
  #cameBack(what: string): void {
    this.#options.log.warn({ groupId: this.#options.groupId }, `a stopped Kafka consumer ${what}`);
    // Not awaited: called from within kafkajs, whose disconnect waits for these very callbacks.
    this.#consumer.disconnect().catch((err: unknown) => {
      this.#options.log.warn({ err }, 'disconnecting a stopped Kafka consumer');
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#consumer.disconnect();
    if (this.#adminConnected) await this.#admin.disconnect();
    this.#adminConnected = false;
  }
}

function fetchedBatch(batch: Batch): FetchedBatch {
  // kafkajs keeps the offset a batch was fetched from on the Batch object without typing it.
  const fetchedOffset =
    (batch as Batch & { fetchedOffset?: string }).fetchedOffset ?? batch.firstOffset() ?? '0';
  return {
    topic: batch.topic,
    partition: batch.partition,
    fetchedOffset: String(fetchedOffset),
    highWatermark: batch.highWatermark,
    messages: batch.messages.map((m) => inbound(batch, m)),
  };
}

function inbound(batch: Batch, message: KafkaMessage): InboundMessage {
  return {
    topic: batch.topic,
    partition: batch.partition,
    offset: message.offset,
    key: message.key ?? null,
    value: message.value ?? null,
    headers: message.headers ?? {},
    timestampMs: Number(message.timestamp),
  };
}
