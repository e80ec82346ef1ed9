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
});
