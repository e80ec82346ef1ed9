/**
 * Reads Debezium's transaction topics (`<prefix>.transaction`) with kafkajs into each source's
 * TransactionTracker. Every loader reads every partition of them (a consumer group of its own,
 * nothing committed), starting a few minutes back: only the ends of recent transactions matter,
 * older ones are known from the events that follow them in their partition.
 *
 * Debezium creates a transaction topic only with the first transaction after its snapshot, and
 * kafkajs cannot subscribe to a topic that does not exist yet. Following it only after it appears
 * (a look every few seconds, then a group join) took longer than a partition waits for an end
 * marker, so the first transactions of a new source reached the ledger in parts. The feed
 * therefore creates a missing transaction topic itself (one partition; Debezium writes to the
 * topic it finds). Where it may not create topics, it looks for the missing ones every few
 * seconds and, when one appears, starts again with it (reading back, so no end marker is missed).
 */
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../lib/logging.ts';
import type { EventDecoder } from '../decode/decoder.ts';
import type { TransactionTracker } from '../pipeline/transactions.ts';
import { METADATA_MAX_AGE_MS } from './kafkajs-consumer-adapter.ts';

/** How far back in the transaction topics a starting feed reads. */
const LOOKBACK_MS = 5 * 60_000;
/** How long a starting feed waits to join its group before the loader goes on anyway. */
const JOIN_TIMEOUT_MS = 15_000;
/** How often missing transaction topics are looked for. */
const MISSING_TOPICS_CHECK_MS = 2_000;

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
  readonly #admin: Admin;
  #consumer: Consumer | null = null;
  #following: readonly string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #refreshing: Promise<void> = Promise.resolve();

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
    this.#admin = this.#kafka.admin();
  }

  /** Resolves once the feed follows every transaction topic that exists (or has given up waiting). */
  async start(): Promise<void> {
    await this.#admin.connect();
    await this.#refresh();
    this.#watch();
  }

  /** Looks every few seconds for the topics not followed yet, until all are. */
  #watch(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.#refreshing = this.#refreshing
        .then(() => this.#refresh())
        .catch((err: unknown) => this.#options.log.warn({ err }, 'following the transaction topics'));
    }, MISSING_TOPICS_CHECK_MS);
  }

  /**
   * kafkajs gave up on the feed's consumer (a crash it does not restart from): until the feed
   * follows again no end marker arrives, so partitions stop waiting for them meanwhile.
   */
  #lost(err: Error): void {
    this.#options.log.error({ err }, 'the transaction feed stopped; following the topics again');
    for (const { tracker } of this.#options.topics.values()) tracker.followed = false;
    this.#following = [];
    this.#watch();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const { tracker } of this.#options.topics.values()) tracker.followed = false;
    clearInterval(this.#timer);
    await this.#refreshing.catch(() => undefined);
    await this.#consumer?.disconnect();
    this.#consumer = null;
    await this.#admin.disconnect();
  }

  async #refresh(): Promise<void> {
    const wanted = [...this.#options.topics.keys()];
    if (this.#stopped || this.#following.length === wanted.length) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    const existing = await this.#existingTopics(wanted);
    const present = wanted.filter((t) => existing.has(t));
    if (present.length === this.#following.length) return;
    await this.#consumer?.disconnect();
    this.#consumer = await this.#follow(present);
    this.#following = present;
    for (const [topic, { tracker }] of this.#options.topics) tracker.followed = present.includes(topic);
  }

  /** The topics that exist, after creating the missing ones where the broker allows it. */
  async #existingTopics(wanted: readonly string[]): Promise<Set<string>> {
    const existing = new Set(await this.#admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length === 0) return existing;
    try {
      await this.#admin.createTopics({
        topics: missing.map((topic) => ({ topic, numPartitions: 1 })),
        waitForLeaders: true,
      });
      this.#options.log.info({ topics: missing }, 'created the transaction topics Debezium has not yet');
    } catch (err) {
      // Another loader or Debezium created them first, or this client may not create topics.
      this.#options.log.warn(
        { err, topics: missing },
        'transaction topics not created; following them once they exist',
      );
    }
    return new Set(await this.#admin.listTopics());
  }

  async #follow(topics: readonly string[]): Promise<Consumer> {
    const consumer = this.#kafka.consumer({
      groupId: `${this.#options.groupId}-transactions-${randomUUID()}`,
      // As the change consumer: a transaction topic missing from a rejoin's metadata is picked up.
      metadataMaxAge: METADATA_MAX_AGE_MS,
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: false });
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart && this.#consumer === consumer) this.#lost(event.payload.error);
    });
    let seekingBack = Promise.resolve();
    const joined = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), JOIN_TIMEOUT_MS);
      consumer.on(consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        // On every join, not just the first: kafkajs rejoins after a broker restart from the
        // latest markers (nothing is committed), and would miss the ends sent meanwhile.
        seekingBack = this.#seekBack(consumer, topics).catch((err: unknown) =>
          this.#options.log.warn({ err, topics }, 'transaction topics read from their latest markers only'),
        );
        resolve(true);
      });
    });
    await consumer.run({
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
    await seekingBack;
    return consumer;
  }

  async #seekBack(consumer: Consumer, topics: readonly string[]): Promise<void> {
    for (const topic of topics) {
      const offsets = await this.#admin.fetchTopicOffsetsByTimestamp(topic, Date.now() - LOOKBACK_MS);
      for (const { partition, offset } of offsets) consumer.seek({ topic, partition, offset });
    }
  }
}
