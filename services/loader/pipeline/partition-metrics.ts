/**
 * One partition's metrics under its labels (source, topic, partition): what the worker records,
 * kept apart from how it decides, so partition-worker.ts reads as control flow only.
 */
import type { Batch } from '../batching/batch.ts';
import { compareOffsets, type TopicPartition } from '../batching/offsets.ts';
import type { LoaderMetrics } from '../metrics.ts';

export class PartitionMetrics {
  /** Also the context of every log line about the partition. */
  readonly labels: { readonly source: string; readonly topic: string; readonly partition: string };
  readonly #metrics: LoaderMetrics;

  constructor(metrics: LoaderMetrics, source: string, tp: TopicPartition) {
    this.#metrics = metrics;
    this.labels = { source, topic: tp.topic, partition: String(tp.partition) };
  }

  count(outcome: string, n = 1): void {
    this.#metrics.events.inc({ ...this.labels, outcome }, n);
  }

  retry(action: 'pause' | 'retry' | 'seek'): void {
    this.#metrics.retries.inc({ ...this.labels, action });
  }

  deadLetter(code: string): void {
    this.#metrics.deadLetters.inc({ ...this.labels, code });
    this.count('dead_letter');
  }

  halted(halted: boolean): void {
    this.#metrics.halted.set(this.labels, halted ? 1 : 0);
  }

  /** A batch is in ctldb: its size, latency, outcomes and each event's origin-to-ledger time. */
  committed(batch: Batch, startedMs: number, nowMs: number): void {
    this.#metrics.batchSize.observe(this.labels, batch.mutations.length);
    this.#metrics.batchLatency.observe(this.labels, (nowMs - startedMs) / 1000);
    const applied = batch.events.filter((e) => e.mutations.length > 0).length;
    if (applied > 0) this.count('applied', applied);
    if (batch.events.length > applied) this.count('skipped', batch.events.length - applied);
    const table = { source: this.labels.source, topic: this.labels.topic };
    for (const event of batch.events) {
      if (event.sourceTsMs !== null && event.mutations.length > 0)
        this.#metrics.originToLedger.observe(table, Math.max(0, nowMs - event.sourceTsMs) / 1000);
    }
  }

  /** Records still to load: the high watermark minus the next offset ctldb stores. */
  lag(highWatermark: string | null, committedNext: string | null | undefined): void {
    if (highWatermark === null || committedNext === null || committedNext === undefined) return;
    const lag =
      compareOffsets(highWatermark, committedNext) > 0
        ? Number(BigInt(highWatermark) - BigInt(committedNext))
        : 0;
    this.#metrics.lag.set(this.labels, lag);
  }
}
