import { describe, expect, it } from 'vitest';
import { CuttleError } from '../../../lib/errors.ts';
import { silentLogger } from '../../../lib/logging.ts';
import { createRegistry } from '../../../lib/metrics.ts';
import type { SendResult } from '../../../services/loader/batching/failure-policy.ts';
import type { TopicPartition } from '../../../services/loader/batching/offsets.ts';
import type {
  BatchContext,
  ChangeConsumer,
  FetchedBatch,
} from '../../../services/loader/consumer/consumer.ts';
import { MemoryDeadLetterSink } from '../../../services/loader/dead-letters/dead-letter.ts';
import { JsonEventDecoder } from '../../../services/loader/decode/json-decoder.ts';
import type { CommitRequest } from '../../../services/loader/executive/executive-client.ts';
import { sourceConfigSchema } from '../../../services/loader/mapping/source-config.ts';
import { SourceMapper } from '../../../services/loader/mapping/source-mapper.ts';
import type { InboundMessage } from '../../../services/loader/message.ts';
import { createLoaderMetrics } from '../../../services/loader/metrics.ts';
import { PartitionWorker } from '../../../services/loader/pipeline/partition-worker.ts';
import { envelope, message } from '../../fixtures/debezium/envelopes.ts';

const tp = { topic: 'ctl.ctl.widgets', partition: 0 };
const stream = 'ctl.ctl.widgets/0';

