/**
 * The limits store on Redis (ioredis). Commands fail fast while Redis is unreachable (no offline
 * queue, a short command timeout) so that the limiter falls back at once instead of holding
 * mutation requests; ioredis reconnects by itself with backoff, and `onReconnect` lets the limiter
 * and the sizer restore what a restarted Redis lost. Every failure is reported as
 * `StoreUnavailableError`: whatever went wrong, the limiter's answer is the same (fall back, alert).
 */
import { Redis } from 'ioredis';
import { chargeOf } from './gcra.ts';
import type { LimitsKeys } from './keys.ts';
import {
  StoreUnavailableError,
  type CheckDecision,
  type CheckRequest,
  type LimitsStore,
  type MeasurementSink,
  type RateCheck,
  type SettingsChangeFeed,
  type StoredTableSize,
  type TableSizeView,
} from './limits-store.ts';
import { decodeAdmitReply, encodeAdmitArgs } from './redis-admit-codec.ts';
import {
  abortMeasurementLua,
  admitLua,
  beginMeasurementLua,
  commitMeasurementLua,
  rateFillLua,
  refundLua,
} from './redis-scripts.ts';

type Arg = string | number;

/** The commands `defineCommand` adds (numKeys first, since the key count varies per call). */
interface LimitsCommands {
  cuttleLimitsAdmit(numKeys: number, ...args: Arg[]): Promise<unknown>;
  cuttleLimitsRateFill(numKeys: number, ...keys: string[]): Promise<unknown>;
  cuttleLimitsRefund(numKeys: number, ...args: Arg[]): Promise<unknown>;
  cuttleLimitsBeginMeasurement(numKeys: number, ...args: Arg[]): Promise<unknown>;
  cuttleLimitsCommitMeasurement(numKeys: number, ...args: Arg[]): Promise<unknown>;
  cuttleLimitsAbortMeasurement(numKeys: number, ...args: Arg[]): Promise<unknown>;
}

export interface RedisStoreOptions {
  readonly url: string;
  readonly keys: LimitsKeys;
  /** A command slower than this counts as Redis being unavailable. @defaultValue 500 */
  readonly commandTimeoutMs?: number;
}

export class RedisLimitsStore implements LimitsStore, MeasurementSink, SettingsChangeFeed {
  readonly #client: Redis & LimitsCommands;
  readonly #subscriber: Redis;
  readonly #keys: LimitsKeys;
  readonly #reconnectListeners: (() => void)[] = [];

