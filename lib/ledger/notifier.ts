/**
 * Ledger wake-ups: after each commit the executive announces the new head seq, so followers
 * (reflectors) fetch at once instead of waiting for their next poll. Best effort by design: a lost
 * notification only delays a follower until its next poll, so `published` never throws and never
 * blocks the write path. Notifications from concurrent commits may arrive out of order; followers
 * treat the value as "the ledger reaches at least this seq".
 *
 * Full stack: Redis pub/sub on LEDGER_ADVANCED_CHANNEL (redis-notifier-adapter.ts).
 * Embedded mode: `InProcessLedgerNotifier`, which the in-process reflector subscribes to.
 */
import { EventEmitter } from 'node:events';

export interface LedgerNotifier {
  /** Announces that the ledger now holds entries up to `seq`. */
  published(seq: number): void;
  close(): Promise<void>;
}

/** Something a follower can listen to. */
export interface LedgerAdvanceSource {
  /** Calls `listener` with each announced seq; returns the function that unsubscribes. */
  subscribe(listener: (seq: number) => void): () => void;
}

export class InProcessLedgerNotifier implements LedgerNotifier, LedgerAdvanceSource {
  readonly #events = new EventEmitter();

  constructor() {
    // Any number of in-process followers (tests run several reflectors).
    this.#events.setMaxListeners(0);
  }

  published(seq: number): void {
    this.#events.emit('advanced', seq);
  }

  subscribe(listener: (seq: number) => void): () => void {
    this.#events.on('advanced', listener);
    return () => this.#events.off('advanced', listener);
  }

  close(): Promise<void> {
    this.#events.removeAllListeners();
    return Promise.resolve();
  }
}

/** For an executive that has no followers to wake. */
export const silentLedgerNotifier: LedgerNotifier = {
  published: () => undefined,
  close: () => Promise.resolve(),
};
