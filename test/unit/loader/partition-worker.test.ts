import { describe, expect, it } from 'vitest';
import type { BatchContext } from '../../../services/loader/consumer/consumer.ts';
import { envelope, message } from '../../fixtures/debezium/envelopes.ts';
import { fetched, insert, setup, stream, tp } from './worker-fixture.ts';

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
    expect(worker.status).toMatchObject({
      committedNext: '3',
      highWatermark: '100',
      halted: null,
      oldestUnappliedAgeMs: null,
    });
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
    // The poison event is still unapplied: the partition reports how long it has waited.
    expect(worker.status.oldestUnappliedAgeMs).toEqual(expect.any(Number));
    expect(consumer.calls).toEqual(['pause']);
    // The valid event before the poison one is committed; the partition stops at the poison event.
    expect(consumed).toEqual(['1']);
    expect(executive.applied.flatMap((r) => r.mutations)).toEqual([
      { table: 'widgets', op: 'upsert', values: { id: 1, name: 'w1' } },
    ]);
    expect(executive.kafkaOffsets).toEqual([{ stream, expected: null, next: '1' }]);
    await worker.handle(fetched('1', [insert(2, 3)]), ctx);
    expect(executive.applied).toHaveLength(1);
  });

  it('commits the events before a mutation the executive refuses, then halts at it (halt policy)', async () => {
    const { worker, executive, deadLetters, consumed, ctx } = setup('halt');
    const refused = {
      kind: 'rejected',
      httpStatus: 400,
      code: 'INTEGER_OUT_OF_RANGE',
      message: 'too big',
      details: { row: 1 },
      retryAfterMs: null,
    } as const;
    // The batch [0, 1] is refused at row 1; event 1 alone is refused again.
    executive.script.push(
      refused,
      { kind: 'committed', status: 'applied' },
      { ...refused, details: { row: 0 } },
    );
    executive.stored.set(stream, '0');
    await worker.handle(fetched('0', [insert(0, 1), insert(1, 2), insert(2, 3)]), ctx);
    expect(deadLetters.letters).toMatchObject([
      { offset: '1', code: 'INTEGER_OUT_OF_RANGE', policy: 'halt' },
    ]);
    expect(worker.status.halted).toMatchObject({ offset: '1' });
    expect(worker.status.committedNext).toBe('1');
    expect(consumed).toEqual([]);
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
