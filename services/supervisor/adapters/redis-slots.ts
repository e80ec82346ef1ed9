/**
 * `SnapshotSlots` on Redis (see slots.ts for the protocol). One Lua script makes the claim atomic;
 * release and the ownership check compare the lock's value, so a supervisor whose lock expired
 * never releases or trusts someone else's.
 */
import { Redis } from 'ioredis';
import type { Claim, ClaimResult, SnapshotSlots } from '../slots.ts';

const CLAIM = `
if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[3], ARGV[1] .. '#' .. token, 'PX', ARGV[3])
return token
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export interface RedisSlotsOptions {
  /** Key prefix, so several cuttle installations can share a Redis. @defaultValue 'cuttle:snapshot' */
  readonly prefix?: string;
}

export class RedisSnapshotSlots implements SnapshotSlots {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(url: string, options: RedisSlotsOptions = {}) {
    this.#redis = new Redis(url, { maxRetriesPerRequest: 2 });
    // Failures surface on claim/release (the tick logs them); without a listener ioredis prints
    // every reconnect failure to stderr as "Unhandled error event", outside the structured log.
    this.#redis.on('error', () => undefined);
    this.#prefix = options.prefix ?? 'cuttle:snapshot';
  }

  async claim(slot: string, owner: string, slotTtlMs: number, lockTtlMs: number): Promise<ClaimResult> {
    const lockKey = `${this.#prefix}:making`;
    const keys = [`${this.#prefix}:slot:${slot}`, `${this.#prefix}:fence`, lockKey];
    const result = Number(await this.#redis.eval(CLAIM, keys.length, ...keys, owner, slotTtlMs, lockTtlMs));
    if (result === -1) return { won: false, reason: 'busy' };
    if (result === 0) return { won: false, reason: 'slot-taken' };
    const value = `${owner}#${result}`;
    const claim: Claim = {
      token: result,
      stillHeld: async () => (await this.#redis.get(lockKey)) === value,
      release: async () => {
        await this.#redis.eval(RELEASE, 1, lockKey, value);
      },
    };
    return { won: true, claim };
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
