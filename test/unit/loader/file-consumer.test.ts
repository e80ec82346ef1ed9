import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../lib/logging.ts';
import type { FetchedBatch } from '../../../services/loader/consumer/consumer.ts';
import { FileChangeConsumer, topicOfEvent } from '../../../services/loader/consumer/file-consumer.ts';

const event = (table: string, id: number) =>
  JSON.stringify({ after: { id }, source: { name: 'shop', db: 'app', table, ts_ms: 1 }, op: 'c' });

let dir: string;
let path: string;
let consumer: FileChangeConsumer | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cuttle-file-consumer-'));
  path = join(dir, 'events.ndjson');
});

afterEach(async () => {
  await consumer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts a consumer that commits everything it is given, recording the offsets per topic. */
async function consume(topics: string[]): Promise<Map<string, string[]>> {
  const seen = new Map<string, string[]>();
  consumer = new FileChangeConsumer({ path, log: silentLogger(), pollMs: 10, maxBatch: 2 });
  await consumer.start(topics, {
    eachBatch: async (batch: FetchedBatch, ctx) => {
      const offsets = batch.messages.map((m) => m.offset);
      seen.set(batch.topic, [...(seen.get(batch.topic) ?? []), ...offsets]);
      const last = batch.messages.at(-1);
      if (last !== undefined) await ctx.consumed(String(Number(last.offset) + 1));
    },
    onAssigned: () => undefined,
    onFatal: (err) => {
      throw err;
    },
  });
  return seen;
}

describe('FileChangeConsumer', () => {
  it('names the topic Debezium would, with or without the schema part', () => {
    expect(topicOfEvent(event('widgets', 1))).toBe('shop.app.widgets');
    expect(topicOfEvent(JSON.stringify({ schema: {}, payload: JSON.parse(event('t', 1)) as unknown }))).toBe(
      'shop.app.t',
    );
    expect(topicOfEvent(JSON.stringify({ source: { name: 'shop' }, ddl: 'ALTER TABLE …' }))).toBe('shop');
    expect(() => topicOfEvent('{"op":"c"}')).toThrow('no source.name');
    expect(() => topicOfEvent('{"op":')).toThrow('not JSON');
  });

  it('gives each subscribed table its own offsets, waits for a partial line, follows appends', async () => {
    writeFileSync(
      path,
      `${event('a', 1)}\n${event('b', 1)}\n\n${event('a', 2)}\n${event('a', 3).slice(0, 20)}`,
    );
    const seen = await consume(['shop.app.a', 'shop.app.b']);
    await expect.poll(() => seen.get('shop.app.a')).toEqual(['0', '1']);
    expect(seen.get('shop.app.b')).toEqual(['0']);
    appendFileSync(path, `${event('a', 3).slice(20)}\n${event('c', 1)}\n${event('a', 4)}\n`);
    await expect.poll(() => seen.get('shop.app.a')).toEqual(['0', '1', '2', '3']);
    expect(seen.has('shop.app.c')).toBe(false);
  });

  it('stops reading at a line that is not a change event', async () => {
    writeFileSync(path, `${event('a', 1)}\nnot json\n${event('a', 2)}\n`);
    const seen = await consume(['shop.app.a']);
    await expect.poll(() => seen.get('shop.app.a')).toEqual(['0']);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.get('shop.app.a')).toEqual(['0']);
  });

  it('delivers again from a seek target and drops batches made stale by it', async () => {
    writeFileSync(path, [1, 2, 3, 4, 5].map((id) => event('a', id)).join('\n') + '\n');
    const fetched: string[] = [];
    consumer = new FileChangeConsumer({ path, log: silentLogger(), pollMs: 10, maxBatch: 10 });
    let seeked = false;
    await consumer.start(['shop.app.a'], {
      eachBatch: async (batch, ctx) => {
        fetched.push(batch.fetchedOffset);
        if (!seeked) {
          seeked = true;
          consumer?.seek(batch, '3');
          expect(ctx.isCurrent()).toBe(false);
          await ctx.consumed('5'); // ignored: the batch is stale
          return;
        }
        await ctx.consumed('5');
      },
      onAssigned: () => undefined,
      onFatal: () => undefined,
    });
    await expect.poll(() => fetched).toEqual(['0', '3']);
  });
});
