/**
 * Runs table measurements through a BullMQ job scheduler: every executive upserts the same
 * scheduler (idempotent) and runs a worker, and the scheduler produces one job per interval, which
 * one worker takes, so there is one measurement per interval however many executives run. A
 * restarted Redis forgets the scheduler; `ensureScheduled` is called again on reconnection.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ensureError } from '../../../lib/errors.ts';
import type { Logger } from '../../../lib/logging.ts';

export interface SizerSchedulerOptions {
  readonly redisUrl: string;
  /** BullMQ key prefix (tests use their own). @defaultValue 'cuttle' */
  readonly prefix?: string;
  /** @defaultValue 'cuttle-limits-sizer' */
  readonly queueName?: string;
  readonly everyMs: number;
  readonly measure: () => Promise<string>;
  readonly log: Logger;
}

const SCHEDULER_ID = 'table-sizes';

/** Whether `promise` settled (either way) within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = promise.then(
    () => true,
    () => true,
  );
  const result = await Promise.race([settled, timeout]);
  clearTimeout(timer);
  return result;
}
const jobOptions = { removeOnComplete: 20, removeOnFail: 50 };

export class SizerScheduler {
  readonly #o: SizerSchedulerOptions;
  readonly #connection: Redis;
  readonly #queue: Queue;
  #worker: Worker | undefined;
  #lastError = 0;

  constructor(options: SizerSchedulerOptions) {
    this.#o = options;
    // BullMQ needs maxRetriesPerRequest: null (its blocking commands wait across reconnections).
    this.#connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    this.#connection.on('error', (err) => this.#onError(err));
    const common = { connection: this.#connection, prefix: options.prefix ?? 'cuttle' };
    this.#queue = new Queue(options.queueName ?? 'cuttle-limits-sizer', common);
    this.#queue.on('error', (err) => this.#onError(err));
  }

  /** Starts the worker; schedules without waiting longer than `waitMs` for an unreachable Redis. */
  async start(waitMs = 2000): Promise<void> {
    this.#worker = new Worker(this.#o.queueName ?? 'cuttle-limits-sizer', () => this.#o.measure(), {
      connection: this.#connection,
      prefix: this.#o.prefix ?? 'cuttle',
      concurrency: 1,
    });
    this.#worker.on('error', (err) => this.#onError(err));
    this.#worker.on('failed', (_job, err) => this.#o.log.warn({ err }, 'limits: table measurement failed'));
    if (!(await settlesWithin(this.ensureScheduled(), waitMs))) {
      this.#o.log.warn('limits: Redis unreachable; the table-size scheduler will be set up on reconnection');
    }
  }

  async ensureScheduled(): Promise<void> {
    try {
      await this.#queue.upsertJobScheduler(
        SCHEDULER_ID,
        { every: this.#o.everyMs },
        { name: 'measure', opts: jobOptions },
      );
    } catch (err) {
      this.#onError(ensureError(err));
    }
  }

  /** One extra measurement now (e.g. after a large delete on a full table). */
  async measureNow(): Promise<void> {
    await this.#queue.add('measure', {}, jobOptions);
  }

  /**
   * Closes gracefully when it can. BullMQ's Worker.close() never resolves while its connection is
   * reconnecting (e.g. Redis just restarted; https://github.com/taskforcesh/bullmq/issues/4656),
   * so each step is bounded and the connections are then dropped: an interrupted measurement only
   * leaves a lock that expires.
   */
  async stop(): Promise<void> {
    const worker = this.#worker;
    if (worker !== undefined && !(await settlesWithin(worker.close(), 2000))) {
      this.#o.log.warn('limits: table-size worker did not close in time; disconnecting it');
      await settlesWithin(worker.disconnect(), 1000);
    }
    await settlesWithin(this.#queue.close(), 2000);
    this.#connection.disconnect();
  }

  /** BullMQ repeats connection errors while Redis is down: log one every 30 s at most. */
  #onError(err: Error): void {
    const now = Date.now();
    if (now - this.#lastError < 30_000) return;
    this.#lastError = now;
    this.#o.log.warn({ err }, 'limits: table-size scheduler cannot reach Redis');
  }
}
