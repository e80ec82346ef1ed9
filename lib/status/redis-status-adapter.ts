/**
 * Status records in Redis. Keys, under a prefix (default `cuttle:status`, one per installation):
 *   <prefix>:live:<role>:<id>  the newest record, SET with PX = its ttlMs (lapses when the process dies)
 *   <prefix>:seen              hash <role>:<id> -> {"record", "stoppedAt"}, no TTL: the last word of
 *                              every process, so a lapsed one is shown as gone; entries older than
 *                              the reader's retention are deleted by the reader; the whole
 *                              hash expires a day after the last write of any process.
 */
import { Redis } from 'ioredis';
import { CuttleError } from '../errors.ts';
import { parseStatusRecord, type StatusRecord } from './record.ts';
import { lastSeenAt, statusKey, type SeenProcess, type StatusStore } from './store.ts';

export interface RedisStatusOptions {
  /** @defaultValue 'cuttle:status' */
  readonly prefix?: string;
}

/** The seen hash outlives the fleet by this much, so an abandoned installation leaves nothing. */
const SEEN_TTL_MS = 24 * 60 * 60_000;

interface SeenEntry {
  readonly record: unknown;
  readonly stoppedAt: number | null;
}

export class RedisStatusStore implements StatusStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(url: string, options: RedisStatusOptions = {}) {
    // Status is best effort: a write that cannot be sent now is stale by the next interval.
    this.#redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.#redis.on('error', () => undefined); // failures surface on the commands themselves
    this.#prefix = options.prefix ?? 'cuttle:status';
  }

  #liveKey(key: string): string {
    return `${this.#prefix}:live:${key}`;
  }

  get #seenKey(): string {
    return `${this.#prefix}:seen`;
  }

  async #ready(): Promise<void> {
    if (this.#redis.status === 'ready') return;
    // Wait a little for a (re)connection; the listener goes either way, so a long outage does not
    // pile up one listener per interval.
    await new Promise<void>((resolve, reject) => {
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#redis.off('ready', onReady);
        reject(new Error('redis not connected'));
      }, 2000);
      this.#redis.once('ready', onReady);
    });
  }

  async put(record: StatusRecord): Promise<void> {
    await this.#ready();
    const key = statusKey(record);
    const json = JSON.stringify(record);
    await this.#redis
      .multi()
      .set(this.#liveKey(key), json, 'PX', record.ttlMs)
      .hset(this.#seenKey, key, JSON.stringify({ record, stoppedAt: null } satisfies SeenEntry))
      .pexpire(this.#seenKey, SEEN_TTL_MS)
      .exec()
      .then(checked);
  }

  async remove(record: StatusRecord, stoppedAt: number): Promise<void> {
    await this.#ready();
    const key = statusKey(record);
    await this.#redis
      .multi()
      .del(this.#liveKey(key))
      .hset(this.#seenKey, key, JSON.stringify({ record, stoppedAt } satisfies SeenEntry))
      .exec()
      .then(checked);
  }

  async list(retentionMs: number, now: number): Promise<SeenProcess[]> {
    try {
      return await this.#list(retentionMs, now);
    } catch (err) {
      throw new CuttleError('UNAVAILABLE', 'the status store (Redis) is not reachable', {
        cause: err,
        retryAfterSeconds: 1,
      });
    }
  }

  async #list(retentionMs: number, now: number): Promise<SeenProcess[]> {
    await this.#ready();
    const seen = await this.#redis.hgetall(this.#seenKey);
    const keys = Object.keys(seen);
    if (keys.length === 0) return [];
    const live = await this.#redis.mget(keys.map((k) => this.#liveKey(k)));
    const processes: SeenProcess[] = [];
    const forget: string[] = [];
    keys.forEach((key, i) => {
      const process = toProcess(seen[key], live[i] ?? null);
      if (process === undefined) forget.push(key);
      else if (process.state !== 'live' && lastSeenAt(process) < now - retentionMs) forget.push(key);
      else processes.push(process);
    });
    if (forget.length > 0) await this.#redis.hdel(this.#seenKey, ...forget);
    return processes;
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}

/** MULTI answers each command's error in its result rather than rejecting: surface the first. */
function checked(results: [Error | null, unknown][] | null): void {
  const failed = results?.find(([err]) => err !== null)?.[0];
  if (failed) throw failed;
  if (results === null) throw new Error('redis transaction aborted');
}

function parseJson(text: string | null | undefined): unknown {
  if (text === null || text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A seen entry and its live record (if any) as one process; undefined when unreadable. */
function toProcess(seenText: string | undefined, liveText: string | null): SeenProcess | undefined {
  const entry = parseJson(seenText) as Partial<SeenEntry> | undefined;
  const liveRecord = parseStatusRecord(parseJson(liveText));
  if (liveRecord !== undefined) return { state: 'live', record: liveRecord, stoppedAt: null };
  const record = parseStatusRecord(entry?.record);
  if (record === undefined) return undefined;
  const stoppedAt = typeof entry?.stoppedAt === 'number' ? entry.stoppedAt : null;
  return { state: stoppedAt === null ? 'gone' : 'stopped', record, stoppedAt };
}
