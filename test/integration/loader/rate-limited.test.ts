/**
 * A tight writer rate limit on the real executive (local limiter): the loader pauses the
 * partition for the executive's retry-after and resends, so every change still arrives, once,
 * in order, and the waits show in the loader's metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceConfigInput } from '../../../services/loader/mapping/source-config.ts';
import { envelope, toJson } from '../../fixtures/debezium/envelopes.ts';
import { LoaderHarness, eventually } from './harness.ts';

const harness = new LoaderHarness();
const topic = (): string => `${harness.prefix}.ctl.slow`;
const source = (): SourceConfigInput => ({
  name: harness.prefix,
  topicPrefix: harness.prefix,
  schemaTopic: false,
  tables: [
    {
      source: { database: 'ctl', table: 'slow' },
      target: { family: 'limited', table: 'slow' },
      columns: [
        { name: 'id', type: 'int(11)' },
        { name: 'v', type: 'int(11)' },
      ],
      keyColumns: ['id'],
    },
  ],
});

describe('loader under a tight rate limit', () => {
  beforeAll(async () => {
    await harness.open({ limitsMode: 'local' });
    await harness.createTables(source());
    await harness.createTopic(topic(), 1);
    // 50 mutations per 500 ms: 100/s with bursts of 50, far below what the loader could send.
    const limit = await harness.ex.admin('PUT', `/limits/writers/${harness.writer.writer}`, {
      rateAmount: 50,
      ratePeriodMs: 500,
    });
    expect(limit.status).toBe(200);
  });
  afterAll(() => harness.close());

  it('delivers every change once and in order, waiting instead of dropping', async () => {
    const changes = Array.from({ length: 600 }, (_, n) => ({ id: n % 20, v: n }));
    await harness.produce(
      topic(),
      changes.map((c) => ({
        key: Buffer.from(toJson({ id: c.id })),
        value: Buffer.from(toJson(envelope({ op: 'u', table: 'slow', before: { id: c.id }, after: c }))),
      })),
    );
    const loader = await harness.startLoader([source()], { maxBatchMutations: 40 });
    await eventually(async () => {
      expect(await harness.storedOffsets()).toEqual({ [`${topic()}/0`]: '600' });
    }, 120_000);
    const last = new Map(changes.map((c) => [c.id, c.v]));
    expect(await harness.rows('limited', 'slow')).toEqual(
      [...last.entries()].sort(([a], [b]) => a - b).map(([id, v]) => ({ id, v })),
    );
    const entries = await harness.ex.db.ctldb.all(
      "SELECT payload FROM cuttle_ledger WHERE family = 'limited' AND op = 'upsert' ORDER BY seq",
    );
    expect(
      entries.map((e) => Number((JSON.parse(String(e.payload)) as { values: { v: string } }).values.v)),
    ).toEqual(changes.map((c) => c.v));
    const metrics = await fetch(`${loader.statusUrl ?? ''}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/cuttle_loader_retries_total\{[^}]*action="pause"[^}]*\} [1-9]/);
  });
});
