/**
 * Heartbeats: a ledger entry (op 'heartbeat', no family or table) written on a schedule, so a
 * follower can measure staleness even when no one writes: the committed_at of the newest entry it
 * applied tells it how far behind it is.
 *
 * Scheduling is a port: with Redis, a BullMQ job scheduler (adapters/bullmq-heartbeat-adapter.ts)
 * makes several executives write ONE heartbeat per interval between them; without Redis (embedded
 * mode) a local timer does it.
 */
import type { Ctldb } from '../../../lib/ctldb/dialect.ts';
import { appendBatch } from '../../../lib/ctldb/ledger-append.ts';
import type { LedgerNotifier } from '../../../lib/ledger/notifier.ts';
import type { Logger } from '../../../lib/logging.ts';
import type { ExecutiveMetrics } from '../metrics.ts';

export interface HeartbeatScheduler {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Writes one heartbeat entry as its own batch; returns its seq. */
export type Beat = () => Promise<number>;

export function heartbeatWriter(
  ctldb: Ctldb,
  notifier: LedgerNotifier,
  metrics: ExecutiveMetrics,
  log: Logger,
): Beat {
  return async () => {
    try {
      const { lastSeq } = await ctldb.transaction((tx) =>
        appendBatch(tx, ctldb.dialect, [{ family: '', table: '', op: 'heartbeat', payload: {} }]),
      );
      metrics.heartbeats.inc({ outcome: 'written' });
      notifier.published(lastSeq);
      return lastSeq;
    } catch (err) {
      metrics.heartbeats.inc({ outcome: 'failed' });
      log.warn({ err }, 'heartbeat failed');
      throw err;
    }
  };
}

/** One executive, no Redis: a plain timer. */
export class LocalHeartbeat implements HeartbeatScheduler {
  readonly #beat: Beat;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(beat: Beat, intervalMs: number) {
    this.#beat = beat;
    this.#intervalMs = intervalMs;
  }

  start(): Promise<void> {
    // Failures are counted and logged by the beat itself; the next tick tries again.
    this.#timer = setInterval(() => void this.#beat().catch(() => undefined), this.#intervalMs);
    this.#timer.unref();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    return Promise.resolve();
  }
}

export const noHeartbeat: HeartbeatScheduler = {
  start: () => Promise.resolve(),
  stop: () => Promise.resolve(),
};
