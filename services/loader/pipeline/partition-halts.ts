/**
 * How a partition gives events up: a dead letter that is passed over (`skip`), or one it stops at
 * (`halt`: the partition is paused in the consumer until an operator resumes it). Both are written
 * to the dead-letter queue first, so that nothing is given up without a record an operator can
 * retry or drop.
 */
import type { DeadLetterSink } from '../../../lib/dead-letters/dead-letter.ts';
import type { Logger } from '../../../lib/logging.ts';
import { withoutEvents, type Batch } from '../batching/batch.ts';
import type { Decision } from '../batching/failure-policy.ts';
import type { TopicPartition } from '../batching/offsets.ts';
import type { ChangeConsumer } from '../consumer/consumer.ts';
import { deadLetterOf } from '../dead-letters/dead-letter-of.ts';
import type { InboundMessage } from '../message.ts';
import type { PartitionMetrics } from './partition-metrics.ts';

export interface HaltDeps {
  readonly consumer: ChangeConsumer;
  readonly deadLetters: DeadLetterSink;
  readonly log: Logger;
  readonly now: () => number;
}

export interface Halt {
  readonly code: string;
  readonly reason: string;
  readonly offset: string;
}

interface Why {
  readonly code: string;
  readonly reason: string;
}

export class PartitionHalts {
  readonly #tp: TopicPartition;
  readonly #source: string;
  readonly #deps: HaltDeps;
  readonly #metrics: PartitionMetrics;
  #halted: Halt | null = null;

  constructor(tp: TopicPartition, source: string, deps: HaltDeps, metrics: PartitionMetrics) {
    this.#tp = tp;
    this.#source = source;
    this.#deps = deps;
    this.#metrics = metrics;
  }

  /** Where and why the partition stopped, or null while it runs. */
  get halted(): Halt | null {
    return this.#halted;
  }

  /** Dead-letters `message` and stops the partition at it. */
  async halt(message: InboundMessage, why: Why): Promise<void> {
    await this.deadLetter(message, why, 'halt');
    this.markHalted(message.offset, why);
  }

  /** Stops the partition at `offset` (its event is already dead-lettered, or has no record). */
  markHalted(offset: string, why: Why): void {
    this.#halted = { code: why.code, reason: why.reason, offset };
    this.#deps.consumer.pause(this.#tp);
    this.#metrics.halted(true);
    this.#deps.log.error({ ...this.#metrics.labels, offset, ...why }, 'partition halted');
  }

  /** Lets the partition run again (the caller positions it anew). False when it was not halted. */
  clear(): boolean {
    if (this.#halted === null) return false;
    this.#halted = null;
    this.#metrics.halted(false);
    this.#deps.consumer.resume(this.#tp);
    return true;
  }

  /** Dead-letters the batch's events the executive refused; the rest of the batch goes on. */
  async skipRefused(batch: Batch, decision: Extract<Decision, { action: 'dead-letter' }>): Promise<Batch> {
    const offsets = new Set(decision.offsets);
    for (const event of batch.events) {
      if (offsets.has(event.offset) && event.message !== undefined)
        await this.deadLetter(event.message, decision, 'skip');
    }
    return withoutEvents(batch, offsets);
  }

  async deadLetter(message: InboundMessage, why: Why, policy: 'skip' | 'halt'): Promise<void> {
    const { code, reason } = why;
    await this.#deps.deadLetters.put(
      deadLetterOf(this.#source, message, { code, reason, policy, position: null, atMs: this.#deps.now() }),
    );
    this.#metrics.deadLetter(code);
    this.#deps.log.warn(
      { ...this.#metrics.labels, offset: message.offset, code, reason, policy },
      'dead letter',
    );
  }
}
