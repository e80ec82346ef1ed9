/**
 * Everything the loader does for one assigned topic-partition: position at the offset ctldb
 * stores, turn fetched records into batches, commit them through the executive and act on each
 * reply (batching/failure-policy.ts). It processes a fetched batch to the end before returning,
 * so Kafka only moves on past what ctldb holds; a pending seek or a rebalance (`isCurrent()`
 * false) abandons the work, which is safe because ctldb, not Kafka, decides where to resume.
 *
 * One commit is in flight at a time (its `expected` offset is what ctldb stores), but records go
 * on being decoded into the next batch while it waits for the executive; decoding waits only
 * when a whole batch is ready behind the one in flight. So decoding and committing overlap.
 */
import type { DeadLetterSink } from '../../../lib/dead-letters/dead-letter.ts';
import type { Logger } from '../../../lib/logging.ts';
import type { Batch, BatchEvent } from '../batching/batch.ts';
import type { SendResult } from '../batching/failure-policy.ts';
import { decideAfterSend, decideOnEventError, type Decision } from '../batching/failure-policy.ts';
import { streamName, type TopicPartition } from '../batching/offsets.ts';
import { PartitionBatcher, type BatchLimits, type OpenTransaction } from '../batching/partition-batcher.ts';
import { ReemissionFilter, sourceStreamName } from '../batching/source-position.ts';
import type { BatchContext, ChangeConsumer, FetchedBatch } from '../consumer/consumer.ts';
import type { CommitRequest } from '../executive/executive-client.ts';
import type { InboundMessage } from '../message.ts';
import type { LoaderMetrics } from '../metrics.ts';
import { buildEvent, truncateEvent } from './event-builder.ts';
import { PartitionHalts, type Halt } from './partition-halts.ts';
import { PartitionMetrics } from './partition-metrics.ts';
import { PartitionWaits } from './partition-waits.ts';
import type { SourceRoute } from './source-route.ts';
import type { TransactionTracker } from './transactions.ts';
import { UnappliedFetches } from './unapplied-fetches.ts';

export interface WorkerDeps {
  readonly consumer: ChangeConsumer;
  readonly executive: {
    commit(request: CommitRequest): Promise<SendResult>;
    storedOffsets(): Promise<Map<string, string>>;
  };
  readonly deadLetters: DeadLetterSink;
  readonly metrics: LoaderMetrics;
  readonly log: Logger;
  readonly limits: BatchLimits;
  readonly now: () => number;
  /** Waits `ms` (shortened by the caller's checks); injectable so tests need no real time. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Longest wait for the end of an origin transaction before committing it in parts. */
  readonly transactionWaitMs: number;
}

export interface PartitionStatus extends TopicPartition {
  readonly source: string;
  readonly committedNext: string | null;
  readonly highWatermark: string | null;
  readonly halted: Halt | null;
  readonly waiting: string | null;
  /** What the partition waits for: a limit's retry-after, or an unreachable dependency. */
  readonly waitingFor: 'limit' | 'retry' | null;
  /** Age of the oldest fetched record not yet in ctldb (unapplied-fetches.ts), or null. */
  readonly oldestUnappliedAgeMs: number | null;
}

export class PartitionWorker {
  readonly tp: TopicPartition;
  readonly #route: SourceRoute;
  readonly #deps: WorkerDeps;
  readonly #metrics: PartitionMetrics;
  readonly #labels: PartitionMetrics['labels'];
  readonly #waits: PartitionWaits;
  readonly #halts: PartitionHalts;
  #batcher: PartitionBatcher | null = null;
  #reemissions = new ReemissionFilter(null);
  /**
   * Bumped whenever the position is forgotten. A handler still running from before (kafkajs
   * restarts a crashed consumer without waiting for its handlers) sees it change and stops, so it
   * never advances the re-emission filter or the commit state of the position that replaced it.
   */
  #epoch = 0;
  /** After a seek: only a batch fetched from this offset continues the stream. */
  #awaitingFetchFrom: string | null = null;
  #highWatermark: string | null = null;
  readonly #unapplied = new UnappliedFetches();
  /** Offsets an operator dropped from the dead-letter queue: passed over once when met again. */
  readonly #dropped = new Set<string>();
  /** The commit in flight (resolves false when the partition must stop), or null. */
  #sending: Promise<boolean> | null = null;
  /**
   * The transaction tracker's `recorded` when the handler last returned. kafkajs fetches again
   * only after the handler returns, so the changes an end counts up to this point are in the
   * fetches that follow (Debezium writes a transaction's changes before its end).
   */
  #endsBeforeFetch = 0;

