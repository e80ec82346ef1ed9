/**
 * The loader against the real broker and a real executive over MariaDB: Debezium-shaped JSON
 * records (with and without the schema part) produced to a two-partition topic arrive in ctldb
 * exactly, every change has one ledger effect, and the offsets ctldb stores cover the topic,
 * across a loader restart and a rebalance between two loaders of one group.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEW_KEY_HEADER, OLD_KEY_HEADER } from '../../../services/loader/decode/records.ts';
import type { SourceConfigInput } from '../../../services/loader/mapping/source-config.ts';
import { envelope, raw, toJson, type ColumnSpec } from '../../fixtures/debezium/envelopes.ts';
import { LoaderHarness, eventually, type ProducedRecord } from './harness.ts';

const harness = new LoaderHarness();
const topicOf = (): string => `${harness.prefix}.ctl.widgets`;

const source = (): SourceConfigInput => ({
  name: harness.prefix,
  topicPrefix: harness.prefix,
  schemaTopic: false,
  encodings: { decimalHandlingMode: 'string', binaryHandlingMode: 'base64' },
  tables: [
    {
      source: { database: 'ctl', table: 'widgets' },
      target: { family: 'shop', table: 'widgets' },
      columns: [
        { name: 'id', type: 'bigint(20)' },
        { name: 'name', type: 'varchar(50)' },
        { name: 'order', type: 'int(11)' },
        { name: 'price', type: 'decimal(10,2)' },
        { name: 'big', type: 'bigint(20) unsigned' },
        { name: 'blob', type: 'varbinary(300)' },
        { name: 'at', type: 'datetime(6)' },
      ],
      keyColumns: ['id'],
    },
  ],
});

const columns: ColumnSpec[] = [
  { name: 'id', connect: { type: 'int64' } },
  { name: 'name', connect: { type: 'string' } },
  { name: 'order', connect: { type: 'int32' } },
  { name: 'price', connect: { type: 'string' } },
  { name: 'big', connect: { type: 'int64' } },
  { name: 'blob', connect: { type: 'string' } },
  { name: 'at', connect: { type: 'int64', name: 'io.debezium.time.MicroTimestamp' } },
];

/** A generator of changes with the final table it must produce. */
class Workload {
  readonly rows = new Map<number, Record<string, unknown>>();
  upserts = 0;
  deletes = 0;
  #version = 0;

  #row(id: number): { source: Record<string, unknown>; expected: Record<string, unknown> } {
    const v = ++this.#version;
    const big = 2n ** 64n - BigInt(v);
    const blob = Buffer.from([0, v % 256, 0, 0xff]);
    const micros = 1704164645000000 + v;
    return {
      source: {
        id,
        name: `w${id}·🦑${v}`,
        order: v,
        price: `${v}.50`,
        big: raw((big - 2n ** 64n).toString()),
        blob: blob.toString('base64'),
        at: micros,
      },
      expected: {
        id,
        name: `w${id}·🦑${v}`,
        order: v,
        price: `${v}.5`,
        big: big.toString(),
        blob: blob.toString('base64'),
        at: `2024-01-02 03:04:05.${String(v).padStart(6, '0')}`,
      },
    };
  }

  #record(
    key: number,
    value: unknown,
    withSchema: boolean,
    headers?: Record<string, string>,
  ): ProducedRecord {
    const keyJson = withSchema
      ? {
          schema: {
            type: 'struct',
            fields: [{ type: 'int64', optional: false, field: 'id' }],
            optional: false,
          },
          payload: { id: key },
        }
      : { id: key };
    const body = value === null ? null : withSchema ? { schema: envelopeSchemaFor(), payload: value } : value;
    return {
      key: Buffer.from(toJson(keyJson)),
      value: body === null ? null : Buffer.from(toJson(body)),
      partition: key % 2,
      ...(headers === undefined ? {} : { headers }),
    };
  }

  upsert(id: number, withSchema = false): ProducedRecord {
    const { source: row, expected } = this.#row(id);
    const op = this.rows.has(id) ? 'u' : 'c';
    const value = envelope({ op, before: this.rows.has(id) ? { id } : null, after: row, table: 'widgets' });
    this.rows.set(id, expected);
    this.upserts++;
    return this.#record(id, value, withSchema);
  }

  delete(id: number): ProducedRecord[] {
    this.rows.delete(id);
    this.deletes++;
    return [this.#record(id, envelope({ op: 'd', before: { id } }), false), this.#record(id, null, false)];
  }

  /** A primary-key change as Debezium writes it: delete + tombstone of the old key, create of the new. */
  moveKey(from: number, to: number): ProducedRecord[] {
    const { source: row, expected } = this.#row(to);
    this.rows.delete(from);
    this.rows.set(to, expected);
    this.deletes++;
    this.upserts++;
    return [
      this.#record(from, envelope({ op: 'd', before: { id: from } }), false, {
        [NEW_KEY_HEADER]: JSON.stringify({ id: to }),
      }),
      this.#record(from, null, false),
      this.#record(to, envelope({ op: 'c', after: row }), false, {
        [OLD_KEY_HEADER]: JSON.stringify({ id: from }),
      }),
    ];
  }

  /** `n` random changes over ids 1..keys. */
  random(n: number, keys: number, rand: () => number): ProducedRecord[] {
    const out: ProducedRecord[] = [];
    for (let i = 0; i < n; i++) {
      const id = 1 + Math.floor(rand() * keys);
      const dice = rand();
      if (dice < 0.15 && this.rows.has(id)) out.push(...this.delete(id));
      else if (dice < 0.2 && this.rows.has(id) && !this.rows.has(id + keys))
        out.push(...this.moveKey(id, id + keys));
      else out.push(this.upsert(id, dice > 0.6));
    }
    return out;
  }

  expectedRows(): Record<string, unknown>[] {
    return [...this.rows.entries()].sort(([a], [b]) => a - b).map(([, row]) => row);
  }
}

