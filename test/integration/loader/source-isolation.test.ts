/**
 * One broken source never stalls another (issue 14). A registry row from before table names were
 * checked can name a table whose topic Kafka refuses; one kafkajs consumer for every source then
 * never started, for all of them. Now each source has its own consumer: the broken one is down
 * (readiness, /status, cuttle_loader_source_up), a third source's poison event halts only its own
 * partition, and the healthy source beside them loads its origin changes into the LDB within its
 * usual latency, measured against the same pipeline alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectClient } from '../../../lib/sources/connect-client.ts';
import type { Loader } from '../../../services/loader/loader.ts';
import type { SourceConfigInput } from '../../../services/loader/mapping/source-config.ts';
import { mariaDbConnectorConfig } from '../../support/debezium.ts';
import { stackEnv } from '../../support/stack-env.ts';
import { Pipeline } from './pipeline.ts';

const pipeline = new Pipeline();
const family = 'iso';

/** Milliseconds from the origin's commit until the LDB holds value `n` for row 1. */
async function latency(n: number): Promise<number> {
  await pipeline.origin.exec('UPDATE items SET n = ? WHERE id = 1', [n]);
  const committed = performance.now();
  for (;;) {
    if (pipeline.reader.getRow(family, 'items', [1])?.n === BigInt(n)) return performance.now() - committed;
    if (performance.now() - committed > 30_000) throw new Error(`n = ${n} not in the LDB after 30 s`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function median(from: number, count: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) samples.push(await latency(from + i));
  samples.sort((a, b) => a - b);
  return samples[Math.floor(count / 2)] ?? Infinity;
}

async function statusOf(loader: Loader): Promise<{
  ready: boolean;
  sources: { source: string; up: boolean; reason?: string }[];
}> {
  return (await (await fetch(`${loader.statusUrl ?? ''}/status`)).json()) as never;
}

describe('a broken and a poisoned source beside a healthy one', () => {
  beforeAll(async () => {
    await pipeline.open({
      format: 'json',
      setup: ['CREATE TABLE items (id INT PRIMARY KEY, n INT NOT NULL)', 'INSERT INTO items VALUES (1, 0)'],
      tables: [{ table: 'items', family }],
      startLoader: false,
    });
  }, 180_000);

  afterAll(async () => {
    await pipeline.close();
  });

  it('keeps loading the healthy source within its usual latency and reports the broken one', async () => {
    const healthy = pipeline.source;
    const broken: SourceConfigInput = {
      name: `${pipeline.harness.prefix}-broken`,
      format: 'json',
      tables: [
        {
          source: { database: pipeline.origin.database, table: 'price$list' },
          target: { family, table: 'prices' },
          columns: [{ name: 'id', type: 'int(11)' }],
          keyColumns: ['id'],
        },
      ],
    };

    // A third source whose only event is poison: its partition halts, nothing else does.
    const poisoned: SourceConfigInput = {
      name: `${pipeline.harness.prefix}-poison`,
      format: 'json',
      schemaTopic: false,
      tables: [
        {
          source: { database: 'ctl', table: 'poisoned' },
          target: { family, table: 'poisoned' },
          columns: [{ name: 'id', type: 'int(11)' }],
          keyColumns: ['id'],
        },
      ],
    };
    const poisonTopic = `${poisoned.name}.ctl.poisoned`;
    await pipeline.harness.createTables(poisoned);
    await pipeline.harness.createTopic(poisonTopic, 1);
    await pipeline.harness.produce(poisonTopic, [
      { key: Buffer.from('{"id":1}'), value: Buffer.from('{ not json') },
    ]);

    // The healthy source alone: its usual latency.
    const alone = await pipeline.harness.startLoader([healthy]);
    await expect.poll(() => pipeline.reader.getRow(family, 'items', [1])?.n, { timeout: 60_000 }).toBe(0n);
    const usual = await median(1, 7);
    await pipeline.harness.stopLoader(alone);

    const both = await pipeline.harness.startLoader([healthy, broken, poisoned]);
    await expect
      .poll(() => both.statuses.find((p) => p.topic === poisonTopic)?.halted?.offset, { timeout: 60_000 })
      .toBe('0');
    const beside = await median(100, 7);
    console.log(
      `origin→LDB median: alone ${usual.toFixed(0)} ms, beside a broken and a poisoned source ${beside.toFixed(0)} ms`,
    );
    expect(beside).toBeLessThan(Math.max(usual * 3, usual + 1000));

    const status = await statusOf(both);
    expect(status.ready).toBe(false);
    expect(status.sources).toEqual([
      { source: healthy.name, up: true, topics: expect.any(Array) as unknown },
      {
        source: broken.name,
        up: false,
        reason: expect.stringMatching(/price\$list: not a legal Kafka topic name/) as unknown,
        topics: [expect.any(String), expect.stringContaining('price$list')],
      },
      // Consuming, with its one partition halted at the poison event (a dead letter).
      { source: poisoned.name, up: true, topics: [poisonTopic] },
    ]);
    const ready = await fetch(`${both.statusUrl ?? ''}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, down: [broken.name] });
    const metrics = await (await fetch(`${both.statusUrl ?? ''}/metrics`)).text();
    const up = (source: string): string | undefined =>
      new RegExp(`^cuttle_loader_source_up\\{source="${source}"[^}]*\\} (\\d)$`, 'm').exec(metrics)?.[1];
    expect([up(healthy.name), up(broken.name), up(poisoned.name)]).toEqual(['1', '0', '1']);
  }, 240_000);

  it('reports a source whose connector FAILED in Kafka Connect as down, and only that one', async () => {
    const connect = new ConnectClient(stackEnv.connectUrl);
    const failing: SourceConfigInput = {
      name: `${pipeline.harness.prefix}-failing`,
      format: 'json',
      tables: [
        {
          source: { database: pipeline.origin.database, table: 'items' },
          target: { family, table: 'failing_items' },
          columns: [
            { name: 'id', type: 'int(11)' },
            { name: 'n', type: 'int(11)' },
          ],
          keyColumns: ['id'],
        },
      ],
    };
    // A real connector whose task fails on its first record (a whole-value cast of Debezium's
    // struct to a number is impossible), as a runtime failure does: Connect marks the task FAILED.
    const connector = mariaDbConnectorConfig({
      name: failing.name,
      database: pipeline.origin.database,
      extra: {
        transforms: 'breaks',
        'transforms.breaks.type': 'org.apache.kafka.connect.transforms.Cast$Value',
        'transforms.breaks.spec': 'int8',
      },
    });
    await connect.putConfig(connector.name, connector.config);
    try {
      await pipeline.harness.createTables(failing);
      const loader = await pipeline.harness.startLoader([pipeline.source, failing], {
        connectUrl: stackEnv.connectUrl,
        connectCheckMs: 200,
      });
      await expect
        .poll(async () => (await statusOf(loader)).sources.find((s) => s.source === failing.name)?.reason, {
          timeout: 90_000,
          interval: 250,
        })
        .toMatch(new RegExp(`connector ${failing.name} (task 0 )?FAILED`));
      await expect
        .poll(async () => (await statusOf(loader)).sources.map((s) => [s.source, s.up]), { timeout: 60_000 })
        .toEqual([
          [pipeline.source.name, true],
          [failing.name, false],
        ]);
      const ready = await fetch(`${loader.statusUrl ?? ''}/ready`);
      expect(await ready.json()).toEqual({ ready: false, down: [failing.name] });
      // The healthy source still loads.
      await expect(latency(500)).resolves.toBeLessThan(30_000);
      await pipeline.harness.stopLoader(loader);
    } finally {
      await connect.remove(connector.name).catch(() => undefined);
    }
  }, 240_000);
});