  constructor(tp: TopicPartition, route: SourceRoute, deps: WorkerDeps) {
    this.tp = tp;
    this.#route = route;
    this.#deps = deps;
    this.#metrics = new PartitionMetrics(deps.metrics, route.source, tp);
    this.#labels = this.#metrics.labels;
    this.#waits = new PartitionWaits(tp, deps, this.#metrics);
    this.#halts = new PartitionHalts(tp, route.source, deps, this.#metrics);
  }

  get status(): PartitionStatus {
    return {
      ...this.tp,
      source: this.#route.source,
      committedNext: this.#batcher?.committedNext ?? null,
      highWatermark: this.#highWatermark,
      halted: this.#halts.halted,
      waiting: this.#waits.reason,
      waitingFor: this.#waits.kind,
      oldestUnappliedAgeMs: this.#unapplied.oldestAgeMs(this.#deps.now()),
    };
  }

  /** Forget the position: the partition was (re)assigned and must seek to ctldb's offset again. */
  unposition(): void {
    this.#epoch++;
    this.#batcher = null;
    this.#awaitingFetchFrom = null;
    this.#unapplied.forget();
    this.#waits.recovered();
  }

  /** True while the partition is halted at `offset`. */
  isHaltedAt(offset: string): boolean {
    return this.#halts.halted?.offset === offset;
  }

