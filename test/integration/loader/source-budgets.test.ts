/**
 * One writer and one budget per source (issue 14): each source commits as its own writer (its
 * secret from CUTTLE_WRITER_SECRET_<NAME>, through the loader's writerSecrets), so a tight
 * writer rate limit on one source makes it wait while the other, in the same loader, runs at
 * full speed. Before, every source committed as the one loader writer and shared its budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/program.ts';
import { createLoader } from '../../../services/loader/loader.ts';
import type { SourceConfigInput } from '../../../services/loader/mapping/source-config.ts';
import { writerSecretVariable, writerSecretsFrom } from '../../../services/loader/writer-secrets.ts';
import { envelope, toJson } from '../../fixtures/debezium/envelopes.ts';
import { LoaderHarness } from './harness.ts';

const harness = new LoaderHarness();
const CHANGES = 300;

function source(name: string): SourceConfigInput {
  return {
    name: `${harness.prefix}-${name}`,
    topicPrefix: `${harness.prefix}-${name}`,
    writer: `source.${harness.prefix}-${name}`,
    schemaTopic: false,
    tables: [
      {
        source: { database: 'ctl', table: name },
        target: { family: `budget_${name}`, table: name },
        columns: [
          { name: 'id', type: 'int(11)' },
          { name: 'v', type: 'int(11)' },
        ],
        keyColumns: ['id'],
      },
    ],
  };
}

const topicOf = (s: SourceConfigInput): string =>
  `${s.topicPrefix ?? s.name}.ctl.${s.tables[0]?.source.table}`;

async function stored(writer: string): Promise<string | undefined> {
  const r = await harness.ex.admin<{ offsets: { stream: string; next: string }[] }>(
    'GET',
    `/writers/${writer}/offsets`,
  );
  return r.body.offsets.find((o) => !o.stream.includes('@'))?.next;
}

/** Milliseconds from `start` until the writer's stored offset reaches every change. */
async function doneAfter(writer: string, start: number): Promise<number> {
  for (;;) {
    if ((await stored(writer)) === String(CHANGES)) return performance.now() - start;
    if (performance.now() - start > 120_000) throw new Error(`${writer} not done after 120 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a writer and a budget per source', () => {
  const tight = source('tight');
  const free = source('free');
  const secrets: Record<string, string> = {};

  beforeAll(async () => {
    await harness.open({ limitsMode: 'local' });
    for (const s of [tight, free]) {
      await harness.createTables(s);
      await harness.createTopic(topicOf(s), 1);
      const family = s.tables[0]?.target.family ?? '';
      const writer = await harness.ex.registerWriter(s.writer ?? '', undefined, { families: [family] });
      secrets[writerSecretVariable(writer.writer)] = writer.secret;
      await harness.produce(
        topicOf(s),
        Array.from({ length: CHANGES }, (_, n) => ({ id: n % 30, v: n })).map((c) => ({
          key: Buffer.from(toJson({ id: c.id })),
          value: Buffer.from(
            toJson(
              envelope({ op: 'u', table: s.tables[0]?.source.table ?? '', before: { id: c.id }, after: c }),
            ),
          ),
        })),
      );
    }
    // The SRE's knob: 50 per 500 ms for the tight source's writer only; the free one keeps the
    // default (1000/s, burst 1000).
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    const cli = (...args: string[]) =>
      runCli(['--executive', harness.ex.url, '--admin-token', harness.ex.adminToken, ...args], io);
    expect(
      await cli('limits', 'set', 'writer', tight.writer ?? '', '--rate', '50/500ms'),
      out.join('\n'),
    ).toBe(0);
    expect(await cli('limits', 'show', 'writer', tight.writer ?? ''), out.join('\n')).toBe(0);
    console.log(out.join('\n'));
  });
  afterAll(() => harness.close());

  it('makes the tight source wait while the other runs at full speed', async () => {
    const loader = createLoader(harness.config({ maxBatchMutations: 40 }), {
      sources: [tight, free],
      writerSecrets: writerSecretsFrom(secrets, undefined),
    });
    const start = performance.now();
    await loader.start();
    try {
      const [tightMs, freeMs] = await Promise.all([
        doneAfter(tight.writer ?? '', start),
        doneAfter(free.writer ?? '', start),
      ]);
      console.log(
        `${CHANGES} changes each: tight source ${tightMs.toFixed(0)} ms, free source ${freeMs.toFixed(0)} ms`,
      );
      // 300 mutations at 100/s after a burst of 50 take at least 2.5 s.
      expect(tightMs).toBeGreaterThan(2400);
      // Both start together (consumer joins included); the free one does not wait for the limit.
      expect(tightMs - freeMs).toBeGreaterThan(1500);
      // The loader writer committed nothing: each source used its own.
      expect(await harness.storedOffsets()).toEqual({});
      const metrics = await fetch(`${loader.statusUrl ?? ''}/metrics`).then((r) => r.text());
      const pauses = (s: SourceConfigInput): number =>
        [...metrics.matchAll(/^cuttle_loader_retries_total\{([^}]*)\} (\d+)$/gm)]
          .filter(([, labels]) => labels?.includes(`source="${s.name}"`) && labels.includes('action="pause"'))
          .reduce((n, m) => n + Number(m[2]), 0);
      expect(pauses(tight)).toBeGreaterThan(0);
      expect(pauses(free)).toBe(0);
    } finally {
      await loader.stop();
    }
  }, 180_000);

  it('keeps a source whose writer secret is missing down, on its own', async () => {
    const loader = createLoader(harness.config(), { sources: [tight], writerSecrets: () => undefined });
    await loader.start();
    try {
      const status = (await (await fetch(`${loader.statusUrl ?? ''}/status`)).json()) as {
        sources: { source: string; up: boolean; reason: string }[];
      };
      expect(status.sources).toEqual([
        {
          source: tight.name,
          up: false,
          reason: `no secret for its writer ${tight.writer ?? ''}: give the loader ${writerSecretVariable(tight.writer ?? '')}`,
          topics: [],
        },
      ]);
    } finally {
      await loader.stop();
    }
  });
});
