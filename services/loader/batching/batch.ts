/**
 * A batch: the mutations of consecutive events of one topic-partition, in offset order, sent to
 * the executive together with the offset update they cover. Events without mutations (tombstones,
 * transaction markers, dead-lettered events) still count: their offsets are covered so that the
 * stored offset moves past them.
 */
import type { Mutation } from '../mapping/source-mapper.ts';
import type { InboundMessage } from '../message.ts';
import { nextOffset, streamName, type OffsetUpdate, type TopicPartition } from './offsets.ts';
import { sourceStreamName } from './source-position.ts';

export interface BatchEvent {
  readonly offset: string;
  /** The family the event's mutations belong to; null when it has none. */
  readonly family: string | null;
  readonly mutations: readonly Mutation[];
  /** Origin commit time (Debezium `source.ts_ms`), for origin-to-ledger latency. */
  readonly sourceTsMs: number | null;
  /** Approximate encoded size, for the byte limit. */
  readonly bytes: number;
  /** Binlog key (source-position.ts) of the event's transaction, when it has one. */
  readonly sourceKey?: string | null;
  /** Debezium's id of the origin transaction (`transaction.id`), with transaction metadata on. */
  readonly txId?: string | null;
  /** The Kafka record, kept until the batch commits so a poison event can be dead-lettered whole. */
  readonly message?: InboundMessage;
}

export interface Batch extends TopicPartition {
  readonly family: string | null;
  readonly mutations: readonly Mutation[];
  /** Events in offset order; their mutations are consecutive in `mutations`. */
  readonly events: readonly BatchEvent[];
  readonly offsets: OffsetUpdate;
  /** The latest applied transaction's binlog key, stored with the batch; null when none is known. */
  readonly sourceOffset: OffsetUpdate | null;
  readonly bytes: number;
  readonly openedAtMs: number;
}

/** Builds a batch from events (in offset order) claiming `expected`. */
export function buildBatch(
  tp: TopicPartition,
  events: readonly BatchEvent[],
  expected: string | null,
  openedAtMs: number,
  sourceExpected: string | null = null,
): Batch {
  const last = events.at(-1);
  if (last === undefined) throw new Error('a batch needs at least one event');
  const mutations = events.flatMap((e) => e.mutations);
  return {
    topic: tp.topic,
    partition: tp.partition,
    family: events.find((e) => e.family !== null)?.family ?? null,
    mutations,
    events,
    offsets: { stream: streamName(tp), expected, next: nextOffset(last.offset) },
    sourceOffset: sourceOffsetOf(tp, events, sourceExpected),
    bytes: events.reduce((n, e) => n + e.bytes, 0),
    openedAtMs,
  };
}

function sourceOffsetOf(
  tp: TopicPartition,
  events: readonly BatchEvent[],
  expected: string | null,
): OffsetUpdate | null {
  let next = expected;
  for (const e of events)
    if (e.sourceKey != null && (next === null || e.sourceKey > next)) next = e.sourceKey;
  return next === null ? null : { stream: sourceStreamName(streamName(tp)), expected, next };
}

/** The event that holds mutation number `row` of the batch (the executive names rows by index). */
export function eventOfMutation(batch: Batch, row: number): BatchEvent | undefined {
  let seen = 0;
  for (const event of batch.events) {
    seen += event.mutations.length;
    if (row < seen) return event;
  }
  return undefined;
}

/**
 * The same batch, same offsets, without the given events' mutations: used after those events
 * went to the dead-letter queue, so the stored offset still moves past them.
 */
export function withoutEvents(batch: Batch, offsets: ReadonlySet<string>): Batch {
  const events = batch.events.map((e) =>
    offsets.has(e.offset) ? { ...e, family: null, mutations: [], bytes: 0 } : e,
  );
  const rebuilt = buildBatch(batch, events, batch.offsets.expected, batch.openedAtMs);
  return { ...rebuilt, offsets: batch.offsets, sourceOffset: batch.sourceOffset };
}
