/**
 * The Kafka consumer port, with only what the loader calls. The loader manages offsets itself:
 * ctldb (through the executive) stores the next offset of every partition, and the consumer
 * seeks there whenever a partition is (re)assigned. Kafka's own committed offsets are advisory
 * (they let Kafka tools show the group's lag).
 */
import type { TopicPartition } from '../batching/offsets.ts';
import type { InboundMessage } from '../message.ts';

export interface FetchedBatch extends TopicPartition {
  readonly messages: readonly InboundMessage[];
  /**
   * The offset this fetch started from. After a seek, batches fetched before it may still be
   * delivered; only one fetched from the seek target continues the stream.
   */
  readonly fetchedOffset: string;
  /** Offset of the next message to be written to the partition. */
  readonly highWatermark: string;
}

export interface BatchContext {
  /** False once the partition was revoked or a seek is pending or the consumer stops: drop the work. */
  isCurrent(): boolean;
  /** Keeps the group membership alive during long waits (rate limits, retries). */
  heartbeat(): Promise<void>;
  /** Everything below `next` is in ctldb: move the consumer on and commit advisorily to Kafka. */
  consumed(next: string): Promise<void>;
}

export interface ConsumerHandlers {
  /** Called for each fetched batch of one partition; batches of one partition never overlap. */
  eachBatch(batch: FetchedBatch, ctx: BatchContext): Promise<void>;
  /** Called after every join of the group with the partitions now assigned to this member. */
  onAssigned(assigned: readonly TopicPartition[]): void;
  /** The consumer stopped for good (a crash it will not restart from): build a new one. */
  onFatal(error: Error): void;
}

export interface ChangeConsumer {
  /** Joins the group, subscribed to the topics, and starts delivering batches. */
  start(topics: readonly string[], handlers: ConsumerHandlers): Promise<void>;
  seek(tp: TopicPartition, offset: string): void;
  /** The first offset still in the partition (the low watermark). */
  earliestOffset(tp: TopicPartition): Promise<string>;
  /** When the consumer last heard from Kafka (fetch, heartbeat, join); null before it did. */
  lastActivityMs(): number | null;
  pause(tp: TopicPartition): void;
  resume(tp: TopicPartition): void;
  stop(): Promise<void>;
}
