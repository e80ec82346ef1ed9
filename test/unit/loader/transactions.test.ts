/**
 * Origin transactions stay whole: the batcher cuts batches only between transactions (or at the
 * size limit inside one larger than it), and a partition worker holding the first changes of a
 * transaction waits for the rest, or for its end marker, before committing it in one batch.
 */
import { describe, expect, it } from 'vitest';
import type { BatchEvent } from '../../../services/loader/batching/batch.ts';
import { PartitionBatcher, type BatchLimits } from '../../../services/loader/batching/partition-batcher.ts';
import {
  END_MAX_AGE_MS,
  MAX_REMEMBERED,
  TransactionTracker,
} from '../../../services/loader/pipeline/transactions.ts';
import { envelope, message } from '../../fixtures/debezium/envelopes.ts';
import { fetched, setup } from './worker-fixture.ts';

const tp = { topic: 'ctl.ctl.widgets', partition: 0 };
const limits: BatchLimits = { maxMutations: 4, maxBytes: 1000, maxEvents: 100, maxWaitMs: 50 };

function change(offset: number, tx: string | null, order = 1): BatchEvent {
  return {
    offset: String(offset),
    family: 'shop',
    mutations: [{ table: 'widgets', op: 'upsert', values: { id: offset } }],
    sourceTsMs: 0,
    bytes: 10,
    transaction: tx === null ? null : { id: tx, table: 'ctl.widgets', order },
  };
}

const tombstone = (offset: number): BatchEvent => ({
  offset: String(offset),
  family: null,
  mutations: [],
  sourceTsMs: null,
  bytes: 0,
});

function drain(b: PartitionBatcher, nowMs: number): string[][] {
  const out: string[][] = [];
  for (let batch = b.take(nowMs); batch !== null; batch = b.take(nowMs)) {
    out.push(batch.events.map((e) => e.offset));
    b.acknowledge(batch);
  }
  return out;
}

describe('PartitionBatcher and origin transactions', () => {
  it('cuts a full batch before the transaction that would not fit, not inside it', () => {
    const b = new PartitionBatcher(tp, limits, null);
    for (const [o, order] of [
      [0, 1],
      [1, 2],
      [2, 3],
    ] as const)
      b.add(change(o, 'A', order), 0);
    b.add(change(3, 'B', 1), 0);
    b.add(change(4, 'B', 2), 0);
    expect(drain(b, 1000)).toEqual([['0', '1', '2']]);
    expect(b.openTransaction()).toMatchObject({ id: 'B', table: 'ctl.widgets', lastOrder: 2, sinceMs: 0 });
    b.closeOpen(false);
    expect(drain(b, 1000)).toEqual([]);
    b.closeOpen();
    expect(drain(b, 1000)).toEqual([['3', '4']]);
  });

  it('splits a transaction larger than the limits at the limit (a bounded split)', () => {
    const b = new PartitionBatcher(tp, { ...limits, maxMutations: 3 }, null);
    for (let o = 0; o < 5; o++) b.add(change(o, 'A', o + 1), 0);
    b.closeOpen();
    expect(drain(b, 0)).toEqual([
      ['0', '1', '2'],
      ['3', '4'],
    ]);
  });

  it('keeps events without a change (tombstones) with the transaction around them', () => {
    const b = new PartitionBatcher(tp, limits, null);
    b.add(change(0, 'A', 1), 0);
    b.add(tombstone(1), 0);
    b.add(change(2, 'A', 2), 0);
    b.add(change(3, null), 0);
    b.add(change(4, 'B', 1), 0);
    b.add(tombstone(5), 0);
    b.closeOpen(false);
    expect(drain(b, 0)).toEqual([['0', '1', '2', '3']]);
    expect(b.openTransaction()?.id).toBe('B');
  });

  it('closes by time only before the open transaction', () => {
    const b = new PartitionBatcher(tp, limits, null);
    b.add(change(0, null), 0);
    b.add(change(1, 'A', 1), 10);
    expect(b.take(49)).toBeNull();
    expect(drain(b, 60)).toEqual([['0']]);
    expect(b.hasReadyDraft(1000)).toBe(false);
    expect(b.dueInMs(1000)).toBeNull();
    b.add(change(2, 'C', 1), 1000);
    expect(drain(b, 1100)).toEqual([['1']]);
  });
});

function txInsert(offset: number, id: number, tx: string, order: number) {
  return message({
    offset: String(offset),
    key: { id },
    value: envelope({ op: 'c', after: { id, name: `w${id}` }, gtid: tx, txOrder: order, pos: 1000 + offset }),
  });
}

function withTracker(waitMs = 2000) {
  const tracker = new TransactionTracker();
  tracker.followed = true;
  const fixture = setup('halt', { transactions: tracker, transactionWaitMs: waitMs });
  const batches = () =>
    fixture.executive.applied.map((r) => r.mutations.map((m) => (m.op === 'upsert' ? m.values.id : null)));
  return { ...fixture, tracker, batches };
}

