/** Readiness of Redis: a PING and the server's version, with no retries. */
import { Redis } from 'ioredis';

export async function probeRedis(url: string): Promise<string> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined); // reported through the rejected command instead
  try {
    await redis.connect();
    const pong: string = await redis.ping();
    if (pong !== 'PONG') throw new Error(`PING answered ${pong}`);
    const info = await redis.info('server');
    return `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'}`;
  } finally {
    redis.disconnect();
  }
}