function envelopeSchemaFor(): unknown {
  return {
    type: 'struct',
    fields: [
      {
        type: 'struct',
        fields: columns.map((c) => ({ ...c.connect, optional: true, field: c.name })),
        optional: true,
        name: 'x.Value',
        field: 'before',
      },
      {
        type: 'struct',
        fields: columns.map((c) => ({ ...c.connect, optional: true, field: c.name })),
        optional: true,
        name: 'x.Value',
        field: 'after',
      },
      { type: 'string', optional: false, field: 'op' },
    ],
    optional: false,
    name: 'x.Envelope',
  };
}

/** A small deterministic PRNG, so a failure can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function expectConverged(workload: Workload, produced: number[]): Promise<void> {
  await eventually(async () => {
    expect(await harness.rows('shop', 'widgets')).toEqual(workload.expectedRows());
    const offsets = await harness.storedOffsets();
    expect(
      Object.fromEntries(Object.entries(offsets).filter(([stream]) => stream.startsWith(topicOf()))),
    ).toEqual({
      [`${topicOf()}/0`]: String(produced[0]),
      [`${topicOf()}/1`]: String(produced[1]),
    });
  });
  expect(await harness.ledgerOps('shop', 'widgets')).toMatchObject({
    upsert: workload.upserts,
    ...(workload.deletes > 0 ? { delete: workload.deletes } : {}),
  });
}

describe('loader: Kafka to ctldb', () => {
  const produced = [0, 0];
  const produce = async (records: ProducedRecord[]): Promise<void> => {
    await harness.produce(topicOf(), records);
    for (const r of records) produced[r.partition ?? 0] = (produced[r.partition ?? 0] ?? 0) + 1;
  };

  beforeAll(async () => {
    await harness.open();
    await harness.createTables(source());
    await harness.createTopic(topicOf(), 2);
  });
  afterAll(() => harness.close());

  const workload = new Workload();
  const rand = mulberry32(20240102);

  it('loads inserts, updates, deletes, tombstones and key changes exactly', async () => {
    await produce(workload.random(400, 40, rand));
    const loader = await harness.startLoader([source()]);
    await expectConverged(workload, produced);
    const status = await fetch(`${loader.statusUrl ?? ''}/status`).then(
      (r) => r.json() as Promise<{ partitions: { lag: string; halted: unknown }[] }>,
    );
    expect(status.partitions.map((p) => [p.lag, p.halted])).toEqual([
      ['0', null],
      ['0', null],
    ]);
    const metrics = await fetch(`${loader.statusUrl ?? ''}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/cuttle_loader_origin_to_ledger_seconds_count\{[^}]*\} [1-9]/);
    expect((await fetch(`${loader.statusUrl ?? ''}/ready`)).status).toBe(200);
    await harness.stopLoader(loader);
  });

  it('drops transactions Debezium emits again (older binlog positions under new offsets)', async () => {
    const replayTopic = `${harness.prefix}.ctl.replayed`;
    await harness.createTopic(replayTopic, 1);
    const replaySource: SourceConfigInput = {
      ...source(),
      name: `${harness.prefix}r`,
      tables: [
        {
          ...(source().tables[0] as NonNullable<SourceConfigInput['tables'][number]>),
          source: { database: 'ctl', table: 'replayed' },
          target: { family: 'shop', table: 'replayed' },
        },
      ],
    };
    await harness.createTables(replaySource);
    const change = (id: number, pos: number, name: string): ProducedRecord => ({
      key: Buffer.from(toJson({ id })),
      value: Buffer.from(
        toJson(
          envelope({
            op: 'c',
            table: 'replayed',
            pos,
            after: { id, name, order: pos, price: '1', big: 1, blob: 'AA==', at: 0 },
          }),
        ),
      ),
    });
    const original = [change(1, 100, 'a'), change(2, 200, 'b'), change(1, 300, 'c'), change(3, 400, 'd')];
    // After a crash the connector resumes from its last flushed position (200): 200..400 again, then new work.
    const reemitted = [change(2, 200, 'b'), change(1, 300, 'c'), change(3, 400, 'd'), change(2, 500, 'e')];
    await harness.produce(replayTopic, original);
    const loader = await harness.startLoader([replaySource]);
    await eventually(async () =>
      expect(await harness.storedOffsets()).toMatchObject({ [`${replayTopic}/0`]: '4' }),
    );
    await harness.produce(replayTopic, reemitted);
    await eventually(async () =>
      expect(await harness.storedOffsets()).toMatchObject({ [`${replayTopic}/0`]: '8' }),
    );
    expect((await harness.rows('shop', 'replayed')).map((r) => [r.id, r.name])).toEqual([
      [1, 'c'],
      [2, 'e'],
      [3, 'd'],
    ]);
    const names = await harness.ex.db.ctldb.all(
      "SELECT payload FROM cuttle_ledger WHERE family = 'shop' AND table_name = 'replayed' AND op = 'upsert' ORDER BY seq",
    );
    // 400, the latest position when it came again, passes (idempotent); 200 and 300 are dropped.
    expect(
      names.map((n) => (JSON.parse(String(n.payload)) as { values: { name: string } }).values.name),
    ).toEqual(['a', 'b', 'c', 'd', 'd', 'e']);
    expect(await harness.storedStreams()).toMatchObject({
      [`${replayTopic}/0@binlog`]: '0000000001:00000000000000000500:0000000000',
    });
    await harness.stopLoader(loader);
  });

  it('starts unready instead of exiting when Kafka cannot be reached, and keeps trying', async () => {
    const loader = await harness.startLoader([source()], {
      brokers: ['127.0.0.1:9'],
      groupId: `${harness.prefix}-nokafka`,
    });
    expect((await fetch(`${loader.statusUrl ?? ''}/ready`)).status).toBe(503);
    expect(loader.statuses).toEqual([]);
    await harness.stopLoader(loader);
  });

  it('reports an unreachable executive in readiness and metrics, and commits nothing', async () => {
    await produce(workload.random(20, 40, rand));
    const before = await harness.storedOffsets();
    const loader = await harness.startLoader([source()], {
      executiveUrl: 'http://127.0.0.1:9',
      groupId: `${harness.prefix}-dead`,
    });
    await eventually(async () => {
      const ready = await fetch(`${loader.statusUrl ?? ''}/ready`);
      expect(ready.status).toBe(503);
      const status = (await fetch(`${loader.statusUrl ?? ''}/status`).then((r) => r.json())) as {
        partitions: { waitingFor: string | null }[];
      };
      expect(status.partitions.some((p) => p.waitingFor === 'retry')).toBe(true);
    });
    expect(await fetch(`${loader.statusUrl ?? ''}/metrics`).then((r) => r.text())).toMatch(
      /cuttle_loader_retries_total\{[^}]*action="retry"[^}]*\} [1-9]/,
    );
    await harness.stopLoader(loader);
    expect(await harness.storedOffsets()).toEqual(before);
  });

  it('resumes from ctldb after a restart and through rebalances, with one effect per change', async () => {
    await produce(workload.random(200, 40, rand));
    const first = await harness.startLoader([source()]);
    await expectConverged(workload, produced);
    const second = await harness.startLoader([source()]);
    await produce(workload.random(200, 40, rand));
    await expectConverged(workload, produced);
    await harness.stopLoader(first);
    await produce(workload.random(200, 40, rand));
    await expectConverged(workload, produced);
    await harness.stopLoader(second);
  });
});
