/**
 * When kafkajs gives up on the transaction feed's consumer (a crash it does not restart from), no
 * end marker can arrive: partitions must stop waiting for them at once, and the feed must follow
 * its topics again by itself. kafkajs is replaced by a small fake here, because a crash without
 * restart cannot be provoked on demand from a real broker; the feed's own logic is what is tested.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../lib/logging.ts';
import type { TransactionEnd } from '../../../services/loader/decode/change-record.ts';
import type { EventDecoder } from '../../../services/loader/decode/decoder.ts';
import { TransactionTracker } from '../../../services/loader/pipeline/transactions.ts';

type Handler = (event: { payload: { restart: boolean; error: Error } }) => void;
type EachMessage = (payload: {
  topic: string;
  partition: number;
  message: { offset: string; key: Buffer | null; value: Buffer | null; timestamp: string };
}) => Promise<void>;

class FakeConsumer {
  readonly events = { CRASH: 'crash', GROUP_JOIN: 'join' } as const;
  readonly handlers = new Map<string, Handler[]>();
  eachMessage: EachMessage | undefined;
  disconnected = false;
  connect = (): Promise<void> => Promise.resolve();
  subscribe = (): Promise<void> => Promise.resolve();
  seek(): void {}
  disconnect(): Promise<void> {
    this.disconnected = true;
    return Promise.resolve();
  }
  on(event: string, handler: Handler): void {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
  }
  emit(event: string, payload: { restart: boolean; error: Error }): void {
    for (const handler of this.handlers.get(event) ?? []) handler({ payload });
  }
  run(options: { eachMessage: EachMessage }): Promise<void> {
    this.eachMessage = options.eachMessage;
    this.emit(this.events.GROUP_JOIN, { restart: false, error: new Error('unused') });
    return Promise.resolve();
  }
}

const fake = vi.hoisted(() => ({ consumers: [] as unknown[] }));

vi.mock('kafkajs', () => ({
  logLevel: { WARN: 4 },
  Kafka: class {
    admin() {
      return {
        connect: () => Promise.resolve(),
        disconnect: () => Promise.resolve(),
        listTopics: () => Promise.resolve(['orders.transaction']),
        createTopics: () => Promise.resolve(true),
        fetchTopicOffsetsByTimestamp: () => Promise.resolve([{ partition: 0, offset: '0' }]),
      };
    }
    consumer() {
      const consumer = new FakeConsumer();
      fake.consumers.push(consumer);
      return consumer;
    }
  },
}));

const { KafkajsTransactionFeed } =
  await import('../../../services/loader/adapters/kafkajs-transaction-feed.ts');

/** Each marker's value is the transaction id; every transaction changed one row of shop.orders. */
const decoder: EventDecoder = {
  decode: () => Promise.reject(new Error('the feed decodes transaction markers only')),
  decodeTransactionEnd: (message): Promise<TransactionEnd | null> =>
    Promise.resolve({ id: String(message.value), eventsByTable: new Map([['shop.orders', 1]]) }),
};

function startedFeed(tracker: TransactionTracker) {
  return new KafkajsTransactionFeed({
    brokers: ['127.0.0.1:1'],
    clientId: 'loader-test',
    groupId: 'loaders',
    topics: new Map([['orders.transaction', { decoder, tracker }]]),
    log: silentLogger(),
  });
}

function consumerAt(index: number): FakeConsumer {
  const consumer = fake.consumers[index];
  if (!(consumer instanceof FakeConsumer)) throw new Error(`no consumer ${index}`);
  return consumer;
}

async function deliverEnd(consumer: FakeConsumer, id: string): Promise<void> {
  await consumer.eachMessage?.({
    topic: 'orders.transaction',
    partition: 0,
    message: { offset: '7', key: null, value: Buffer.from(id), timestamp: String(Date.now()) },
  });
}

describe('the transaction feed after kafkajs gives up on its consumer', () => {
  let feed: InstanceType<typeof KafkajsTransactionFeed> | undefined;
  afterEach(async () => {
    await feed?.stop();
    fake.consumers.length = 0;
  });

  it('stops partitions waiting at once and follows its topics again with a new consumer', async () => {
    const tracker = new TransactionTracker();
    feed = startedFeed(tracker);
    await feed.start();
    expect(tracker.followed).toBe(true);

    consumerAt(0).emit('crash', { restart: false, error: new Error('not retriable') });
    expect(tracker.followed).toBe(false);

    await vi.waitFor(() => expect(tracker.followed).toBe(true), { timeout: 6_000, interval: 50 });
    expect(fake.consumers).toHaveLength(2);
    expect(consumerAt(0).disconnected).toBe(true);

    await deliverEnd(consumerAt(1), 'tx-after-crash');
    expect(tracker.changesTo('tx-after-crash', 'shop.orders')).toBe(1);
  });

  it('keeps following through a crash kafkajs restarts from, and ignores a replaced consumer', async () => {
    const tracker = new TransactionTracker();
    feed = startedFeed(tracker);
    await feed.start();

    consumerAt(0).emit('crash', { restart: true, error: new Error('retriable') });
    expect(tracker.followed).toBe(true);

    consumerAt(0).emit('crash', { restart: false, error: new Error('not retriable') });
    await vi.waitFor(() => expect(fake.consumers).toHaveLength(2), { timeout: 6_000, interval: 50 });
    await vi.waitFor(() => expect(tracker.followed).toBe(true), { timeout: 6_000, interval: 50 });

    // The first consumer's late crash must not take the feed away from its successor.
    consumerAt(0).emit('crash', { restart: false, error: new Error('late') });
    expect(tracker.followed).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(fake.consumers).toHaveLength(2);
  });
});
