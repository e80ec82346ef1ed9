/**
 * `cuttle_loader_dead_letters_pending` over the real dead-letter queue (BullMQ on the stack's
 * Redis): what the CuttleDeadLetters alert reads.
 */
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { BullmqDeadLetterStore } from '../../../lib/dead-letters/bullmq-dead-letter-adapter.ts';
import type { DeadLetter } from '../../../lib/dead-letters/dead-letter.ts';
import { Registry } from '../../../lib/metrics.ts';
import { registerPendingDeadLettersMetric } from '../../../services/loader/dead-letters/pending-metric.ts';
import { stackEnv } from '../../support/stack-env.ts';

const prefix = `cuttle-test-dlq-ops-${randomBytes(4).toString('hex')}`;
const store = new BullmqDeadLetterStore({ redisUrl: stackEnv.redisUrl, prefix });

function letter(source: string, offset: string): DeadLetter {
  return {
    source,
    topic: `${source}.shop.items`,
    partition: 0,
    offset,
    key: null,
    value: Buffer.from('{}').toString('base64'),
    headers: {},
    position: null,
    code: 'INVALID_VALUE',
    reason: 'a value the table refuses',
    policy: 'halt',
    atMs: Date.now(),
  };
}

async function pending(registry: Registry): Promise<Record<string, number>> {
  const metric = (await registry.getMetricsAsJSON()).find(
    (m) => m.name === 'cuttle_loader_dead_letters_pending',
  );
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels.source), v.value]));
}

afterAll(async () => {
  await store.close();
  const redis = new Redis(stackEnv.redisUrl);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('cuttle_loader_dead_letters_pending on the BullMQ queue', () => {
  it('counts letters by source until they are dropped; a retry request alone does not clear them', async () => {
    const registry = new Registry();
    registerPendingDeadLettersMetric(registry, store);
    expect(await pending(registry)).toEqual({});
    await store.put(letter('orders', '10'));
    await store.put(letter('orders', '11'));
    await store.put(letter('orders', '11')); // the same record again: still one letter
    await store.put(letter('users', '3'));
    expect(await pending(registry)).toEqual({ orders: 2, users: 1 });
    await store.request('users.shop.items/0/3', 'retry');
    expect(await pending(registry)).toEqual({ orders: 2, users: 1 });
    await store.remove('users.shop.items/0/3');
    await store.remove('orders.shop.items/0/10');
    expect(await pending(registry)).toEqual({ orders: 1 });
  });
});
