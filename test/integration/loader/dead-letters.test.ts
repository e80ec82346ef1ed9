/**
 * Poison events on the real stack (Kafka, executive over MariaDB, BullMQ on Redis): with the halt
 * policy the partition stops at the event and `cuttle deadletters retry` resumes it once the cause
 * is fixed; with the skip policy the partition moves on, and `retry` replays each skipped event
 * exactly once after the fix, `drop` forgets one.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../cli/context.ts';
import { runCli } from '../../../cli/program.ts';
import { BullmqDeadLetterStore } from '../../../lib/dead-letters/bullmq-dead-letter-adapter.ts';
import type { Loader } from '../../../services/loader/loader.ts';
import type { SourceConfigInput } from '../../../services/loader/mapping/source-config.ts';
import { envelope, toJson } from '../../fixtures/debezium/envelopes.ts';
import { stackEnv } from '../../support/stack-env.ts';
import { LoaderHarness, eventually } from './harness.ts';

const harness = new LoaderHarness();
const prefix = `cuttle-test-dlq-${harness.prefix}`;
let store: BullmqDeadLetterStore;
let loader: Loader;

const source = (name: string, table: string, policy: 'halt' | 'skip'): SourceConfigInput => ({
  name: `${harness.prefix}${name}`,
  topicPrefix: `${harness.prefix}${name}`,
  schemaTopic: false,
  deadLetterPolicy: policy,
  tables: [
    {
      source: { database: 'ctl', table },
      target: { family: 'shop', table },
      columns: [
        { name: 'id', type: 'int(11)' },
        { name: 'name', type: 'varchar(20)' },
        { name: 'colour', type: 'varchar(20)' },
      ],
      keyColumns: ['id'],
    },
  ],
});
const halting = source('h', 'things', 'halt');
const skipping = source('s', 'gadgets', 'skip');
const topic = (s: SourceConfigInput, table: string): string => `${s.topicPrefix ?? ''}.ctl.${table}`;

function upsert(table: string, id: number, name: string) {
  const value = envelope({ op: 'c', table, after: { id, name, colour: 'red' } });
  return { key: Buffer.from(toJson({ id })), value: Buffer.from(toJson(value)) };
}

async function cuttle(...args: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => out.push(t) };
  const code = await runCli(
    ['--json', 'deadletters', ...args, '--redis', stackEnv.redisUrl, '--prefix', prefix],
    io,
  );
  return { code, out: out.join('\n') };
}

describe('dead letters', () => {
  beforeAll(async () => {
    await harness.open();
    // The cuttle tables lack the `colour` field the mapping sends: every upsert is refused
    // (UNKNOWN_FIELD) until an operator adds it.
    await harness.ex.setupTable(
      'shop',
      'things',
      [
        ['id', 'integer'],
        ['name', 'string'],
      ],
      ['id'],
    );
    await harness.ex.setupTable(
      'shop',
      'gadgets',
      [
        ['id', 'integer'],
        ['name', 'string'],
      ],
      ['id'],
    );
    await harness.createTopic(topic(halting, 'things'), 1);
    await harness.createTopic(topic(skipping, 'gadgets'), 1);
    store = new BullmqDeadLetterStore({ redisUrl: stackEnv.redisUrl, prefix });
    loader = await harness.startLoader([halting, skipping], {
      redisUrl: stackEnv.redisUrl,
      deadLetterPrefix: prefix,
      deadLetterPollMs: 200,
    });
  });

  afterAll(async () => {
    await harness.close();
    await store.close();
    const redis = new Redis(stackEnv.redisUrl);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('halts a partition at a poison event and resumes it on retry after the fix', async () => {
    await harness.produce(topic(halting, 'things'), [upsert('things', 1, 'one'), upsert('things', 2, 'two')]);
    const id = `${topic(halting, 'things')}/0/0`;
    await eventually(async () => {
      expect(JSON.parse((await cuttle('list')).out)).toContainEqual(
        expect.objectContaining({ id, policy: 'halt', code: 'UNKNOWN_FIELD', request: 'none' }),
      );
      expect(loader.statuses.find((s) => s.topic === topic(halting, 'things'))?.halted).toMatchObject({
        code: 'UNKNOWN_FIELD',
        offset: '0',
      });
    });
    expect(await harness.rows('shop', 'things')).toEqual([]);
    const shown = JSON.parse((await cuttle('show', id)).out) as { valueText: string };
    expect(shown.valueText).toContain('"colour":"red"');

    await harness.ex.admin('POST', '/families/shop/tables/things/fields', { fields: [['colour', 'string']] });
    expect((await cuttle('retry', id)).code).toBe(0);
    await eventually(async () => {
      expect(await harness.rows('shop', 'things')).toEqual([
        { id: 1, name: 'one', colour: 'red' },
        { id: 2, name: 'two', colour: 'red' },
      ]);
      expect(await store.get(id)).toBeUndefined();
    });
  });

  it('skips poison events, replays each once on retry after the fix, and drops on request', async () => {
    await harness.produce(topic(skipping, 'gadgets'), [
      upsert('gadgets', 1, 'one'),
      upsert('gadgets', 2, 'two'),
      upsert('gadgets', 3, 'three'),
    ]);
    const ids = [0, 1, 2].map((o) => `${topic(skipping, 'gadgets')}/0/${o}`);
    await eventually(async () => {
      const letters = await store.list();
      expect(letters.filter((l) => l.policy === 'skip').map((l) => l.id)).toEqual(ids);
      expect(await harness.storedOffsets()).toMatchObject({ [`${topic(skipping, 'gadgets')}/0`]: '3' });
    });
    await harness.ex.admin('POST', '/families/shop/tables/gadgets/fields', {
      fields: [['colour', 'string']],
    });
    expect((await cuttle('retry', ids[0] ?? '')).code).toBe(0);
    expect((await cuttle('retry', ids[2] ?? '')).code).toBe(0);
    expect((await cuttle('drop', ids[1] ?? '')).code).toBe(0);
    await eventually(async () => {
      expect(await harness.rows('shop', 'gadgets')).toEqual([
        { id: 1, name: 'one', colour: 'red' },
        { id: 3, name: 'three', colour: 'red' },
      ]);
      expect(await store.list()).toEqual([]);
    });
    // A replay that is requested again (a second loader, a lost reply) is not applied twice.
    await store.put({
      source: skipping.name,
      topic: topic(skipping, 'gadgets'),
      partition: 0,
      offset: '0',
      ...replayOf('gadgets', 1, 'one'),
    });
    await store.request(ids[0] ?? '', 'retry');
    await loader.replayDeadLetters();
    expect(await store.list()).toEqual([]);
    expect(await harness.ledgerOps('shop')).toMatchObject({ upsert: 4 });
  });
});

function replayOf(table: string, id: number, name: string) {
  const record = upsert(table, id, name);
  return {
    key: record.key.toString('base64'),
    value: record.value.toString('base64'),
    headers: {},
    position: null,
    code: 'UNKNOWN_FIELD',
    reason: 'test',
    policy: 'skip' as const,
    atMs: Date.now(),
  };
}
