/**
 * The pure batcher of one topic-partition. Events go in in offset order; batches come out closed
 * on size (mutations, bytes, events) or time, one at a time: the next batch is only taken once
 * the one in flight is acknowledged, so its `expected` offset is exactly what ctldb stores and
 * per-key order is the partition's order. A 409 or a rebalance resets it to the stored offset;
 * events below that offset (already in ctldb) are dropped as stale.
 *
 * Origin transactions stay whole (when events carry Debezium's transaction id): a batch is never
 * cut by time or at the end of a fetch between two events of one transaction, so a reader never
 * sees part of an origin transaction. The last transaction of the open batch may still continue
 * in the next fetch; it is held until an event of another transaction arrives, or until the
 * partition worker, idle for `transactionGraceMs` after a fetch, releases it (`releaseHeld`).
 * Only the size limits still split a transaction larger than a batch.
 *
 * Time is passed in (`nowMs`), never read, so tests drive it directly.
 */
import { buildBatch, type Batch, type BatchEvent } from './batch.ts';
import { compareOffsets, nextOffset, type TopicPartition } from './offsets.ts';

export interface BatchLimits {
  /** Close a batch at this many mutations. @defaultValue 1000 */
  readonly maxMutations: number;
  /** Close a batch at about this many encoded bytes. @defaultValue 1 MiB */
  readonly maxBytes: number;
  /** Close a batch at this many events (tombstones included). @defaultValue 5000 */
  readonly maxEvents: number;
  /** Close a non-empty batch this long after its first event. @defaultValue 50 */
  readonly maxWaitMs: number;
  /**
   * How long the partition worker, idle after a fetch, holds the open batch's last origin
   * transaction for more of its events before sending it as complete. @defaultValue 200
   */
  readonly transactionGraceMs?: number;
}

export const DEFAULT_TRANSACTION_GRACE_MS = 200;

export const DEFAULT_BATCH_LIMITS: BatchLimits = {
  maxMutations: 1000,
  maxBytes: 1024 * 1024,
  maxEvents: 5000,
  maxWaitMs: 50,
};

interface Draft {
  readonly events: BatchEvent[];
  readonly openedAtMs: number;
  family: string | null;
  mutations: number;
  bytes: number;
  /** Closed drafts wait for the batch in flight; a single marks an isolated event. */
  closed: boolean;
}

export type AddResult = 'added' | 'stale';

export class PartitionBatcher {
  readonly tp: TopicPartition;
  readonly #limits: BatchLimits;
  readonly #drafts: Draft[] = [];
  #committedNext: string | null;
  #committedSource: string | null;
  /** Offset after the last event accepted; events below it are stale. */
  #position: string | null;
  #inFlight: Batch | null = null;

  constructor(
    tp: TopicPartition,
    limits: BatchLimits,
    committedNext: string | null,
    committedSource: string | null = null,
  ) {
    this.tp = tp;
    this.#limits = limits;
    this.#committedNext = committedNext;
    this.#committedSource = committedSource;
    this.#position = committedNext;
  }

  /** The binlog key stored with the last acknowledged batch (source-position.ts). */
  get committedSource(): string | null {
    return this.#committedSource;
  }

  /** The next offset ctldb stores for this partition, as far as this batcher knows. */
  get committedNext(): string | null {
    return this.#committedNext;
  }

  get inFlight(): Batch | null {
    return this.#inFlight;
  }

  /** Events accepted but not yet acknowledged (for back-pressure: pause consuming above a bound). */
  get bufferedEvents(): number {
    return this.#drafts.reduce((n, d) => n + d.events.length, 0) + (this.#inFlight?.events.length ?? 0);
  }

