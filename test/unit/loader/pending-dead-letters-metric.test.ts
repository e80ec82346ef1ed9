import { describe, expect, it } from 'vitest';
import { MemoryDeadLetterSink, type DeadLetter } from '../../../lib/dead-letters/dead-letter.ts';
import { Registry } from '../../../lib/metrics.ts';
import { registerPendingDeadLettersMetric } from '../../../services/loader/dead-letters/pending-metric.ts';

function letter(source: string, offset: string): DeadLetter {
  return {
    source,
    topic: `${source}.db.t`,
    partition: 0,
    offset,
    key: null,
    value: null,
    headers: {},
    position: null,
    code: 'INVALID_VALUE',
    reason: 'test',
    policy: 'skip',
    atMs: 1,
  };
}

async function pending(registry: Registry): Promise<Record<string, number>> {
  const metric = (await registry.getMetricsAsJSON()).find(
    (m) => m.name === 'cuttle_loader_dead_letters_pending',
  );
  if (metric === undefined) throw new Error('cuttle_loader_dead_letters_pending is not registered');
  return Object.fromEntries(metric.values.map((v) => [String(v.labels.source), v.value]));
}

describe('cuttle_loader_dead_letters_pending', () => {
  it('counts the letters in the store by source at each scrape, and drops a source once its letters are gone', async () => {
    const store = new MemoryDeadLetterSink();
    const registry = new Registry();
    registerPendingDeadLettersMetric(registry, store);
    expect(await pending(registry)).toEqual({});
    await store.put(letter('orders', '1'));
    await store.put(letter('orders', '2'));
    await store.put(letter('users', '7'));
    expect(await pending(registry)).toEqual({ orders: 2, users: 1 });
    await store.remove('users.db.t/0/7');
    expect(await pending(registry)).toEqual({ orders: 2 });
  });

  it('keeps the last figures when the store cannot be listed (failure or timeout)', async () => {
    const store = new MemoryDeadLetterSink();
    await store.put(letter('orders', '1'));
    let mode: 'ok' | 'fail' | 'hang' = 'ok';
    const flaky = {
      list: () =>
        mode === 'ok'
          ? store.list()
          : mode === 'fail'
            ? Promise.reject(new Error('redis down'))
            : new Promise<never>(() => undefined),
    };
    const registry = new Registry();
    registerPendingDeadLettersMetric(registry, flaky, { timeoutMs: 50 });
    expect(await pending(registry)).toEqual({ orders: 1 });
    mode = 'fail';
    expect(await pending(registry)).toEqual({ orders: 1 });
    mode = 'hang';
    expect(await pending(registry)).toEqual({ orders: 1 });
  });
});
