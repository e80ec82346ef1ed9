/**
 * Heartbeats scheduled by BullMQ: every executive upserts the same job scheduler (idempotent),
 * so the queue holds one repeating job however many executives run, and each run is processed by
 * exactly one of their workers: one heartbeat entry per interval in total.
 */
import { Queue, Worker } from 'bullmq';
import type { Logger } from '../../../lib/logging.ts';
import { redisConnectionOf } from '../../../lib/redis-url.ts';
import type { Beat, HeartbeatScheduler } from '../heartbeat/heartbeat.ts';

export const HEARTBEAT_QUEUE = 'cuttle-heartbeat';
const SCHEDULER_ID = 'ledger-heartbeat';

export interface BullmqHeartbeatOptions {
  readonly redisUrl: string;
  readonly intervalMs: number;
  /** BullMQ key prefix, so tests and several deployments can share one Redis. @defaultValue 'bull' */
  readonly prefix?: string;
}

export class BullmqHeartbeat implements HeartbeatScheduler {
  readonly #options: BullmqHeartbeatOptions;
  readonly #beat: Beat;
  readonly #log: Logger;
  #queue: Queue | undefined;
  #worker: Worker | undefined;

  constructor(options: BullmqHeartbeatOptions, beat: Beat, log: Logger) {
    this.#options = options;
    this.#beat = beat;
    this.#log = log;
  }

  async start(): Promise<void> {
    const connection = { ...redisConnectionOf(this.#options.redisUrl), maxRetriesPerRequest: null };
    const prefix = this.#options.prefix ?? 'bull';
    this.#queue = new Queue(HEARTBEAT_QUEUE, { connection, prefix });
    await this.#queue.upsertJobScheduler(
      SCHEDULER_ID,
      { every: this.#options.intervalMs },
      { name: 'heartbeat', opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
    this.#worker = new Worker(HEARTBEAT_QUEUE, async () => ({ seq: await this.#beat() }), {
      connection,
      prefix,
      concurrency: 1,
    });
    this.#worker.on('error', (err) => this.#log.warn({ err }, 'heartbeat worker error'));
  }

  async stop(): Promise<void> {
    await this.#worker?.close();
    await this.#queue?.close();
    this.#worker = undefined;
    this.#queue = undefined;
  }
}
