import { describe, expect, it } from 'vitest';
import { envelope, message } from '../../fixtures/debezium/envelopes.ts';
import { fetched, setup, stream } from './worker-fixture.ts';

describe('PartitionWorker and Debezium re-emissions', () => {
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
    const at = (offset: number, id: number, order: number, name: string, gtid = '0-223344-5') =>
      message({
        offset: String(offset),
        key: { id },
        value: envelope({
          op: 'c',
          after: { id, name },
          pos: 700 + (gtid === '0-223344-5' ? 0 : 100),
          txOrder: order,
          gtid,
        }),
      });
    // A primary-key change shares pos and row; the ordinal tells its two records apart.
    await worker.handle(fetched('0', [at(0, 1, 1, 'a'), at(1, 2, 2, 'b')]), ctx);
    // The next transaction's first event shows the first one complete (the batcher holds a
    // transaction that may continue in the next fetch: partition-batcher.ts).
    await worker.handle(
      fetched('2', [at(2, 2, 2, 'b'), at(3, 3, 3, 'c'), at(4, 4, 1, 'd', '0-223344-6')]),
      ctx,
    );
    const applied = executive.applied.flatMap((r) =>
      r.mutations.map((m) => (m.op === 'upsert' ? m.values.name : null)),
    );
    expect(applied).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('PartitionWorker repositioned while a handler runs', () => {
  it('stops the older handler at its next step, so only the new position moves on', async () => {
    const { worker, executive, consumed, ctx } = setup();
    const at = (offset: number) =>
      message({
        offset: String(offset),
        key: { id: offset + 1 },
        value: envelope({ op: 'c', after: { id: offset + 1, name: `w${offset}` }, pos: 100 * (offset + 1) }),
      });
    const events = [0, 1, 2, 3, 4, 5].map(at);
    // The first commit waits until released, as a slow executive would.
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const commit = executive.commit.bind(executive);
    let calls = 0;
    executive.commit = async (request) => {
      if (calls++ === 0) await gate;
      return commit(request);
    };
    const older = worker.handle(fetched('0', events), ctx);
    await new Promise((resolve) => setImmediate(resolve));
    // kafkajs restarted its consumer and the partition came back: forget the position.
    worker.unposition();
    release();
    await older;
    expect(executive.applied).toHaveLength(1);
    expect(consumed).toEqual([]);
    // The next fetch positions at what ctldb stores and goes on from there.
    await worker.handle(fetched('2', events.slice(2)), ctx);
    const names = executive.applied.flatMap((r) =>
      r.mutations.map((m) => (m.op === 'upsert' ? m.values.name : null)),
    );
    expect(names).toEqual(['w0', 'w1', 'w2', 'w3', 'w4', 'w5']);
    expect(executive.stored.get(stream)).toBe('6');
  });
});
