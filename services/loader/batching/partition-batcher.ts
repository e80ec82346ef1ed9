/**
 * The pure batcher of one topic-partition. Events go in in offset order; batches come out closed
 * on size (mutations, bytes, events) or time, one at a time: the next batch is only taken once
 * the one in flight is acknowledged, so its `expected` offset is exactly what ctldb stores and
 * per-key order is the partition's order. A 409 or a rebalance resets it to the stored offset;
 * events below that offset (already in ctldb) are dropped as stale.
 *
 * Origin transactions stay whole: a batch is only cut where a transaction ends (the next event
 * belongs to another transaction, or to none), except when one transaction alone is over the
 * size limits (then it is split at the limit). The open draft's last transaction may go on in
 * events not fetched yet: `closeOpen(false)` closes the draft before it and keeps it open, and
 * `openTransaction` tells the worker which transaction that is.
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
}

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
  /** `events[0..boundary)` are whole transactions (or changes outside any). */
  boundary: number;
  /** The transaction of the last events, which more events may continue; null when none. */
  open: OpenTransaction | null;
}

/** A transaction whose changes so far end the open draft. */
export interface OpenTransaction {
  readonly id: string;
  /** The source table (`db.table`) of this partition. */
  readonly table: string;
  /** The ordinal, among the transaction's changes to the table, of the last one accepted. */
  readonly lastOrder: number;
  /** When its first change was accepted. */
  readonly sinceMs: number;
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
    const carried = draft !== undefined && continues(draft, event) ? draft.open : null;
    if (draft !== undefined && !this.#fits(draft, event)) {
      draft = carried !== null ? this.#closeBeforeOpenTransaction(draft, nowMs) : undefined;
      if (draft !== undefined && !this.#fits(draft, event)) {
        // One transaction alone is over the limits: split at the limit.
        this.#close(draft);
        draft = undefined;
      }
      this.#closeOpenDraft(draft);
    }
    draft ??= this.#newDraft(nowMs, carried);
    append(draft, event, nowMs);
    if (this.#isFull(draft)) {
      const rest = this.#closeBeforeOpenTransaction(draft, nowMs);
      if (rest !== undefined && this.#isFull(rest)) this.#close(rest);
    }
    return 'added';
  }

  /** The transaction the open draft ends with, which events not accepted yet may continue. */
  openTransaction(): OpenTransaction | null {
    return this.#openDraft()?.open ?? null;
  }

