/**
 * Chaos invariant "readers never observe part of an origin transaction", broken by the first
 * chaos run: one origin UPDATE of the four slots of a tx_groups group reached the ledger as two
 * batches (one slot, then three), because the batcher closed its batch at the end of a fetched
 * Kafka batch (and by time) between two events of one Debezium transaction; readers saw the group
 * with two versions. Batches now end only between transactions (by time or fetch), and the last
 * transaction of a fetch stays open until the worker knows it is complete (its END marker on the
 * transaction topic, or LOADER_TRANSACTION_WAIT_MS).
 */
import { describe, expect, it } from 'vitest';
import type { BatchEvent } from '../../../services/loader/batching/batch.ts';
import { PartitionBatcher, type BatchLimits } from '../../../services/loader/batching/partition-batcher.ts';

const tp = { topic: 'fleet.fleet_origin.tx_groups', partition: 0 };
const limits: BatchLimits = {
  maxMutations: 1000,
  maxBytes: 1 << 20,
  maxEvents: 5000,
  maxWaitMs: 50,
};

/** An event of origin transaction `txId` (null: outside any); without mutations, a tombstone. */
function event(offset: number, txId: string | null, mutations = 1): BatchEvent {
  const transaction =
    mutations === 0
      ? undefined
      : txId === null
        ? null
        : { id: txId, table: 'fleet_origin.tx_groups', order: offset + 1 };
  return {
    ...(transaction === undefined ? {} : { transaction }),
    offset: String(offset),
    family: mutations === 0 ? null : 'fleet',
    mutations: Array.from({ length: mutations }, (_, i) => ({
      table: 'tx_groups',
      op: 'upsert' as const,
      values: { grp: 1, slot: i, ver: offset },
    })),
    sourceTsMs: 0,
    bytes: 10,
  };
}

/** Takes and acknowledges every batch ready at `now`, returning each batch's offsets. */
function drain(b: PartitionBatcher, now: number): string[][] {
  const out: string[][] = [];
  for (let batch = b.take(now); batch !== null; batch = b.take(now)) {
    out.push(batch.events.map((e) => e.offset));
    b.acknowledge(batch);
  }
  return out;
}

describe('invariant: readers never observe part of an origin transaction', () => {
  it('keeps a transaction split across two fetches in one batch', () => {
    const b = new PartitionBatcher(tp, limits, null);
    b.add(event(0, 'tx-a'), 0);
    b.add(event(1, 'tx-b'), 0);
    b.closeOpen(false); // end of the first fetch: tx-b may go on
    expect(drain(b, 0)).toEqual([['0']]);
    b.add(event(2, 'tx-b'), 5);
    b.add(event(3, 'tx-b'), 5);
    b.add(event(4, 'tx-c'), 5);
    b.closeOpen(false);
    expect(drain(b, 5)).toEqual([['1', '2', '3']]);
  });

  it('cuts by time only between transactions', () => {
    const b = new PartitionBatcher(tp, limits, null);
    b.add(event(0, 'tx-a'), 0);
    b.add(event(1, 'tx-a'), 10);
    b.add(event(2, 'tx-b'), 20);
    expect(drain(b, 60)).toEqual([['0', '1']]);
    b.add(event(3, 'tx-b'), 70);
    b.add(event(4, 'tx-c'), 70);
    expect(drain(b, 130)).toEqual([['2', '3']]);
  });

  it('holds a lone transaction, even long after its last event, until the worker knows it is complete', () => {
    const b = new PartitionBatcher(tp, limits, null);
    b.add(event(0, 'tx-a'), 0);
    b.add(event(1, 'tx-a'), 0);
    b.closeOpen(false);
    // Commits of earlier batches may take long; the end marker has not been seen yet.
    expect(drain(b, 10_000)).toEqual([]);
    expect(b.hasReadyDraft(10_000)).toBe(false);
    expect(b.dueInMs(10_000)).toBeNull();
    expect(b.openTransaction()?.id).toBe('tx-a');
    b.closeOpen(true);
    expect(drain(b, 10_000)).toEqual([['0', '1']]);
    expect(b.openTransaction()).toBeNull();
  });

  it('counts a tombstone as part of the transaction of the delete before it', () => {
    const b = new PartitionBatcher(tp, limits, null);
    b.add(event(0, 'tx-a'), 0); // delete
    b.add(event(1, null, 0), 0); // its tombstone
    b.closeOpen(false);
    expect(drain(b, 1000)).toEqual([]);
    b.add(event(2, 'tx-a'), 70);
    b.add(event(3, 'tx-b'), 70);
    b.closeOpen(false);
    expect(drain(b, 70)).toEqual([['0', '1', '2']]);
  });

  it('closes at the end of a fetch as before when events carry no transaction id', () => {
    const b = new PartitionBatcher(tp, limits, null);
    b.add(event(0, null), 0);
    b.add(event(1, null), 0);
    b.closeOpen();
    expect(drain(b, 0)).toEqual([['0', '1']]);
  });
});