  constructor(options: RedisStoreOptions) {
    this.#keys = options.keys;
    const common = {
      lazyConnect: true,
      // Reconnect forever with capped backoff: Redis coming back must end the fallback.
      retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 6), 1000),
      connectTimeout: 2000,
    };
    const client = new Redis(options.url, {
      ...common,
      enableOfflineQueue: false,
      commandTimeout: options.commandTimeoutMs ?? 500,
      maxRetriesPerRequest: 0,
      connectionName: 'cuttle-limits',
    });
    client.defineCommand('cuttleLimitsAdmit', { lua: admitLua });
    client.defineCommand('cuttleLimitsRateFill', { lua: rateFillLua, readOnly: true });
    client.defineCommand('cuttleLimitsRefund', { lua: refundLua });
    client.defineCommand('cuttleLimitsBeginMeasurement', { lua: beginMeasurementLua });
    client.defineCommand('cuttleLimitsCommitMeasurement', { lua: commitMeasurementLua });
    client.defineCommand('cuttleLimitsAbortMeasurement', { lua: abortMeasurementLua });
    this.#client = client as Redis & LimitsCommands;
    // The SUBSCRIBE waits for a connection however long it takes (Redis down at start-up): once it
    // succeeded, ioredis renews it after every reconnection.
    this.#subscriber = new Redis(options.url, {
      ...common,
      maxRetriesPerRequest: null,
      connectionName: 'cuttle-limits-sub',
    });
    // Errors surface through the failing commands; without listeners ioredis would log them.
    this.#client.on('error', () => undefined);
    this.#subscriber.on('error', () => undefined);
    let connectedOnce = false;
    this.#client.on('ready', () => {
      if (connectedOnce) for (const listener of this.#reconnectListeners) listener();
      connectedOnce = true;
    });
  }

  /** Connects both clients; rejects when Redis is unreachable now (the caller may start in fallback). */
  async connect(): Promise<void> {
    await Promise.all([this.#client.connect(), this.#subscriber.connect()]);
  }

  isReady(): boolean {
    return this.#client.status === 'ready';
  }

  /** Runs after every reconnection (not the first connection). */
  onReconnect(listener: () => void): void {
    this.#reconnectListeners.push(listener);
  }

  async check(request: CheckRequest): Promise<CheckDecision> {
    const { numKeys, args } = encodeAdmitArgs(request, this.#keys);
    return decodeAdmitReply(await this.#call(() => this.#client.cuttleLimitsAdmit(numKeys, ...args)));
  }

  async refund(rates: readonly RateCheck[], nowUs?: number): Promise<void> {
    if (rates.length === 0) return;
    const keys = rates.map((r) => r.key);
    const amounts = rates.map((r) => chargeOf(r) * r.intervalUs);
    await this.#call(() => this.#client.cuttleLimitsRefund(keys.length, ...keys, nowUs ?? '', ...amounts));
  }

  async readRateFill(keys: readonly string[]): Promise<number[]> {
    if (keys.length === 0) return [];
    const reply = await this.#call(() => this.#client.cuttleLimitsRateFill(keys.length, ...keys));
    return (reply as number[]).map(Number);
  }

  async readSizes(): Promise<Map<string, TableSizeView>> {
    const k = this.#keys;
    const [info, growth, prev] = await this.#call(() =>
      Promise.all([
        this.#client.hgetall(k.sizeInfo),
        this.#client.hgetall(k.growth),
        this.#client.hgetall(k.growthPrev),
      ]),
    );
    const sizes = new Map<string, TableSizeView>();
    for (const [field, json] of Object.entries(info)) {
      const stored = JSON.parse(json) as StoredTableSize;
      const growthBytes = Number(growth[field] ?? 0) + Number(prev[field] ?? 0);
      sizes.set(field, { ...stored, growthBytes });
    }
    return sizes;
  }

  async beginMeasurement(token: string, lockMs: number): Promise<boolean> {
    const k = this.#keys;
    const reply = await this.#call(() =>
      this.#client.cuttleLimitsBeginMeasurement(3, k.measureLock, k.growth, k.growthPrev, token, lockMs),
    );
    return Number(reply) === 1;
  }

  async commitMeasurement(token: string, sizes: readonly StoredTableSize[]): Promise<boolean> {
    const k = this.#keys;
    const args: Arg[] = [k.measureLock, k.quotaBytes, k.sizeInfo, k.growthPrev, k.measurements, token];
    for (const size of sizes) args.push(`${size.family}.${size.table}`, size.ldbBytes, JSON.stringify(size));
    const reply = await this.#call(() => this.#client.cuttleLimitsCommitMeasurement(5, ...args));
    return Number(reply) === 1;
  }

  async abortMeasurement(token: string): Promise<void> {
    await this.#call(() => this.#client.cuttleLimitsAbortMeasurement(1, this.#keys.measureLock, token));
  }

  /** How many measurements were ever committed (tests: one per interval, whatever the replicas). */
  async measurementCount(): Promise<number> {
    return Number((await this.#call(() => this.#client.get(this.#keys.measurements))) ?? 0);
  }

  async publishSettingsChanged(): Promise<void> {
    await this.#call(() => this.#client.publish(this.#keys.settingsChannel, String(Date.now())));
  }

  async subscribeSettingsChanged(onChange: () => void): Promise<void> {
    const channel = this.#keys.settingsChannel;
    this.#subscriber.on('message', (from: string) => {
      if (from === channel) onChange();
    });
    // ioredis resubscribes after a reconnection by itself.
    await this.#subscriber.subscribe(channel);
  }

  close(): Promise<void> {
    this.#client.disconnect();
    this.#subscriber.disconnect();
    return Promise.resolve();
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new StoreUnavailableError(`limits store on Redis failed: ${String(err)}`, err);
    }
  }
}
