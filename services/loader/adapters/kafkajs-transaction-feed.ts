/**
 * Reads Debezium's transaction topics (`<prefix>.transaction`) with kafkajs into each source's
 * TransactionTracker. Every loader reads every partition of them (a consumer group of its own,
 * nothing committed), starting a few minutes back: only the ends of recent transactions matter,
 * older ones are known from the events that follow them in their partition.
 */
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../lib/logging.ts';
import type { EventDecoder } from '../decode/decoder.ts';
import type { TransactionTracker } from '../pipeline/transactions.ts';

/** How far back in the transaction topics a starting loader reads. */
const LOOKBACK_MS = 5 * 60_000;
/** How long a starting loader waits for the feed before consuming changes anyway. */
const JOIN_TIMEOUT_MS = 15_000;

export interface TransactionFeedTopic {
  readonly decoder: EventDecoder;
  readonly tracker: TransactionTracker;
}

export interface TransactionFeedOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** The loaders' group id; the feed's own group is derived from it and unique per process. */
  readonly groupId: string;
  readonly topics: ReadonlyMap<string, TransactionFeedTopic>;
  readonly log: Logger;
}

export class KafkajsTransactionFeed {
  readonly #options: TransactionFeedOptions;
  readonly #kafka: Kafka;
  readonly #consumer: Consumer;

  constructor(options: TransactionFeedOptions) {
    this.#options = options;
    this.#kafka = new Kafka({
      clientId: `${options.clientId}-transactions`,
      brokers: [...options.brokers],
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => {
        const { message, ...rest } = entry.log;
        options.log.warn({ kafkajs: rest, namespace: entry.namespace }, message);
      },
    });
    this.#consumer = this.#kafka.consumer({ groupId: `${options.groupId}-transactions-${randomUUID()}` });
  }

  /** Resolves once the feed has joined its group and is positioned (or after JOIN_TIMEOUT_MS). */
  async start(): Promise<void> {
    const topics = [...this.#options.topics.keys()];
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics, fromBeginning: false });
    const joined = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), JOIN_TIMEOUT_MS);
      this.#consumer.on(this.#consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    await this.#consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const feed = this.#options.topics.get(topic);
        if (feed === undefined) return;
        try {
          const end = await feed.decoder.decodeTransactionEnd({
            topic,
            partition,
            offset: message.offset,
            key: message.key ?? null,
            value: message.value ?? null,
            headers: message.headers ?? {},
            timestampMs: Number(message.timestamp),
          });
          if (end !== null) feed.tracker.recordEnd(end.id, end.eventsByTable);
        } catch (err) {
          // Without this end, its transaction's partitions wait for it up to their limit.
          this.#options.log.warn(
            { err, topic, partition, offset: message.offset },
            'unreadable transaction marker',
          );
        }
      },
    });
    if (!(await joined))
      this.#options.log.warn({ topics }, 'the transaction feed has not joined its group yet');
    // Without it the feed starts at the latest markers: the first transactions wait out their limit.
    await this.#seekBack(topics).catch((err: unknown) =>
      this.#options.log.warn({ err, topics }, 'transaction topics read from their latest markers only'),
    );
  }

  async #seekBack(topics: readonly string[]): Promise<void> {
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      for (const topic of topics) {
        const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, Date.now() - LOOKBACK_MS);
        for (const { partition, offset } of offsets) this.#consumer.seek({ topic, partition, offset });
      }
    } finally {
      await admin.disconnect();
    }
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }
}
