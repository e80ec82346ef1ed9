/**
 * Chaos invariant "readers never observe part of an origin transaction", broken by the CI chaos
 * run (seed npm-test.1: two kill -9 of the Kafka Connect worker). Debezium had sent the first
 * changes of a tx_groups transaction when the worker died; its end marker came only after the
 * worker's restart, which took longer than LOADER_TRANSACTION_WAIT_MS (then 2 s). The loader
 * committed the changes it had, then the re-emitted rest as a second batch: every reader saw the
 * group with two versions. The wait now outlasts a worker restart (60 s by default, the handler
 * returning every second so that the consumer fetches again), and applies only while a feed
 * follows the transaction topic: without one no end can come, and waiting would only delay every transaction.
 */
import { describe, expect, it } from 'vitest';
import { loaderOptions } from '../../../services/loader/config.ts';
import { TransactionTracker } from '../../../services/loader/pipeline/transactions.ts';
import { envelope, message } from '../../fixtures/debezium/envelopes.ts';
import { fetched, setup } from './worker-fixture.ts';

const TX = '0-1-42';
const TABLE = 'ctl.widgets';

/** The `order`-th change of TX, at binlog position `pos`, stored at Kafka offset `offset`. */
function change(offset: number, order: number, pos: number) {
  return message({
    offset: String(offset),
    key: { id: order },
    value: envelope({ op: 'c', after: { id: order, name: `w${order}` }, gtid: TX, txOrder: order, pos }),
  });
}

function withTracker(followed: boolean) {
  const tracker = new TransactionTracker();
  tracker.followed = followed;
  const waitMs = loaderOptions.transactionWaitMs.schema.parse(undefined);
  const fixture = setup('halt', { transactions: tracker, transactionWaitMs: waitMs });
  let heartbeats = 0;
  const ctx = {
    ...fixture.ctx,
    heartbeat: () => {
      heartbeats++;
      return Promise.resolve();
    },
  };
  const batches = () =>
    fixture.executive.applied.map((r) => r.mutations.map((m) => (m.op === 'upsert' ? m.values.id : null)));
  return { ...fixture, ctx, tracker, batches, heartbeats: () => heartbeats, waitMs };
}

describe('invariant: readers never observe part of an origin transaction (Connect worker restart)', () => {
  it('by default waits longer for an end marker than a Connect worker takes to restart', () => {
    expect(withTracker(true).waitMs).toBeGreaterThanOrEqual(30_000);
  });

  it('keeps the first change waiting through a 2.5-s restart, then commits it with the re-emitted rest', async () => {
    const { worker, tracker, ctx, batches, heartbeats } = withTracker(true);
    // The worker died after sending change 1: the end marker comes after its restart.
    setTimeout(() => tracker.recordEnd(TX, new Map([[TABLE, 2]])), 2500);
    // The consumer fetches the partition again each time the handler returns (nothing resolved).
    const first = { ...fetched('0', [change(0, 1, 1000)]), highWatermark: '1' };
    for (let fetch = 0; fetch < 2; fetch++) {
      const started = Date.now();
      await worker.handle(first, ctx);
      // Back to the consumer within about a second, so that it heartbeats and fetches again.
      expect(Date.now() - started).toBeLessThan(1500);
      expect(batches()).toEqual([]);
    }
    // Restarted, Debezium sends the transaction again from its start: change 1 is dropped.
    const again = {
      ...fetched('0', [change(0, 1, 1000), change(1, 1, 1000), change(2, 2, 1100)]),
      highWatermark: '3',
    };
    for (let fetch = 0; fetch < 5 && batches().length === 0; fetch++) await worker.handle(again, ctx);
    expect(batches()).toEqual([[1, 2]]);
    expect(heartbeats()).toBe(0);
  }, 10_000);

  it('does not wait when no feed follows the transaction topic', async () => {
    const { worker, ctx, batches } = withTracker(false);
    const started = Date.now();
    await worker.handle({ ...fetched('0', [change(0, 1, 1000)]), highWatermark: '1' }, ctx);
    expect(batches()).toEqual([[1]]);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

/**
 * Debezium before debezium/dbz#633 (fixed upstream in 2026; this stack runs 3.2.0) numbers the
 * changes it sends after a restart in the middle of a transaction from 1 again, and its end marker
 * counts only those. An end marker that arrives while the worker holds the changes sent before the
 * restart must not be checked against them: their order is from before the count started again.
 */
describe('invariant: readers never observe part of an origin transaction (counts restarted by Debezium)', () => {
  it('commits the changes from before the restart together with those numbered again after it', async () => {
    const { worker, tracker, ctx, batches } = withTracker(true);
    // Change 1 was sent, and Connect stored the offset after it, when the worker died.
    const before = { ...fetched('0', [change(0, 1, 1000)]), highWatermark: '1' };
    // Restarted, Debezium sends change 2 as the transaction's first, and an end that counts 1.
    setTimeout(() => tracker.recordEnd(TX, new Map([[TABLE, 1]])), 300);
    await worker.handle(before, ctx);
    expect(batches()).toEqual([]);
    const after = { ...fetched('0', [change(0, 1, 1000), renumbered(1, 2, 1, 1100)]), highWatermark: '2' };
    for (let fetch = 0; fetch < 5 && batches().length === 0; fetch++) await worker.handle(after, ctx);
    expect(batches()).toEqual([[1, 2]]);
  }, 10_000);
});

/** Change `id` of TX, numbered `order` among the changes sent since Debezium's restart. */
function renumbered(offset: number, id: number, order: number, pos: number) {
  return message({
    offset: String(offset),
    key: { id },
    value: envelope({ op: 'c', after: { id, name: `w${id}` }, gtid: TX, txOrder: order, pos }),
  });
}
