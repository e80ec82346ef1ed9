/**
 * What a partition is waiting for, and the waiting itself: a limit's retry-after (the partition is
 * paused in the consumer meanwhile) or a failed dependency's backoff. Waits are sliced so that the
 * consumer-group heartbeat goes on, and end early when the work is abandoned (`isCurrent`).
 *
 * A limit's wait ends with the wait. A failure's lasts until an attempt succeeds (`recovered`),
 * so readiness does not flap back to ready between attempts.
 */
import { isCuttleError } from '../../../lib/errors.ts';
import type { Logger } from '../../../lib/logging.ts';
import { decideOnEventError } from '../batching/failure-policy.ts';
import type { TopicPartition } from '../batching/offsets.ts';
import type { BatchContext, ChangeConsumer } from '../consumer/consumer.ts';
import type { PartitionMetrics } from './partition-metrics.ts';

const HEARTBEAT_SLICE_MS = 1000;

export interface WaitDeps {
  readonly consumer: ChangeConsumer;
  readonly log: Logger;
  /** Waits `ms`; injectable so tests need no real time. */
  readonly sleep: (ms: number) => Promise<void>;
}

export class PartitionWaits {
  readonly #tp: TopicPartition;
  readonly #deps: WaitDeps;
  readonly #metrics: PartitionMetrics;
  #reason: string | null = null;
  #kind: 'limit' | 'retry' | null = null;

  constructor(tp: TopicPartition, deps: WaitDeps, metrics: PartitionMetrics) {
    this.#tp = tp;
    this.#deps = deps;
    this.#metrics = metrics;
  }

  /** Why the partition waits, or null. */
  get reason(): string | null {
    return this.#reason;
  }

  /** What it waits for: a limit's retry-after, or an unreachable dependency. */
  get kind(): 'limit' | 'retry' | null {
    return this.#kind;
  }

  /** Waits with the partition paused (a limit) or not (a retry); false if the work was abandoned. */
  async wait(
    ctx: BatchContext,
    delayMs: number,
    action: 'pause' | 'retry',
    reason: string,
  ): Promise<boolean> {
    this.#metrics.retry(action);
    this.#deps.log.warn(
      { ...this.#metrics.labels, delayMs, reason },
      action === 'pause' ? 'limited, pausing the partition' : 'retrying',
    );
    this.#reason = reason;
    this.#kind = action === 'pause' ? 'limit' : 'retry';
    if (action === 'pause') this.#deps.consumer.pause(this.#tp);
    try {
      for (let left = delayMs; left > 0 && ctx.isCurrent(); left -= HEARTBEAT_SLICE_MS) {
        await this.#deps.sleep(Math.min(left, HEARTBEAT_SLICE_MS));
        await ctx.heartbeat();
      }
      return ctx.isCurrent();
    } finally {
      if (action === 'pause') {
        this.#deps.consumer.resume(this.#tp);
        this.recovered();
      }
    }
  }

  /** The dependency that failed answered again (or the work was abandoned): no longer waiting. */
  recovered(): void {
    this.#reason = null;
    this.#kind = null;
  }

  /** Runs `run` until it succeeds, waiting out retriable failures; undefined if abandoned. */
  async withRetry<T>(ctx: BatchContext, what: string, run: () => Promise<T>): Promise<T | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        const value = await run();
        this.recovered();
        return value;
      } catch (err) {
        if (!isCuttleError(err) || !err.retriable) throw err;
        const decision = decideOnEventError(err, '', { policy: 'halt', attempt });
        const delay = decision.action === 'retry' ? decision.delayMs : 1000;
        if (!(await this.wait(ctx, delay, 'retry', `${what}: ${err.message}`))) return undefined;
      }
    }
  }
}
