/**
 * The Redis status store on the stack's Redis, under a private prefix: live until the record's
 * TTL lapses, then gone; stopped after remove(); forgotten (and deleted from the seen hash) once
 * last seen longer ago than the reader's retention; unreadable entries are dropped.
 */
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStatusStore } from '../../../lib/status/redis-status-adapter.ts';
import { stackEnv } from '../../support/stack-env.ts';
import { executive, reflector } from '../../support/status-records.ts';

const prefix = `cuttle-test:status-store:${randomBytes(4).toString('hex')}`;
const store = new RedisStatusStore(stackEnv.redisUrl, { prefix });
const redis = new Redis(stackEnv.redisUrl);

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await store.close();
});

const statesAt = async (now: number, retentionMs = 60_000) =>
  Object.fromEntries(
    (await store.list(retentionMs, now)).map((p) => [`${p.record.role}:${p.record.id}`, p.state]),
  );

describe('Redis status store', () => {
  it('shows live, then gone after the TTL, stopped after remove, and forgets after the retention', async () => {
    const now = Date.now();
    const published = new Date(now).toISOString();
    await store.put({ ...executive('ex-r'), publishedAt: published, ttlMs: 300 });
    await store.put({ ...reflector('rf-r'), publishedAt: published, ttlMs: 60_000 });
    expect(await statesAt(now)).toEqual({ 'executive:ex-r': 'live', 'reflector:rf-r': 'live' });
    expect(await redis.pttl(`${prefix}:live:executive:ex-r`)).toBeGreaterThan(0);
    expect(await redis.pttl(`${prefix}:seen`)).toBeGreaterThan(23 * 3600_000);

    await delay(400);
    await store.remove(reflector('rf-r'), Date.now());
    expect(await statesAt(Date.now())).toEqual({ 'executive:ex-r': 'gone', 'reflector:rf-r': 'stopped' });

    // A minute later, with a 30 s retention: both forgotten, and removed from the hash.
    expect(await statesAt(now + 60_000, 30_000)).toEqual({});
    expect(await redis.hkeys(`${prefix}:seen`)).toEqual([]);
  });

  it('drops an entry it cannot read instead of failing the whole view', async () => {
    await redis.hset(`${prefix}:seen`, 'reflector:junk', '{"record":{"role":"nope"}}');
    await store.put(executive('ex-ok'));
    expect(Object.keys(await statesAt(Date.now()))).toEqual(['executive:ex-ok']);
    expect(await redis.hexists(`${prefix}:seen`, 'reflector:junk')).toBe(0);
  });
});
