/**
 * Ledger wake-ups over Redis pub/sub (see notifier.ts): the executive publishes the new head seq
 * on LEDGER_ADVANCED_CHANNEL; reflectors on every host subscribe.
 */
import { Redis } from 'ioredis';
import type { WakeSource } from '../ldb/wake.ts';
import type { Closer } from '../lifecycle.ts';
import type { Logger } from '../logging.ts';
import { LEDGER_ADVANCED_CHANNEL } from './entry.ts';
import type { LedgerAdvanceSource, LedgerNotifier } from './notifier.ts';

export class RedisLedgerNotifier implements LedgerNotifier {
  readonly #redis: Redis;
  readonly #log: Logger;

  constructor(url: string, log: Logger) {
    // No offline queue: a wake-up that cannot be sent now is worthless later.
    this.#redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    this.#log = log;
    this.#redis.on('error', (err: unknown) => this.#log.debug({ err }, 'ledger notifier: redis error'));
  }

  published(seq: number): void {
    this.#redis.publish(LEDGER_ADVANCED_CHANNEL, String(seq)).catch((err: unknown) => {
      this.#log.debug({ err, seq }, 'ledger notifier: publish failed (followers will poll)');
    });
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}

/** A follower's side: announced seqs from Redis. */
export class RedisLedgerAdvanceSource implements LedgerAdvanceSource {
  readonly #redis: Redis;
  readonly #listeners = new Set<(seq: number) => void>();

  constructor(url: string, log: Logger) {
    this.#redis = new Redis(url, { maxRetriesPerRequest: null });
    this.#redis.on('error', (err: unknown) => log.debug({ err }, 'ledger advance source: redis error'));
    this.#redis.on('message', (_channel: string, message: string) => {
      const seq = Number(message);
      if (Number.isSafeInteger(seq)) for (const listener of this.#listeners) listener(seq);
    });
  }

  /** Resolves once the subscription is active. */
  async start(): Promise<void> {
    await this.#redis.subscribe(LEDGER_ADVANCED_CHANNEL);
  }

  subscribe(listener: (seq: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}

/**
 * The wake-ups a follower uses: the given ones, else Redis pub/sub when `redisUrl` is set
 * (registered with `owned` to be closed), else none (polling only).
 */
export async function openWakeSource(
  given: WakeSource | undefined,
  redisUrl: string | undefined,
  log: Logger,
  owned: Closer,
): Promise<WakeSource | undefined> {
  if (given !== undefined || redisUrl === undefined) return given;
  const redis = new RedisLedgerAdvanceSource(redisUrl, log);
  owned.add(() => redis.close());
  await redis.start();
  return redis;
}