describe('PartitionWorker and origin transactions', () => {
  it('waits at the head of the partition for the end marker, then commits the transaction whole', async () => {
    const { worker, tracker, ctx, batches } = withTracker();
    setTimeout(() => tracker.recordEnd('0-1-7', new Map([['ctl.widgets', 2]])), 20);
    await worker.handle(
      { ...fetched('0', [txInsert(0, 1, '0-1-7', 1), txInsert(1, 2, '0-1-7', 2)]), highWatermark: '2' },
      ctx,
    );
    expect(batches()).toEqual([[1, 2]]);
  });

  it('leaves a transaction open while its last changes are still to be fetched', async () => {
    // (The fixture's batches hold 2 mutations: this transaction has 2 changes.)
    const { worker, tracker, ctx, consumed, slept, batches } = withTracker();
    tracker.recordEnd('0-1-8', new Map([['ctl.widgets', 2]]));
    // Kafka holds more of the partition than this fetch: no wait at all.
    await worker.handle({ ...fetched('0', [txInsert(0, 1, '0-1-8', 1)]), highWatermark: '2' }, ctx);
    expect(batches()).toEqual([]);
    expect(slept).toEqual([]);
    // At the head, with the end known: fetch again shortly.
    await worker.handle({ ...fetched('0', [txInsert(0, 1, '0-1-8', 1)]), highWatermark: '1' }, ctx);
    expect(batches()).toEqual([]);
    expect(slept).toEqual([5]);
    await worker.handle(
      { ...fetched('0', [txInsert(0, 1, '0-1-8', 1), txInsert(1, 2, '0-1-8', 2)]), highWatermark: '2' },
      ctx,
    );
    expect(batches()).toEqual([[1, 2]]);
    expect(consumed.at(-1)).toBe('2');
  });

  it('commits what it has once the wait for the end marker runs out', async () => {
    const { worker, ctx, batches } = withTracker(30);
    const batch = { ...fetched('0', [txInsert(0, 1, '0-1-9', 1)]), highWatermark: '1' };
    await worker.handle(batch, ctx);
    expect(batches()).toEqual([]);
    // The consumer fetches the same records again: the wait, counted from the first change, is over.
    await worker.handle(batch, ctx);
    expect(batches()).toEqual([[1]]);
  });

  it('commits transactions the next event already closed without waiting', async () => {
    const { worker, ctx, batches } = withTracker(60_000);
    const started = Date.now();
    await worker.handle(
      {
        ...fetched('0', [txInsert(0, 1, 'A', 1), txInsert(1, 2, 'A', 2), txInsert(2, 3, 'B', 1)]),
        highWatermark: '4',
      },
      ctx,
    );
    expect(batches()).toEqual([[1, 2]]);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('TransactionTracker', () => {
  it('orders each end among the others it recorded, a recorded again end moving to the latest', () => {
    const tracker = new TransactionTracker();
    expect(tracker.recorded).toBe(0);
    expect(tracker.recordedAt('a')).toBeUndefined();
    tracker.recordEnd('a', new Map([['ctl.widgets', 2]]));
    const afterA = tracker.recorded;
    tracker.recordEnd('b', new Map());
    expect(tracker.recordedAt('a')).toBe(afterA);
    expect(tracker.recordedAt('b')).toBeGreaterThan(afterA);
    expect(tracker.changesTo('b', 'ctl.widgets')).toBe(0);
    tracker.recordEnd('a', new Map([['ctl.widgets', 1]]));
    expect(tracker.recordedAt('a')).toBe(tracker.recorded);
    expect(tracker.recordedAt('a')).toBeGreaterThan(tracker.recordedAt('b') ?? Infinity);
    expect(tracker.changesTo('a', 'ctl.widgets')).toBe(1);
  });

  it('forgets ends older than their age limit, and the oldest beyond the count limit', () => {
    let now = 1_000_000;
    const tracker = new TransactionTracker(() => now);
    tracker.recordEnd('old', new Map([['ctl.widgets', 1]]));
    now += END_MAX_AGE_MS / 2;
    tracker.recordEnd('recent', new Map([['ctl.widgets', 2]]));
    now += END_MAX_AGE_MS / 2 + 1;
    tracker.recordEnd('new', new Map());
    expect(tracker.changesTo('old', 'ctl.widgets')).toBeUndefined();
    expect(tracker.changesTo('recent', 'ctl.widgets')).toBe(2);
    expect(tracker.size).toBe(2);

    for (let i = 0; i < MAX_REMEMBERED + 5; i += 1) tracker.recordEnd(`t${i}`, new Map());
    expect(tracker.size).toBe(MAX_REMEMBERED);
    expect(tracker.changesTo('recent', 'ctl.widgets')).toBeUndefined();
    expect(tracker.changesTo(`t${MAX_REMEMBERED + 4}`, 'ctl.widgets')).toBe(0);
  });
});