  /** The next batch to send, if one is ready and none is in flight. */
  take(nowMs: number): Batch | null {
    if (this.#inFlight !== null) return null;
    if (!this.hasReadyDraft(nowMs)) return null;
    const first = this.#drafts[0] as Draft;
    // Due by time: what is before its open transaction goes; the transaction waits for its end.
    if (!first.closed) this.#closeBeforeOpenTransaction(first, nowMs);
    const draft = this.#drafts.shift() as Draft;
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
    return nowMs - draft.openedAtMs >= this.#limits.maxWaitMs && (draft.open === null || draft.boundary > 0);
  }

  /**
   * Closes the open batch now (end of a fetched Kafka batch: nothing more can join it soon).
   * With `transactionComplete` false, the transaction it ends with stays open (its end has not
   * been fetched yet) and only what comes before that transaction is closed.
   */
  closeOpen(transactionComplete = true): void {
    const draft = this.#openDraft();
    if (draft === undefined || draft.events.length === 0) return;
    if (transactionComplete || draft.open === null) this.#close(draft);
    else this.#closeBeforeOpenTransaction(draft, draft.open.sinceMs);
  }

  /** Milliseconds until `take` may return a batch by time; null when nothing waits or one is in flight. */
  dueInMs(nowMs: number): number | null {
    const draft = this.#drafts[0];
    if (draft === undefined || this.#inFlight !== null) return null;
    if (!draft.closed && draft.open !== null && draft.boundary === 0) return null;
    return draft.closed ? 0 : Math.max(0, draft.openedAtMs + this.#limits.maxWaitMs - nowMs);
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

  /**
   * Splits the batch in flight to isolate a poison event: into one batch per event (to find it),
   * or, given its offset, into the events before it, it alone, and the events after it.
   */
  isolateInFlight(nowMs: number, at?: string): void {
    const batch = this.#inFlight;
    if (batch === null) return;
    const groups: BatchEvent[][] = [];
    if (at === undefined) for (const e of batch.events) groups.push([e]);
    else {
      const index = batch.events.findIndex((e) => e.offset === at);
      if (index < 0) throw new Error(`offset ${at} is not in the batch in flight`);
      groups.push(batch.events.slice(0, index), [batch.events[index] as BatchEvent]);
      groups.push(batch.events.slice(index + 1));
    }
    const drafts = groups
      .filter((events) => events.length > 0)
      .map((events) => ({
        events,
        openedAtMs: nowMs,
        family: events.find((e) => e.family !== null)?.family ?? null,
        mutations: events.reduce((n, e) => n + e.mutations.length, 0),
        bytes: events.reduce((n, e) => n + e.bytes, 0),
        closed: true,
        boundary: events.length,
        open: null,
      }));
    this.#drafts.unshift(...drafts);
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

  #newDraft(nowMs: number, open: OpenTransaction | null): Draft {
    const draft: Draft = {
      events: [],
      openedAtMs: nowMs,
      family: null,
      mutations: 0,
      bytes: 0,
      closed: false,
      boundary: 0,
      open,
    };
    this.#drafts.push(draft);
    return draft;
  }

  #close(draft: Draft): void {
    draft.closed = true;
    draft.boundary = draft.events.length;
    draft.open = null;
  }

  /** Closes the open draft unless it is `keep`. */
  #closeOpenDraft(keep: Draft | undefined): void {
    const draft = this.#openDraft();
    if (draft !== undefined && draft !== keep) this.#close(draft);
  }

  /**
   * Closes `draft` before its open transaction and moves that transaction's events to a new open
   * draft, which it returns; returns `draft` itself when the transaction is all it holds (nothing
   * to close before it), and undefined when it has no open transaction (it is then closed).
   */
  #closeBeforeOpenTransaction(draft: Draft, nowMs: number): Draft | undefined {
    if (draft.open === null) {
      this.#close(draft);
      return undefined;
    }
    if (draft.boundary === 0) return draft;
    const moved = draft.events.splice(draft.boundary);
    const rest: Draft = {
      events: [],
      openedAtMs: nowMs,
      family: null,
      mutations: 0,
      bytes: 0,
      closed: false,
      boundary: 0,
      open: draft.open,
    };
    for (const event of moved) {
      rest.events.push(event);
      rest.family ??= event.family;
      rest.mutations += event.mutations.length;
      rest.bytes += event.bytes;
    }
    draft.mutations -= rest.mutations;
    draft.bytes -= rest.bytes;
    draft.family = draft.events.find((e) => e.family !== null)?.family ?? null;
    this.#close(draft);
    this.#drafts.splice(this.#drafts.indexOf(draft) + 1, 0, rest);
    return rest;
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

/** True when `event` continues the transaction `draft` ends with. */
function continues(draft: Draft, event: BatchEvent): boolean {
  if (draft.open === null) return false;
  return event.transaction === undefined || event.transaction?.id === draft.open.id;
}

/**
 * Adds `event` to `draft`, moving the transaction boundary: an event of another transaction (or
 * of none) ends the open one; events without a change of their own (tombstones, dead-lettered
 * events, `transaction` undefined) belong to whatever surrounds them.
 */
function append(draft: Draft, event: BatchEvent, nowMs: number): void {
  const tx = event.transaction;
  if (tx !== undefined && (tx === null || draft.open?.id !== tx.id)) {
    draft.boundary = draft.events.length;
    draft.open = null;
  }
  draft.events.push(event);
  draft.family ??= event.family;
  draft.mutations += event.mutations.length;
  draft.bytes += event.bytes;
  if (tx === null || (tx === undefined && draft.open === null)) {
    draft.boundary = draft.events.length;
  } else if (tx !== undefined) {
    draft.open = {
      id: tx.id,
      table: tx.table,
      lastOrder: tx.order,
      sinceMs: draft.open?.id === tx.id ? draft.open.sinceMs : nowMs,
    };
  }
}
