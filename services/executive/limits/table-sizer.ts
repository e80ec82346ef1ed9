/**
 * One measurement of every table: count ctldb (ctldb-size-source.ts), estimate the LDB bytes
 * (ldb-estimate.ts), publish to the store for every executive. A store-side lock makes a
 * measurement exclusive even if the scheduler ever handed out two at once; the growth counters
 * are rotated at the start and cleared at the commit (redis-scripts.ts).
 *
 * Soft quota: a table crossing its soft quota gets one warning log line (and one info line when
 * it falls back below); the metric and the table's status warning come from every executive's
 * size view.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../lib/logging.ts';
import type { TableSizeSource } from './ctldb-size-source.ts';
import { tableField } from './keys.ts';
import { estimateLdbBytes } from './ldb-estimate.ts';
import type { LimitsMetrics } from './limits-metrics.ts';
import type { MeasurementSink, StoredTableSize } from './limits-store.ts';
import type { EffectiveLimits } from './settings.ts';

export type MeasurementResult = 'committed' | 'skipped' | 'lost-lock';

export interface TableSizerOptions {
  readonly source: TableSizeSource;
  readonly sink: MeasurementSink;
  readonly limits: () => EffectiveLimits;
  readonly log: Logger;
  readonly metrics: LimitsMetrics;
  /** The lock outlives a stuck measurement by this much at most. @defaultValue 60000 */
  readonly lockMs?: number;
}

export class TableSizer {
  readonly #o: TableSizerOptions;

  constructor(options: TableSizerOptions) {
    this.#o = options;
  }

  async measureOnce(): Promise<MeasurementResult> {
    const { sink, metrics } = this.#o;
    const token = randomUUID();
    if (!(await sink.beginMeasurement(token, this.#o.lockMs ?? 60_000))) {
      metrics.measurements.inc({ result: 'skipped' });
      return 'skipped';
    }
    const timer = metrics.measurementSeconds.startTimer();
    try {
      const previous = await sink.readSizes();
      const sizes = await this.#measure();
      this.#logSoftTransitions(previous, sizes);
      const committed = await sink.commitMeasurement(token, sizes);
      metrics.measurements.inc({ result: committed ? 'committed' : 'failed' });
      if (!committed) this.#o.log.warn('limits: table measurement outlived its lock; discarded');
      return committed ? 'committed' : 'lost-lock';
    } catch (err) {
      metrics.measurements.inc({ result: 'failed' });
      await sink.abortMeasurement(token).catch(() => undefined);
      throw err;
    } finally {
      timer();
    }
  }

  async #measure(): Promise<StoredTableSize[]> {
    const limits = this.#o.limits();
    const counted = await this.#o.source.measure();
    const measuredAtMs = Date.now();
    return counted.map((c) => {
      const ldbBytes = estimateLdbBytes(c);
      const { warnBytes } = limits.table(c.family, c.table);
      return { ...c, ldbBytes, measuredAtMs, overSoft: warnBytes !== null && ldbBytes >= warnBytes };
    });
  }

  #logSoftTransitions(
    previous: ReadonlyMap<string, StoredTableSize>,
    sizes: readonly StoredTableSize[],
  ): void {
    const limits = this.#o.limits();
    for (const size of sizes) {
      const was = previous.get(tableField(size.family, size.table))?.overSoft ?? false;
      if (size.overSoft === was) continue;
      const { warnBytes, maxBytes } = limits.table(size.family, size.table);
      const context = {
        family: size.family,
        table: size.table,
        ldbBytes: size.ldbBytes,
        warnBytes,
        maxBytes,
      };
      if (size.overSoft) this.#o.log.warn(context, 'limits: table is over its soft size quota');
      else this.#o.log.info(context, 'limits: table is back under its soft size quota');
    }
  }
}
