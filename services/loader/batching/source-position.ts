/**
 * Debezium re-emits events after a connector crash: everything after the last source offset
 * Connect had flushed (every second or so) is sent again, under new Kafka offsets that ctldb's
 * Kafka offsets cannot recognise. The binlog position recognises them: in the MariaDB connector's
 * events `source.pos` is the binlog position of the row event and `source.row` the row within it,
 * strictly increasing in binlog order (which is the order of every partition), except that the
 * two records of a primary-key change (delete of the old key, create of the new) share both.
 * With `provide.transaction.metadata=true` each event also has its ordinal in its transaction
 * (`transaction.total_order`), which tells those two apart: the position is then exact.
 *
 * An event at or before the latest applied position (strictly before, without the ordinal) is a
 * re-emission and is dropped. So, without the ordinal, at most the latest event (or pair) can be
 * applied twice, which is idempotent; with it, nothing is. Snapshot reads share one position and
 * are never dropped.
 *
 * The latest position is stored in ctldb with each batch, as the stream `<topic>/<partition>@binlog`.
 */
import type { SourcePosition } from '../decode/change-record.ts';

/**
 * `<file sequence>:<pos>:<row>[:<ordinal in transaction>]`, zero-padded so that keys compare as
 * strings; null when unknown.
 */
export function binlogKey(position: SourcePosition | null): string | null {
  if (position === null || position.snapshot || position.file === null || position.pos === null) return null;
  const sequence = /\.(\d+)$/.exec(position.file)?.[1];
  if (sequence === undefined) return null;
  const parts = [
    sequence.padStart(10, '0'),
    String(position.pos).padStart(20, '0'),
    String(position.row ?? 0).padStart(10, '0'),
  ];
  if (position.txOrder !== null) parts.push(String(position.txOrder).padStart(10, '0'));
  return parts.join(':');
}

/** Keys with the transaction ordinal identify one event; without it, a pair may share one. */
function isExact(key: string): boolean {
  return key.split(':').length === 4;
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

  /** True when the event is at or before the latest one applied (strictly before, when inexact). */
  isReemitted(key: string | null): boolean {
    if (key === null) return false;
    if (this.#latest !== null && (key < this.#latest || (key === this.#latest && isExact(key)))) return true;
    this.#latest = key;
    return false;
  }
}
