/**
 * Wake-ups: the follower sleeps between polls, and a "ledger advanced" notification (Redis
 * pub/sub in the full stack, an in-process notifier in the embedded mode) ends the sleep early.
 * Notifications are hints: losing one costs at most one poll interval.
 */

/** Something that announces "the ledger now reaches at least `seq`". */
export interface WakeSource {
  /** Calls `listener` on each announcement; returns the function that unsubscribes. */
  subscribe(listener: (seq: number) => void): () => void;
}

export type WakeReason = 'notified' | 'timeout' | 'aborted';

/**
 * A latch that remembers a notification arriving while nobody waits, so one that lands between
 * a poll and the next sleep is not lost.
 */
export class WakeLatch {
  #pending = false;
  #release: ((reason: WakeReason) => void) | null = null;

  notify(): void {
    if (this.#release !== null) this.#release('notified');
    else this.#pending = true;
  }

  /** Forgets a pending notification (the caller is about to read the ledger anyway). */
  clear(): void {
    this.#pending = false;
  }

  /** Resolves on a notification, after `ms`, or when `signal` aborts, whichever comes first. */
  wait(ms: number, signal?: AbortSignal): Promise<WakeReason> {
    if (signal?.aborted === true) return Promise.resolve('aborted');
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve('notified');
    }
    return new Promise((resolve) => {
      const finish = (reason: WakeReason): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#release = null;
        resolve(reason);
      };
      const onAbort = (): void => finish('aborted');
      const timer = setTimeout(() => finish('timeout'), ms);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#release = finish;
    });
  }
}