  /**
   * Resumes a halted partition from ctldb's offset, after an operator fixed the cause (retry)
   * or gave the event up (`skipOffset`: passed over, with its offset committed).
   */
  resume(skipOffset?: string): void {
    if (!this.#halts.clear()) return;
    if (skipOffset !== undefined) this.#dropped.add(skipOffset);
    this.unposition();
    this.#deps.log.info({ ...this.#labels, skipOffset }, 'partition resumed');
  }

  async handle(batch: FetchedBatch, ctx: BatchContext): Promise<void> {
    try {
      await this.#handle(batch, ctx);
    } finally {
      // Never return with a commit in flight: the next fetched batch builds on its outcome.
      const sending = this.#sending;
      await sending;
      if (this.#sending === sending) this.#sending = null;
      this.#endsBeforeFetch = this.#route.transactions?.recorded ?? 0;
    }
  }

  async #handle(batch: FetchedBatch, outer: BatchContext): Promise<void> {
    if (this.#halts.halted !== null) return;
    this.#highWatermark = batch.highWatermark;
    if (this.#batcher === null && !(await this.#position(batch, outer))) return;
    const epoch = this.#epoch;
    const ctx: BatchContext = { ...outer, isCurrent: () => outer.isCurrent() && this.#epoch === epoch };
    if (this.#awaitingFetchFrom !== null) {
      // Fetched before our seek took effect: it does not continue from the stored offset.
      if (batch.fetchedOffset !== this.#awaitingFetchFrom) return;
      this.#awaitingFetchFrom = null;
    }
    this.#unapplied.fetched(batch.messages);
    const batcher = this.#batcher as PartitionBatcher;
    for (const message of batch.messages) {
      if (!ctx.isCurrent()) return;
      const event = await this.#eventOf(message, batcher, ctx);
      if (event === null) return;
      if (batcher.add(event, this.#deps.now()) === 'stale') this.#metrics.count('stale');
      if (!(await this.#pump(batcher, ctx, false))) return;
    }
    await this.#finishFetch(batcher, ctx, batch);
  }

  /**
   * The end of a fetched batch: commit what is ready. An origin transaction whose end has not
   * been fetched yet stays open (so that it reaches the ledger whole): the next fetch continues it
   * when Kafka already holds more of the partition; otherwise the worker waits for the
   * transaction's end marker (the transaction topic says how many changes it made to this table),
   * at most LOADER_TRANSACTION_WAIT_MS from its first change, after which it commits what it has.
   * An end is checked only against a fetch made after it was recorded, see `#endsBeforeFetch`.
   */
  async #finishFetch(batcher: PartitionBatcher, ctx: BatchContext, batch: FetchedBatch): Promise<void> {
    const tracker = this.#route.transactions?.followed === true ? this.#route.transactions : undefined;
    const open = tracker === undefined ? null : batcher.openTransaction();
    if (open === null || tracker === undefined) {
      await this.#flush(batcher, ctx);
      return;
    }
    const expected = tracker.changesTo(open.id, open.table);
    // Debezium restarted in the middle of a transaction (before debezium/dbz#633) numbers the
    // changes after the restart from 1 again, and its end counts only those: checked against the
    // changes fetched before the end, it would cut the transaction in two.
    const trusted = expected !== undefined && this.#fetchedAfterEnd(tracker, open.id);
    const complete = expected !== undefined && trusted && open.lastOrder >= expected;
    const waitedMs = this.#deps.now() - open.sinceMs;
    if (complete || waitedMs >= this.#deps.transactionWaitMs) {
      if (!complete) this.#transactionTimedOut(open, expected);
      await this.#flush(batcher, ctx);
      return;
    }
    batcher.closeOpen(false);
    if (!(await this.#flush(batcher, ctx, false))) return;
    // More of the transaction is in Kafka already, or its end is to be checked on a new fetch.
    if (moreInPartition(batch) || (expected !== undefined && !trusted)) return;
    const remaining = this.#deps.transactionWaitMs - waitedMs;
    if (expected !== undefined) {
      // Its last changes are on their way to this partition: fetch again shortly.
      await this.#deps.sleep(Math.min(remaining, TRANSACTION_POLL_MS));
      return;
    }
    // Waits a little for the end marker, then returns so that the consumer fetches the partition
    // again (heartbeating in between, as only it may): the open transaction stays in the batcher,
    // and its wait counts from its first change across fetches.
    await tracker.waitForEnd(open.id, Math.min(remaining, END_WAIT_SLICE_MS));
  }

  /** True when this fetch was made after the end of transaction `id` was recorded. */
  #fetchedAfterEnd(tracker: TransactionTracker, id: string): boolean {
    return (tracker.recordedAt(id) ?? Infinity) <= this.#endsBeforeFetch;
  }

  #transactionTimedOut(open: OpenTransaction, expected: number | undefined): void {
    this.#metrics.count('transaction_timeout');
    this.#deps.log.warn(
      { ...this.#labels, transaction: open.id, changes: open.lastOrder, expected: expected ?? null },
      'origin transaction committed in parts: its end did not arrive in time',
    );
  }

  /**
   * Commits everything accepted so far (or, without `all`, what is already closed) and tells the
   * consumer how far ctldb now holds.
   */
  async #flush(batcher: PartitionBatcher, ctx: BatchContext, all = true): Promise<boolean> {
    if (all) batcher.closeOpen();
    if (!(await this.#pump(batcher, ctx, true))) return false;
    this.#updateLag();
    const next = batcher.committedNext;
    if (next !== null) await ctx.consumed(next);
    return true;
  }

  async #position(batch: FetchedBatch, ctx: BatchContext): Promise<boolean> {
    const stored = await this.#waits.withRetry(ctx, 'offsets', () => this.#deps.executive.storedOffsets());
    if (stored === undefined) return false;
    const next = stored.get(streamName(this.tp)) ?? null;
    const source = stored.get(sourceStreamName(streamName(this.tp))) ?? null;
    this.#batcher = new PartitionBatcher(this.tp, this.#deps.limits, next, source);
    this.#reemissions = new ReemissionFilter(source);
    const target = next ?? (await this.#deps.consumer.earliestOffset(this.tp));
    this.#deps.log.info(
      { ...this.#labels, storedNext: next, target, fetchedOffset: batch.fetchedOffset },
      'partition positioned',
    );
    if (batch.fetchedOffset === target) return true;
    this.#seek(target);
    return false;
  }

  #seek(target: string): void {
    this.#awaitingFetchFrom = target;
    this.#deps.consumer.seek(this.tp, target);
  }

  async #eventOf(message: InboundMessage, batcher: PartitionBatcher, ctx: BatchContext) {
    if (this.#dropped.delete(message.offset)) return emptyEvent(message.offset);
    for (let attempt = 0; ; attempt++) {
      try {
        const built = await buildEvent(message, this.#route);
        if (!ctx.isCurrent()) return null;
        this.#waits.recovered();
        if (built.kind === 'hold') {
          // Everything before the held change is applied; the partition stops at the change.
          if (await this.#flush(batcher, ctx))
            await this.#halt(message, { code: 'HELD', reason: built.reason });
          return null;
        }
        let event = built.kind === 'event' ? built.event : null;
        if (built.kind === 'truncate') {
          // The rows to delete are the table's rows once everything before the TRUNCATE is in.
          if (!(await this.#flush(batcher, ctx))) return null;
          event = await truncateEvent(message, built, this.#route);
        }
        if (event === null) return null;
        const latest = this.#reemissions.latest;
        if (!this.#reemissions.isReemitted(event.sourceKey ?? null)) return event;
        // Debezium sent this transaction again after a restart: ctldb already holds it.
        this.#metrics.count('reemitted');
        this.#deps.log.debug(
          { ...this.#labels, offset: message.offset, sourceKey: event.sourceKey, latest },
          're-emitted event dropped',
        );
        return emptyEvent(message.offset);
      } catch (err) {
        const decision = decideOnEventError(err, message.offset, {
          policy: this.#route.mapper.config.deadLetterPolicy,
          attempt,
        });
        if (decision.action === 'retry') {
          if (!(await this.#waits.wait(ctx, decision.delayMs, 'retry', decision.reason))) return null;
          continue;
        }
        if (decision.action === 'dead-letter') {
          await this.#halts.deadLetter(message, decision, 'skip');
          return emptyEvent(message.offset);
        }
        // The poison event stays alone: the events before it in the partition are committed first.
        if (await this.#flush(batcher, ctx)) {
          await this.#halt(
            message,
            decision.action === 'halt' ? decision : { code: 'INTERNAL', reason: String(err) },
          );
        }
        return null;
      }
    }
  }

  /**
   * Sends ready batches, one in flight at a time. Without `all`, waits for the commit in flight
   * only when another batch is ready behind it (so decoding goes on meanwhile); with `all`, until
   * nothing is ready or in flight. False when the partition must stop (seek, halt, revoked).
   */
  async #pump(batcher: PartitionBatcher, ctx: BatchContext, all: boolean): Promise<boolean> {
    for (;;) {
      if (this.#sending !== null) {
        if (!all && !batcher.hasReadyDraft(this.#deps.now())) return true;
        const ok = await this.#sending;
        this.#sending = null;
        if (!ok) return false;
      }
      const batch = batcher.take(this.#deps.now());
      if (batch === null) return true;
      this.#sending = this.#deliver(batch, ctx);
    }
  }

  async #deliver(initial: Batch, ctx: BatchContext): Promise<boolean> {
    const batcher = this.#batcher as PartitionBatcher;
    let batch = initial;
    for (let attempt = 0; ; attempt++) {
      if (!ctx.isCurrent()) return false;
      const started = this.#deps.now();
      const result = await this.#deps.executive.commit({
        family: batch.family ?? this.#route.defaultFamily,
        mutations: batch.mutations,
        offsets: batch.sourceOffset === null ? [batch.offsets] : [batch.offsets, batch.sourceOffset],
      });
      const decision = decideAfterSend(result, batch, {
        policy: this.#route.mapper.config.deadLetterPolicy,
        attempt,
      });
      if (decision.action !== 'retry') this.#waits.recovered();
      switch (decision.action) {
        case 'ack':
          batcher.acknowledge(batch);
          this.#metrics.committed(batch, started, this.#deps.now());
          this.#updateLag();
          return true;
        case 'seek':
          this.#deps.log.warn(
            { ...this.#labels, stored: decision.offset, reason: decision.reason },
            'offset conflict, seeking to the stored offset',
          );
          this.#metrics.retry('seek');
          // Position again from what ctldb stores (Kafka and binlog streams alike).
          this.unposition();
          this.#seek(decision.offset ?? (await this.#deps.consumer.earliestOffset(this.tp)));
          return false;
        case 'pause':
        case 'retry':
          if (!(await this.#waits.wait(ctx, decision.delayMs, decision.action, decision.reason)))
            return false;
          continue;
        case 'isolate':
          batcher.isolateInFlight(this.#deps.now(), decision.at);
          return true;
        case 'dead-letter':
          batch = await this.#halts.skipRefused(batch, decision);
          batcher.replaceInFlight(batch);
          continue;
        case 'halt':
          await this.#haltBatch(batch, decision);
          return false;
      }
    }
  }

  async #haltBatch(batch: Batch, decision: Extract<Decision, { action: 'halt' }>): Promise<void> {
    const culprit = batch.events.find((e) => decision.offsets.includes(e.offset)) ?? batch.events[0];
    if (culprit?.message !== undefined) await this.#halt(culprit.message, decision);
    else {
      this.#halts.markHalted(culprit?.offset ?? batch.offsets.next, decision);
      this.#waits.recovered();
    }
    this.#batcher?.reset(this.#batcher.committedNext);
  }

  async #halt(message: InboundMessage, why: { code: string; reason: string }): Promise<void> {
    await this.#halts.halt(message, why);
    this.#waits.recovered();
  }

  #updateLag(): void {
    this.#unapplied.applied(this.#batcher?.committedNext ?? null);
    this.#metrics.lag(this.#highWatermark, this.#batcher?.committedNext);
  }
}

/** How long a worker waits before fetching again the rest of a transaction on its way. */
const TRANSACTION_POLL_MS = 5;

/**
 * The longest a handler waits for a transaction's end before letting the consumer fetch again.
 * Waiting longer inside the handler needs heartbeats from it; with them (chaos seed 1.43) the
 * group of a partition waiting out a Connect worker's restart went into a rejoin every 5 s for
 * half an hour, each rejoin starting the wait again. kafkajs heartbeats between fetches itself.
 */
const END_WAIT_SLICE_MS = 1000;

/** True when Kafka held records of the partition beyond this fetched batch. */
function moreInPartition(batch: FetchedBatch): boolean {
  const last = batch.messages.at(-1);
  return last !== undefined && BigInt(batch.highWatermark) > BigInt(last.offset) + 1n;
}

/** An event that only moves the offset (its record was dead-lettered or dropped). */
function emptyEvent(offset: string): BatchEvent {
  return { offset, family: null, mutations: [], sourceTsMs: null, bytes: 0 };
}