class FakeConsumer implements ChangeConsumer {
  readonly calls: string[] = [];
  start(): Promise<void> {
    return Promise.resolve();
  }
  seek(_tp: TopicPartition, offset: string): void {
    this.calls.push(`seek ${offset}`);
  }
  earliestOffset(): Promise<string> {
    return Promise.resolve('0');
  }
  lastActivityMs(): number | null {
    return 0;
  }
  pause(): void {
    this.calls.push('pause');
  }
  resume(): void {
    this.calls.push('resume');
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

/** A model of the executive's exactly-once offsets, with scripted failures first. */
class FakeExecutive {
  readonly stored = new Map<string, string>();
  readonly applied: CommitRequest[] = [];
  readonly script: SendResult[] = [];
  offsetFailures = 0;

  storedOffsets(): Promise<Map<string, string>> {
    if (this.offsetFailures > 0) {
      this.offsetFailures--;
      return Promise.reject(new CuttleError('UNAVAILABLE', 'executive unreachable'));
    }
    return Promise.resolve(new Map(this.stored));
  }

  commit(request: CommitRequest): Promise<SendResult> {
    const scripted = this.script.shift();
    if (scripted !== undefined) return Promise.resolve(scripted);
    const stored = (stream: string) => this.stored.get(stream) ?? null;
    const moves = request.offsets.some((o) => o.expected !== o.next);
    if (moves && request.offsets.every((o) => stored(o.stream) === o.next)) {
      return Promise.resolve({ kind: 'committed', status: 'duplicate' });
    }
    if (!request.offsets.every((o) => stored(o.stream) === o.expected)) {
      const details = {
        stored: Object.fromEntries(request.offsets.map((o) => [o.stream, stored(o.stream)])),
      };
      return Promise.resolve({
        kind: 'rejected',
        httpStatus: 409,
        code: 'OFFSET_CONFLICT',
        message: 'conflict',
        details,
        retryAfterMs: null,
      });
    }
    for (const o of request.offsets) this.stored.set(o.stream, o.next);
    this.applied.push(request);
    return Promise.resolve({ kind: 'committed', status: 'applied' });
  }

  /** The Kafka offset update of each applied request. */
  get kafkaOffsets(): unknown[] {
    return this.applied.map((r) => r.offsets.find((o) => !o.stream.endsWith('@binlog')));
  }
}

function setup(policy: 'halt' | 'skip' = 'halt') {
  const config = sourceConfigSchema.parse({
    name: 'origin',
    topicPrefix: 'ctl',
    deadLetterPolicy: policy,
    encodings: { decimalHandlingMode: 'string' },
    tables: [
      {
        source: { database: 'ctl', table: 'widgets' },
        target: { family: 'shop', table: 'widgets' },
        columns: [
          { name: 'id', type: 'bigint(20)' },
          { name: 'name', type: 'varchar(50)' },
        ],
        keyColumns: ['id'],
      },
    ],
  });
  const consumer = new FakeConsumer();
  const executive = new FakeExecutive();
  const deadLetters = new MemoryDeadLetterSink();
  const slept: number[] = [];
  const worker = new PartitionWorker(
    tp,
    {
      source: 'origin',
      mapper: new SourceMapper(config),
      decoder: new JsonEventDecoder(),
      defaultFamily: 'shop',
      held: new Map(),
    },
    {
      consumer,
      executive,
      deadLetters,
      metrics: createLoaderMetrics(createRegistry('loader', { defaultMetrics: false })),
      log: silentLogger(),
      limits: { maxMutations: 2, maxBytes: 1 << 20, maxEvents: 100, maxWaitMs: 50 },
      now: () => 1_000,
      sleep: (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    },
  );
  const consumed: string[] = [];
  const ctx: BatchContext = {
    isCurrent: () => true,
    heartbeat: () => Promise.resolve(),
    consumed: (next) => {
      consumed.push(next);
      return Promise.resolve();
    },
  };
  return { worker, consumer, executive, deadLetters, slept, consumed, ctx };
}

const insert = (offset: number, id: number, name = `w${id}`): InboundMessage =>
  message({ offset: String(offset), key: { id }, value: envelope({ op: 'c', after: { id, name } }) });
const fetched = (fetchedOffset: string, messages: InboundMessage[]): FetchedBatch => ({
  ...tp,
  fetchedOffset,
  highWatermark: '100',
  messages,
});

describe('PartitionWorker', () => {
  it('starts from the beginning when ctldb stores nothing, claiming expected null', async () => {
    const { worker, executive, consumed, ctx } = setup();
    await worker.handle(fetched('0', [insert(0, 1), insert(1, 2), insert(2, 3)]), ctx);
    expect(executive.kafkaOffsets).toEqual([
      { stream, expected: null, next: '2' },
      { stream, expected: '2', next: '3' },
    ]);
    expect(executive.applied[0]?.mutations).toEqual([
      { table: 'widgets', op: 'upsert', values: { id: 1, name: 'w1' } },
      { table: 'widgets', op: 'upsert', values: { id: 2, name: 'w2' } },
    ]);
    expect(consumed).toEqual(['3']);
    expect(worker.status).toMatchObject({ committedNext: '3', highWatermark: '100', halted: null });
  });

  it('seeks to the stored offset and ignores batches fetched before the seek', async () => {
    const { worker, executive, consumer, ctx } = setup();
    executive.stored.set(stream, '5');
    await worker.handle(fetched('0', [insert(0, 1)]), ctx);
    expect(consumer.calls).toEqual(['seek 5']);
    await worker.handle(fetched('3', [insert(3, 1), insert(4, 1), insert(5, 9)]), ctx);
    expect(executive.applied).toEqual([]);
    await worker.handle(fetched('5', [insert(5, 9)]), ctx);
    expect(executive.kafkaOffsets).toEqual([{ stream, expected: '5', next: '6' }]);
  });

  it('waits for the executive when the stored offsets cannot be read yet', async () => {
    const { worker, executive, slept, ctx } = setup();
    executive.offsetFailures = 2;
    await worker.handle(fetched('0', [insert(0, 1)]), ctx);
    expect(slept.length).toBeGreaterThanOrEqual(2);
    expect(executive.applied).toHaveLength(1);
  });

  it('re-reads the stored offset after every reassignment', async () => {
    const { worker, executive, consumer, ctx } = setup();
    await worker.handle(fetched('0', [insert(0, 1)]), ctx);
    executive.stored.set(stream, '7');
    worker.unposition();
    await worker.handle(fetched('1', [insert(1, 1)]), ctx);
    expect(consumer.calls).toEqual(['seek 7']);
    expect(executive.applied).toHaveLength(1);
  });

  it('pauses the partition on a rate limit and resends the same batch after the delay', async () => {
    const { worker, executive, consumer, slept, ctx } = setup();
    executive.script.push({
      kind: 'rejected',
      httpStatus: 429,
      code: 'RATE_LIMITED',
      message: 'slow down',
      details: {},
      retryAfterMs: 2500,
    });
    await worker.handle(fetched('0', [insert(0, 1)]), ctx);
    expect(consumer.calls).toEqual(['pause', 'resume']);
    expect(slept).toEqual([1000, 1000, 500]);
    expect(executive.kafkaOffsets).toEqual([{ stream, expected: null, next: '1' }]);
  });

  it('retries an unreachable executive with backoff and applies once', async () => {
    const { worker, executive, slept, ctx } = setup();
    executive.script.push(
      { kind: 'unreachable', error: new Error('ECONNREFUSED') },
      { kind: 'unreachable', error: new Error('ECONNRESET') },
    );
    await worker.handle(fetched('0', [insert(0, 1)]), ctx);
    expect(slept.length).toBeGreaterThanOrEqual(2);
    expect(executive.applied).toHaveLength(1);
  });

  it('acknowledges a batch whose earlier attempt committed but whose reply was lost', async () => {
    const { worker, executive, ctx } = setup();
    const original = executive.commit.bind(executive);
    let first = true;
    executive.commit = async (request) => {
      if (first) {
        first = false;
        await original(request);
        return { kind: 'unreachable', error: new Error('reply lost') };
      }
      return original(request);
    };
    await worker.handle(fetched('0', [insert(0, 1)]), ctx);
    expect(executive.applied).toHaveLength(1);
    expect(worker.status.committedNext).toBe('1');
  });

  it('seeks to what ctldb stores when another writer moved the offset', async () => {
    const { worker, executive, consumer, ctx } = setup();
    await worker.handle(fetched('0', [insert(0, 1)]), ctx);
    executive.stored.set(stream, '9');
    await worker.handle(fetched('1', [insert(1, 2)]), ctx);
    expect(consumer.calls).toEqual(['seek 9']);
    await worker.handle(fetched('9', [insert(9, 3)]), ctx);
    expect(worker.status.committedNext).toBe('10');
    expect(executive.kafkaOffsets.at(-1)).toEqual({ stream, expected: '9', next: '10' });
  });

  it('stores the latest transaction’s binlog position with each batch', async () => {
    const { worker, executive, ctx } = setup();
    const at = (offset: number, id: number, pos: number) =>
      message({
        offset: String(offset),
        key: { id },
        value: envelope({ op: 'c', after: { id, name: 'x' }, pos }),
      });
    await worker.handle(fetched('0', [at(0, 1, 500), at(1, 2, 900)]), ctx);
    expect(executive.applied[0]?.offsets).toEqual([
      { stream, expected: null, next: '2' },
      { stream: `${stream}@binlog`, expected: null, next: '0000000001:00000000000000000900:0000000000' },
    ]);
  });

  it('drops transactions Debezium sends again after a restart, including after a loader restart', async () => {
    const { worker, executive, ctx } = setup();
    const at = (offset: number, id: number, pos: number, name: string) =>
      message({
        offset: String(offset),
        key: { id },
        value: envelope({ op: 'c', after: { id, name }, pos }),
      });
    await worker.handle(fetched('0', [at(0, 1, 500, 'a'), at(1, 2, 900, 'b'), at(2, 1, 900, 'c')]), ctx);
    // The connector restarts from an older flushed position: 500 and 900 come again, then new work.
    await worker.handle(fetched('3', [at(3, 1, 500, 'a'), at(4, 2, 900, 'b')]), ctx);
    worker.unposition();
    await worker.handle(fetched('5', [at(5, 1, 500, 'a'), at(6, 3, 1200, 'd')]), ctx);
    const applied = executive.applied.flatMap((r) =>
      r.mutations.map((m) => (m.op === 'upsert' ? m.values.name : null)),
    );
    // 900 is the latest position when it comes again: let through (idempotent), never dropped.
    expect(applied).toEqual(['a', 'b', 'c', 'b', 'd']);
    expect(executive.stored.get(stream)).toBe('7');
    expect(executive.stored.get(`${stream}@binlog`)).toBe('0000000001:00000000000000001200:0000000000');
  });

  it('drops every event already applied when events carry their transaction ordinal', async () => {
    const { worker, executive, ctx } = setup();
    const at = (offset: number, id: number, order: number, name: string) =>
      message({
        offset: String(offset),
        key: { id },
        value: envelope({ op: 'c', after: { id, name }, pos: 700, txOrder: order }),
      });
    // A primary-key change shares pos and row; the ordinal tells its two records apart.
    await worker.handle(fetched('0', [at(0, 1, 1, 'a'), at(1, 2, 2, 'b')]), ctx);
    await worker.handle(fetched('2', [at(2, 2, 2, 'b'), at(3, 3, 3, 'c')]), ctx);
    const applied = executive.applied.flatMap((r) =>
      r.mutations.map((m) => (m.op === 'upsert' ? m.values.name : null)),
    );
    expect(applied).toEqual(['a', 'b', 'c']);
  });

  it('covers tombstones with an offset-only batch', async () => {
    const { worker, executive, ctx } = setup();
    const tombstone = { ...insert(0, 1), value: null };
    await worker.handle(fetched('0', [tombstone]), ctx);
    expect(executive.applied).toEqual([
      { family: 'shop', mutations: [], offsets: [{ stream, expected: null, next: '1' }] },
    ]);
  });

  it('skips a poison event to the dead-letter queue and moves past it (skip policy)', async () => {
    const { worker, executive, deadLetters, ctx } = setup('skip');
    await worker.handle(fetched('0', [insert(0, 1), insert(1, 2, 'bad\u0000name'), insert(2, 3)]), ctx);
    expect(deadLetters.letters).toMatchObject([
      { source: 'origin', topic: tp.topic, partition: 0, offset: '1', code: 'NUL_IN_TEXT', policy: 'skip' },
    ]);
    expect(
      executive.applied.flatMap((r) => r.mutations.map((m) => (m.op === 'upsert' ? m.values.id : null))),
    ).toEqual([1, 3]);
    expect(worker.status.committedNext).toBe('3');
  });

  it('halts the partition at a poison event (halt policy), committing what came before', async () => {
    const { worker, executive, deadLetters, consumer, consumed, ctx } = setup('halt');
    await worker.handle(fetched('0', [insert(0, 1), insert(1, 2, 'bad\u0000name'), insert(2, 3)]), ctx);
    expect(deadLetters.letters).toMatchObject([{ offset: '1', code: 'NUL_IN_TEXT', policy: 'halt' }]);
    expect(worker.status.halted).toMatchObject({ code: 'NUL_IN_TEXT', offset: '1' });
    expect(consumer.calls).toEqual(['pause']);
    expect(consumed).toEqual([]);
    expect(executive.applied.flatMap((r) => r.mutations)).toEqual([]);
    await worker.handle(fetched('1', [insert(2, 3)]), ctx);
    expect(executive.applied).toEqual([]);
  });

  it('dead-letters the mutation the executive rejects and resends the rest with the same offsets', async () => {
    const { worker, executive, deadLetters, ctx } = setup('skip');
    executive.script.push({
      kind: 'rejected',
      httpStatus: 400,
      code: 'VALUE_TOO_LARGE',
      message: 'too big',
      details: { row: 1 },
      retryAfterMs: null,
    });
    await worker.handle(fetched('0', [insert(0, 1), insert(1, 2)]), ctx);
    expect(deadLetters.letters.map((l) => l.offset)).toEqual(['1']);
    expect(executive.applied).toMatchObject([{ mutations: [{ values: { id: 1 } }] }]);
    expect(executive.kafkaOffsets).toEqual([{ stream, expected: null, next: '2' }]);
  });

  it('holds a table whose origin shape changed, naming the columns', async () => {
    const { worker, executive, ctx } = setup();
    const changed = message({
      offset: '0',
      key: { id: 1 },
      value: envelope({ op: 'c', after: { id: 1, name: 'a', colour: 'red' } }),
    });
    await worker.handle(fetched('0', [changed]), ctx);
    expect(worker.status.halted).toMatchObject({
      code: 'HELD',
      reason: expect.stringContaining('new column(s) colour'),
    });
    expect(executive.applied).toEqual([]);
  });

  it('abandons the work when the partition stops being current', async () => {
    const { worker, executive, ctx } = setup();
    executive.script.push({
      kind: 'rejected',
      httpStatus: 503,
      code: 'UNAVAILABLE',
      message: 'down',
      details: {},
      retryAfterMs: null,
    });
    let current = true;
    const revoking: BatchContext = {
      ...ctx,
      isCurrent: () => current,
      heartbeat: () => {
        current = false;
        return Promise.resolve();
      },
    };
    await worker.handle(fetched('0', [insert(0, 1)]), revoking);
    expect(executive.applied).toEqual([]);
  });
});
