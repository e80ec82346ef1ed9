/**
 * Invariant "one consumer per loader and source": chaos seed 1.48 found a loader with two members
 * in its group, the second one a consumer the loader had stopped while it was rejoining (kafkajs
 * 2.2.4 can finish a join after stop()). It went on holding a partition with an old mapping. A
 * stopped consumer must hand nothing on and must not be restarted. kafkajs is a fake here: the
 * race cannot be produced on demand from a real broker; what is tested is what the adapter does.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../lib/logging.ts';
import type { ConsumerHandlers } from '../../../services/loader/consumer/consumer.ts';

type Listener = (event: { payload: Record<string, unknown> }) => void;
type EachBatch = (payload: unknown) => Promise<void>;

class FakeConsumer {
  readonly events = { FETCH: 'fetch', HEARTBEAT: 'heartbeat', GROUP_JOIN: 'join', CRASH: 'crash' };
  readonly listeners = new Map<string, Listener[]>();
  eachBatch: EachBatch | undefined;
  disconnects = 0;
  readonly config: { retry?: { restartOnFailure?: (err: Error) => Promise<boolean> } };
  constructor(config: FakeConsumer['config']) {
    this.config = config;
  }
  on(event: string, listener: Listener): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }
  emit(event: string, payload: Record<string, unknown>): void {
    for (const listener of this.listeners.get(event) ?? []) listener({ payload });
  }
  connect = (): Promise<void> => Promise.resolve();
  subscribe = (): Promise<void> => Promise.resolve();
  run(options: { eachBatch: EachBatch }): Promise<void> {
    this.eachBatch = options.eachBatch;
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    this.disconnects++;
    return Promise.resolve();
  }
}

const fake = vi.hoisted(() => ({ consumers: [] as unknown[] }));

vi.mock('kafkajs', () => ({
  logLevel: { ERROR: 1, WARN: 2 },
  Kafka: class {
    consumer(config: ConstructorParameters<typeof FakeConsumer>[0]) {
      const consumer = new FakeConsumer(config);
      fake.consumers.push(consumer);
      return consumer;
    }
    admin() {
      return { connect: () => Promise.resolve(), disconnect: () => Promise.resolve() };
    }
  },
}));

const { KafkajsChangeConsumer } =
  await import('../../../services/loader/adapters/kafkajs-consumer-adapter.ts');

function started() {
  const calls = { assigned: 0, batches: 0, fatal: 0 };
  const handlers: ConsumerHandlers = {
    onAssigned: () => {
      calls.assigned++;
    },
    onFatal: () => {
      calls.fatal++;
    },
    eachBatch: () => {
      calls.batches++;
      return Promise.resolve();
    },
  };
  const adapter = new KafkajsChangeConsumer({
    brokers: ['127.0.0.1:1'],
    groupId: 'loaders',
    clientId: 'loader-test',
    log: silentLogger(),
  });
  const kafkajs = fake.consumers.at(-1);
  if (!(kafkajs instanceof FakeConsumer)) throw new Error('no consumer created');
  return { adapter, kafkajs, handlers, calls };
}

const batchPayload = {
  batch: { topic: 't', partition: 0, messages: [], highWatermark: '0', firstOffset: () => null },
  isRunning: () => true,
  isStale: () => false,
  heartbeat: () => Promise.resolve(),
  resolveOffset: () => undefined,
  commitOffsetsIfNecessary: () => Promise.resolve(),
};

describe('invariant: one consumer per loader and source (a stopped consumer that comes back)', () => {
  afterEach(() => {
    fake.consumers.length = 0;
  });

  it('passes assignments, batches and fatal crashes on while it runs, and is restarted after a crash', async () => {
    const { adapter, kafkajs, handlers, calls } = started();
    await adapter.start(['t'], handlers);
    kafkajs.emit('join', { memberAssignment: { t: [0] } });
    await kafkajs.eachBatch?.(batchPayload);
    kafkajs.emit('crash', { restart: false, error: new Error('fatal') });
    expect(calls).toEqual({ assigned: 1, batches: 1, fatal: 1 });
    expect(await kafkajs.config.retry?.restartOnFailure?.(new Error('x'))).toBe(true);
  });

  it('after stop: ignores a join, fails a batch, keeps its crashes, is not restarted, and disconnects again', async () => {
    const { adapter, kafkajs, handlers, calls } = started();
    await adapter.start(['t'], handlers);
    await adapter.stop();
    expect(kafkajs.disconnects).toBe(1);

    kafkajs.emit('join', { memberAssignment: { t: [0] } });
    await expect(kafkajs.eachBatch?.(batchPayload)).rejects.toThrow(/stopped/);
    kafkajs.emit('crash', { restart: false, error: new Error('fatal') });

    expect(calls).toEqual({ assigned: 0, batches: 0, fatal: 0 });
    expect(await kafkajs.config.retry?.restartOnFailure?.(new Error('x'))).toBe(false);
    expect(kafkajs.disconnects).toBe(3);
  });
});
