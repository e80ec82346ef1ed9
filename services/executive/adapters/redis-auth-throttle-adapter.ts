/**
 * Failed-authentication counters in Redis (auth-throttle.ts): one key per writer name, counting
 * failures and expiring with its window, shared by every executive. Commands fail fast while
 * Redis is unreachable; the throttle then counts in-process.
 */
import { Redis } from 'ioredis';
import type { SharedAuthCounter } from '../writers/auth-throttle.ts';

/** INCR, starting the window's expiry with the first failure. KEYS: counter. ARGV: window ms. */
const incrementLua = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`;

interface ThrottleCommands {
  cuttleAuthFailure(key: string, windowMs: number): Promise<unknown>;
}

export class RedisAuthCounter implements SharedAuthCounter {
  readonly #client: Redis & ThrottleCommands;
  readonly #prefix: string;

  constructor(url: string, prefix: string) {
    this.#prefix = prefix;
    const client = new Redis(url, {
      enableOfflineQueue: false,
      commandTimeout: 300,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 6), 1000),
      connectionName: 'cuttle-auth',
    });
    client.defineCommand('cuttleAuthFailure', { numberOfKeys: 1, lua: incrementLua });
    // Errors surface through the failing commands; without a listener ioredis would log them.
    client.on('error', () => undefined);
    this.#client = client as Redis & ThrottleCommands;
  }

  #key(name: string): string {
    return `${this.#prefix}:failures:${name}`;
  }

  async read(name: string): Promise<{ failures: number; remainingMs: number }> {
    const key = this.#key(name);
    const [count, ttl] = await Promise.all([this.#client.get(key), this.#client.pttl(key)]);
    return { failures: Number(count ?? 0), remainingMs: Math.max(0, ttl) };
  }

  async increment(name: string, windowMs: number): Promise<void> {
    await this.#client.cuttleAuthFailure(this.#key(name), windowMs);
  }

  async close(): Promise<void> {
    this.#client.disconnect();
    return Promise.resolve();
  }
}
