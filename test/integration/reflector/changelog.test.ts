/**
 * The change feed: lines only for committed batches, ledger seqs that survive restarts (no
 * duplicates, lost lines re-emitted from the ledger), size rotation that deletes nothing under a
 * follower, and a follower that crosses rotations or reports CHANGELOG_OUT_OF_SYNC.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { followChangelog } from '../../../lib/changelog/follow.ts';
import type { ChangeEvent } from '../../../lib/changelog/format.ts';
import { CuttleError } from '../../../lib/errors.ts';
import { sleep } from '../../../lib/lifecycle.ts';
import type { TableSchema } from '../../../lib/schema/types.ts';
import { op } from '../../support/ledger-fixture.ts';
import { openReflectorContext, type ReflectorContext } from './reflector-context.ts';

const items: TableSchema = {
  family: 'acme',
  table: 'items',
  fields: [
    { name: 'id', type: 'integer' },
    { name: 'tag', type: 'bytestring' },
    { name: 'price', type: 'decimal' },
  ],
  keyFields: ['id'],
};

function lines(path: string): { seq: number; prev: number; op: string }[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as { seq: number; prev: number; op: string });
}

/** Collects events until `count` arrived (or the follower throws). */
async function collect(path: string, afterSeq: number, count: number, keep = 16): Promise<ChangeEvent[]> {
  const events: ChangeEvent[] = [];
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 10_000);
  try {
    for await (const event of followChangelog(path, { afterSeq, signal: abort.signal, pollMs: 5, keep })) {
      events.push(event);
      if (events.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return events;
}

let ctx: ReflectorContext | undefined;
afterEach(async () => {
  await ctx?.close();
  ctx = undefined;
});

describe('change feed', () => {
  it('writes one line per committed change with ledger seqs; a follower gets typed changes after a seq', async () => {
    ctx = await openReflectorContext('sqlite');
    const path = ctx.dir.file('changes.ndjson');
    await ctx.restart({ changelog: { path } });
    await ctx.commit([
      op.createTable(items),
      op.heartbeat(),
      op.upsert(items, { id: 2n ** 62n, tag: Buffer.from([1]), price: '1.50' }),
    ]);
    await ctx.commit([op.delete(items, { id: 2n ** 62n }), op.clearTable(items)]);
    expect(lines(path).map((l) => [l.seq, l.prev, l.op])).toEqual([
      [1, 0, 'create_table'],
      [3, 1, 'upsert'],
      [4, 3, 'delete'],
      [5, 4, 'clear_table'],
    ]);
    const events = await collect(path, 1, 3);
    expect(events.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(events[0]).toMatchObject({
      op: 'upsert',
      family: 'acme',
      table: 'items',
      key: { id: 2n ** 62n },
      values: { id: 2n ** 62n, tag: Buffer.from([1]), price: '1.50' },
    });
  });

  it('writes nothing for a batch that did not commit', async () => {
    ctx = await openReflectorContext('sqlite');
    const path = ctx.dir.file('changes.ndjson');
    await ctx.restart({ changelog: { path } });
    await ctx.commit([op.createTable(items)]);
    await ctx.ledger.append([
      op.upsert(items, { id: 1n }),
      { family: 'acme', table: 'missing', op: 'clear_table', payload: {} },
    ]);
    const reflector = ctx.reflector;
    while (reflector.status().state !== 'failed') await sleep(10);
    expect(reflector.status().error?.code).toBe('INTERNAL');
    expect(lines(path).map((l) => l.seq)).toEqual([1]);
  });

  it('survives restarts: no duplicate lines, and lines lost after a commit are written from the ledger', async () => {
    ctx = await openReflectorContext('sqlite');
    const path = ctx.dir.file('changes.ndjson');
    await ctx.restart({ changelog: { path } });
    await ctx.commit([op.createTable(items), op.upsert(items, { id: 1n })]);
    // Batches applied with no changelog written: what a kill between commit and write leaves.
    await ctx.restart({});
    await ctx.commit([op.upsert(items, { id: 2n, tag: Buffer.from('x') })]);
    await ctx.commit([op.heartbeat(), op.delete(items, { id: 1n })]);
    // A line cut short by the crash.
    appendFileSync(path, '{"seq":99,"prev":2,"fam');
    await ctx.restart({ changelog: { path } });
    await ctx.commit([op.upsert(items, { id: 3n })]);
    await ctx.restart({ changelog: { path } });
    await ctx.commit([op.upsert(items, { id: 4n })]);
    expect(lines(path).map((l) => [l.seq, l.prev])).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
      [5, 3],
      [6, 5],
      [7, 6],
    ]);
    const replayed = await collect(path, 2, 2);
    expect(replayed.map((e) => [e.seq, e.op, e.key])).toEqual([
      [3, 'upsert', { id: 2n }],
      [5, 'delete', { id: 1n }],
    ]);
    expect(replayed[0]?.values).toMatchObject({ tag: Buffer.from('x') });
  });

  it('rotates by size keeping N files; followers cross rotations, or learn they are out of sync', async () => {
    ctx = await openReflectorContext('sqlite');
    const path = ctx.dir.file('changes.ndjson');
    await ctx.restart({ changelog: { path, maxBytes: 2048, keep: 2 } });
    await ctx.commit([op.createTable(items)]);
    const following = collect(path, 1, 60, 2);
    for (let i = 0; i < 60; i++) await ctx.commit([op.upsert(items, { id: BigInt(i), price: String(i) })]);
    const events = await following;
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 2));
    expect(existsSync(`${path}.1`) && existsSync(`${path}.2`)).toBe(true);
    expect(existsSync(`${path}.3`)).toBe(false);
    const oldest = lines(`${path}.2`)[0];
    expect(oldest).toBeDefined();
    const error = await collect(path, 1, 1, 2).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(CuttleError);
    expect((error as CuttleError).code).toBe('CHANGELOG_OUT_OF_SYNC');
    const resumed = await collect(path, oldest?.prev ?? 0, 1, 2);
    expect(resumed[0]?.seq).toBe(oldest?.seq);
  });
});
