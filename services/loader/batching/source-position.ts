/**
 * Debezium re-emits events after a connector crash: everything after the last source offset
 * Connect had flushed (every second or so) is sent again, under new Kafka offsets that ctldb's
 * Kafka offsets cannot recognise. The binlog position recognises them. In the MariaDB connector's
 * events `source.pos` is the position where the event's transaction starts (every row of a
 * transaction shares it), and transactions start at strictly increasing positions in binlog
 * order, which is the order of every partition. So an event whose transaction starts before the
 * latest transaction already applied on its partition is a re-emission, and is dropped.
 *
 * Events of the latest applied transaction itself are let through: within a transaction nothing
 * identifies an event for sure (a row changed A→B→A→B repeats an event exactly), and applying a
 * re-emitted full row again is idempotent, while dropping a real change would not be. Snapshot
 * reads share one position and are never dropped.
 *
 * The latest position is stored in ctldb with each batch, as the stream `<topic>/<partition>@binlog`.
 */
import type { SourcePosition } from '../decode/change-record.ts';

/** `<file sequence>:<position>`, zero-padded so that keys compare as strings; null when unknown. */
export function binlogKey(position: SourcePosition | null): string | null {
  if (position === null || position.snapshot || position.file === null || position.pos === null) return null;
  const sequence = /\.(\d+)$/.exec(position.file)?.[1];
  if (sequence === undefined) return null;
  return `${sequence.padStart(10, '0')}:${String(position.pos).padStart(20, '0')}`;
}

export function sourceStreamName(kafkaStream: string): string {
  return `${kafkaStream}@binlog`;
}

/** The latest applied transaction of a partition, and the test for re-emitted older ones. */
export class ReemissionFilter {
  #latest: string | null;

  constructor(latest: string | null) {
    this.#latest = latest;
  }

  get latest(): string | null {
    return this.#latest;
  }

  /** True when the event belongs to a transaction older than the latest one seen. */
  isReemitted(key: string | null): boolean {
    if (key === null) return false;
    if (this.#latest !== null && key < this.#latest) return true;
    this.#latest = key;
    return false;
  }
}