  add(event: BatchEvent, nowMs: number): AddResult {
    if (this.#position !== null && compareOffsets(event.offset, this.#position) < 0) return 'stale';
    this.#position = nextOffset(event.offset);
    let draft = this.#openDraft();
    if (draft !== undefined && !this.#fits(draft, event)) {
      draft.closed = true;
      draft = undefined;
    }
    if (draft === undefined) {
      draft = newDraft([], nowMs);
      this.#drafts.push(draft);
    }
    draft.events.push(event);
    draft.family ??= event.family;
    draft.mutations += event.mutations.length;
    draft.bytes += event.bytes;
    if (this.#isFull(draft)) draft.closed = true;
    return 'added';
  }

  /** The next batch to send, if one is ready and none is in flight. */
  take(nowMs: number): Batch | null {
    if (this.#inFlight !== null) return null;
    if (!this.#splitOpenTransaction(nowMs)) return null;
    const draft = this.#drafts[0];
    if (draft === undefined) return null;
    if (!draft.closed && nowMs - draft.openedAtMs < this.#limits.maxWaitMs) return null;
    this.#drafts.shift();
    this.#inFlight = buildBatch(
      this.tp,
      draft.events,
      this.#committedNext,
      draft.openedAtMs,
      this.#committedSource,
    );
    return this.#inFlight;
  }

  /** True when a batch could be taken once the one in flight is acknowledged. */
  hasReadyDraft(nowMs: number): boolean {
    const draft = this.#drafts[0];
    if (draft === undefined) return false;
    if (draft.closed) return true;
    if (nowMs - draft.openedAtMs < this.#limits.maxWaitMs) return false;
    return openTransactionStart(draft.events) !== 0;
  }

  /** True when the open batch is one origin transaction held for more of its events. */
  get holdsTransaction(): boolean {
    const draft = this.#openDraft();
    return draft !== undefined && draft.events.length > 0 && openTransactionStart(draft.events) !== undefined;
  }

  /** Sends the held transaction as complete: no more of it came while the worker was idle. */
  releaseHeld(): void {
    const draft = this.#openDraft();
    if (draft !== undefined && draft.events.length > 0) draft.closed = true;
  }

  /**
   * End of a fetched Kafka batch: closes the open batch, except its last origin transaction,
   * which stays open in case the next fetch continues it.
   */
  closeOpen(): void {
    const draft = this.#openDraft();
    if (draft === undefined || draft.events.length === 0) return;
    const tail = openTransactionStart(draft.events);
    if (tail === undefined) draft.closed = true;
    else if (tail > 0) this.#splitAt(draft, tail, draft.openedAtMs);
  }

  /** Milliseconds until `take` may return a batch by time; null when nothing waits or one is in flight. */
  dueInMs(nowMs: number): number | null {
    const draft = this.#drafts[0];
    if (draft === undefined || this.#inFlight !== null) return null;
    if (draft.closed) return 0;
    if (openTransactionStart(draft.events) === 0) return null;
    return Math.max(0, draft.openedAtMs + this.#limits.maxWaitMs - nowMs);
  }

  /**
   * Before taking the open draft by time: leaves its last transaction behind when something
   * precedes it; when the draft is that one transaction, it waits (`releaseHeld`). False: wait.
   */
  #splitOpenTransaction(nowMs: number): boolean {
    const draft = this.#drafts[0];
    if (draft === undefined || draft.closed || draft !== this.#openDraft()) return true;
    if (nowMs - draft.openedAtMs < this.#limits.maxWaitMs) return true;
    const tail = openTransactionStart(draft.events);
    if (tail === undefined) return true;
    if (tail === 0) return false;
    this.#splitAt(draft, tail, nowMs);
    return true;
  }

  /** Closes `draft` before event `index`; the events from there on become the open draft. */
  #splitAt(draft: Draft, index: number, openedAtMs: number): void {
    const rest = draft.events.splice(index);
    const tail = newDraft(rest, openedAtMs);
    draft.mutations -= tail.mutations;
    draft.bytes -= tail.bytes;
    draft.closed = true;
    this.#drafts.push(tail);
  }

  /** The batch in flight was committed (applied, or already applied before). */
  acknowledge(batch: Batch): void {
    if (this.#inFlight === null || this.#inFlight.offsets.next !== batch.offsets.next) {
      throw new Error(`acknowledged batch ending at ${batch.offsets.next} is not the one in flight`);
    }
    this.#committedNext = batch.offsets.next;
    this.#committedSource = batch.sourceOffset?.next ?? this.#committedSource;
    this.#inFlight = null;
  }

  /** Replaces the batch in flight (same offsets), e.g. after dead-lettering some of its events. */
  replaceInFlight(batch: Batch): void {
    if (this.#inFlight === null || this.#inFlight.offsets.next !== batch.offsets.next) {
      throw new Error('the replacement batch does not cover the batch in flight');
    }
    this.#inFlight = batch;
  }

  /** Splits the batch in flight into one batch per event, to find which event is poison. */
  isolateInFlight(nowMs: number): void {
    const batch = this.#inFlight;
    if (batch === null) return;
    const singles = batch.events.map((e) => ({
      events: [e],
      openedAtMs: nowMs,
      family: e.family,
      mutations: e.mutations.length,
      bytes: e.bytes,
      closed: true,
    }));
    this.#drafts.unshift(...singles);
    this.#inFlight = null;
  }

  /**
   * Forgets everything buffered and in flight and restarts from the stored offset: after a 409
   * (another loader moved it) or when the partition is (re)assigned. The consumer must seek to
   * the same offset.
   */
  reset(storedNext: string | null, storedSource: string | null = this.#committedSource): void {
    this.#drafts.length = 0;
    this.#inFlight = null;
    this.#committedNext = storedNext;
    this.#committedSource = storedSource;
    this.#position = storedNext;
  }

  #openDraft(): Draft | undefined {
    const last = this.#drafts.at(-1);
    return last !== undefined && !last.closed ? last : undefined;
  }

  #fits(draft: Draft, event: BatchEvent): boolean {
    if (draft.events.length === 0) return true;
    // One batch goes to one family's mutation endpoint.
    if (event.family !== null && draft.family !== null && event.family !== draft.family) return false;
    return (
      draft.mutations + event.mutations.length <= this.#limits.maxMutations &&
      draft.bytes + event.bytes <= this.#limits.maxBytes &&
      draft.events.length < this.#limits.maxEvents
    );
  }

  #isFull(draft: Draft): boolean {
    return (
      draft.mutations >= this.#limits.maxMutations ||
      draft.bytes >= this.#limits.maxBytes ||
      draft.events.length >= this.#limits.maxEvents
    );
  }
}

function newDraft(events: BatchEvent[], openedAtMs: number): Draft {
  return {
    events,
    openedAtMs,
    family: events.find((e) => e.family !== null)?.family ?? null,
    mutations: events.reduce((n, e) => n + e.mutations.length, 0),
    bytes: events.reduce((n, e) => n + e.bytes, 0),
    closed: false,
  };
}

/**
 * Where the last origin transaction of `events` starts, when the last event with a mutation
 * belongs to one (it may continue in events not fetched yet); undefined when it does not.
 * Events without mutations (tombstones) take the transaction of the event before them.
 */
export function openTransactionStart(events: readonly BatchEvent[]): number | undefined {
  let i = events.length - 1;
  while (i >= 0 && (events[i]?.txId ?? null) === null && events[i]?.mutations.length === 0) i--;
  const txId = events[i]?.txId ?? null;
  if (txId === null) return undefined;
  while (i > 0) {
    const before = events[i - 1];
    if (before === undefined) break;
    const sameTx = before.txId === txId || ((before.txId ?? null) === null && before.mutations.length === 0);
    if (!sameTx) break;
    i--;
  }
  return i;
}
