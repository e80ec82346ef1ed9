/**
 * The follow loop: reads the ledger after the LDB's seq in blocks, applies each whole batch in
 * one transaction (applier.ts), writes the change feed after each commit, keeps the WAL bounded,
 * and sleeps between polls until a wake-up or a jittered poll interval.
 *
 * Errors: a gap in seq (LEDGER_GAP) or a ledger the LDB cannot apply stops the loop for good
 * (state `failed`, surfaced by health and metrics); anything else (ctldb unreachable, SQLite
 * busy) is retried with backoff. ctldb does not need to be reachable to start.
 */
import type { ChangelogWriter } from '../changelog/writer.ts';
import { CuttleError, ensureError, isCuttleError } from '../errors.ts';
import type { LedgerEntry, LedgerSource } from '../ledger/entry.ts';
import { backoffMs, jitter, sleep, type Service } from '../lifecycle.ts';
import type { Logger } from '../logging.ts';
import type { AppliedBatch, LdbApplier } from './applier.ts';
import { splitBatches } from './batches.ts';
import { catchUpChangelog } from './changelog-catch-up.ts';
import type { WalCheckpointer } from './checkpoint-policy.ts';
import { stalenessSeconds } from './layout.ts';
import type { ReflectorMetrics } from './metrics.ts';
import type { SqliteDb } from './sqlite-port.ts';
import { WakeLatch, type WakeSource } from './wake.ts';

export interface FollowerOptions {
  /** Entries per ledger read. @defaultValue 1000 */
  readonly blockSize?: number;
  /** Poll interval when idle, in ms. @defaultValue 1000 */
  readonly pollIntervalMs?: number;
  /** Jitter coefficient of the poll interval (0.25: ±25 %). @defaultValue 0.25 */
  readonly pollJitter?: number;
  /** "Caught up" needs staleness under this bound, in seconds. @defaultValue 60 */
  readonly maxStalenessSeconds?: number;
  /** Longest wait between retries after an error, in ms. @defaultValue 30000 */
  readonly maxBackoffMs?: number;
  /** At start, re-emit at most this many entries to the changelog. @defaultValue 100000 */
  readonly changelogCatchUpLimit?: number;
}

export interface FollowerDeps {
  readonly db: SqliteDb;
  readonly applier: LdbApplier;
  readonly source: LedgerSource;
  readonly metrics: ReflectorMetrics;
  readonly log: Logger;
  readonly checkpointer?: WalCheckpointer;
  readonly changelog?: ChangelogWriter;
  readonly wake?: WakeSource;
  readonly clock?: () => number;
}

export type FollowerState = 'idle' | 'following' | 'failed' | 'stopped';

export interface FollowerStatus {
  readonly state: FollowerState;
  readonly seq: number;
  /** Ledger head at the last poll (null before the first successful poll). */
  readonly headSeq: number | null;
  readonly lastPollAt: number | null;
  readonly stalenessSeconds: number;
  readonly caughtUp: boolean;
  readonly error: { readonly code: string; readonly message: string } | null;
}

export class LedgerFollower implements Service {
  readonly name = 'ledger-follower';
  readonly #deps: FollowerDeps;
  readonly #options: Required<FollowerOptions>;
  readonly #clock: () => number;
  readonly #latch = new WakeLatch();
  readonly #waiters = new Set<{ seq: number; resolve: (reached: boolean) => void }>();
  #abort = new AbortController();
  #loop: Promise<void> | null = null;
  #state: FollowerState = 'idle';
  #headSeq: number | null = null;
  #backlog = false;
  #lastPollAt: number | null = null;
  #error: CuttleError | null = null;
  #changelogReady = false;

  constructor(deps: FollowerDeps, options: FollowerOptions = {}) {
    this.#deps = deps;
    this.#clock = deps.clock ?? Date.now;
    this.#options = {
      blockSize: options.blockSize ?? 1000,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      pollJitter: options.pollJitter ?? 0.25,
      maxStalenessSeconds: options.maxStalenessSeconds ?? 60,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
      changelogCatchUpLimit: options.changelogCatchUpLimit ?? 100_000,
    };
    deps.metrics.seq.set(deps.applier.position.seq);
  }

  start(): Promise<void> {
    if (this.#loop !== null) return Promise.resolve();
    this.#abort = new AbortController();
    this.#state = 'following';
    this.#loop = this.#run();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    this.#loop = null;
    if (this.#state !== 'failed') this.#state = 'stopped';
    for (const waiter of this.#waiters) waiter.resolve(false);
    this.#waiters.clear();
  }

  status(): FollowerStatus {
    const seq = this.#deps.applier.position.seq;
    return {
      state: this.#state,
      seq,
      headSeq: this.#headSeq,
      lastPollAt: this.#lastPollAt,
      stalenessSeconds: this.stalenessSeconds(),
      caughtUp: this.caughtUp(),
      error: this.#error === null ? null : { code: this.#error.code, message: this.#error.message },
    };
  }

  stalenessSeconds(): number {
    return stalenessSeconds(this.#deps.applier.position, this.#clock());
  }

  /** At the ledger head seen at the last poll, with staleness under the bound. */
  caughtUp(): boolean {
    return (
      this.#state === 'following' &&
      this.#headSeq !== null &&
      !this.#backlog &&
      this.#deps.applier.position.seq >= this.#headSeq &&
      this.stalenessSeconds() <= this.#options.maxStalenessSeconds
    );
  }

  /** Resolves true once the LDB has applied `seq`, false on timeout or stop. */
  waitForSeq(seq: number, timeoutMs: number): Promise<boolean> {
    if (this.#deps.applier.position.seq >= seq) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        seq,
        resolve: (reached: boolean): void => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => waiter.resolve(false), timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    const unsubscribe = this.#deps.wake?.subscribe((seq) => {
      if (seq > this.#deps.applier.position.seq) this.#latch.notify();
    });
    let attempt = 0;
    while (!signal.aborted) {
      try {
        if (!this.#changelogReady) await this.#catchUpChangelog();
        const read = await this.#step();
        attempt = 0;
        this.#error = null;
        if (read === 0 || !this.#backlog) await this.#idle(signal);
      } catch (err) {
        if (!this.#onError(err)) break;
        await sleep(backoffMs(attempt++, 100, this.#options.maxBackoffMs), signal);
      }
    }
    unsubscribe?.();
  }

  async #idle(signal: AbortSignal): Promise<void> {
    const ms = jitter(this.#options.pollIntervalMs, this.#options.pollJitter);
    const reason = await this.#latch.wait(ms, signal);
    if (reason !== 'aborted') this.#deps.metrics.wakeups.inc({ reason });
  }

  /** Records the error; returns whether to retry. */
  #onError(err: unknown): boolean {
    const error = isCuttleError(err)
      ? err
      : new CuttleError('UNAVAILABLE', `ledger follow failed: ${ensureError(err).message}`, { cause: err });
    this.#error = error;
    this.#deps.metrics.errors.inc({ code: error.code });
    if (error.code === 'LEDGER_GAP') this.#deps.metrics.gaps.inc();
    if (!error.retriable) {
      this.#state = 'failed';
      this.#deps.log.error({ err: error, details: error.details }, 'reflector stopped: %s', error.message);
      return false;
    }
    this.#deps.log.warn({ err: error }, 'ledger follow failed, retrying');
    return true;
  }

  async #catchUpChangelog(): Promise<void> {
    const { changelog, source, db, log } = this.#deps;
    if (changelog !== undefined) {
      const lines = await catchUpChangelog(changelog, source, db, log, {
        ldbSeq: this.#deps.applier.position.seq,
        blockSize: this.#options.blockSize,
        limit: this.#options.changelogCatchUpLimit,
      });
      this.#deps.metrics.changelogLines.inc(lines);
    }
    this.#changelogReady = true;
  }

  /** Reads one block and applies every whole batch in it; returns how many entries it read. */
  async #step(): Promise<number> {
    const after = this.#deps.applier.position.seq;
    const blockSize = this.#options.blockSize;
    this.#latch.clear();
    const entries = await this.#deps.source.readAfter(after, blockSize);
    this.#lastPollAt = this.#clock();
    const last = entries[entries.length - 1]?.seq ?? after;
    this.#backlog = entries.length >= blockSize;
    this.#headSeq = Math.max(this.#headSeq ?? 0, last);
    this.#deps.metrics.headSeq.set(this.#headSeq);
    const { batches, partial } = splitBatches(entries, after);
    if (partial.length > 0) batches.push(await this.#completeBatch(partial));
    for (const batch of batches) this.#applyBatch(batch);
    return entries.length;
  }

  /** A block ended inside a batch: read on until its last entry. */
  async #completeBatch(partial: LedgerEntry[]): Promise<LedgerEntry[]> {
    const batch = [...partial];
    for (;;) {
      const tail = batch[batch.length - 1] as LedgerEntry;
      const more = await this.#deps.source.readAfter(tail.seq, this.#options.blockSize);
      if (more.length === 0) {
        throw new CuttleError(
          'UNAVAILABLE',
          `ledger batch ${batch[0]?.seq} has no end after seq ${tail.seq} yet`,
        );
      }
      for (const entry of more) {
        batch.push(entry);
        if (entry.batchEnd) return batch;
      }
    }
  }

  #applyBatch(batch: readonly LedgerEntry[]): void {
    const { applier, metrics, changelog, checkpointer } = this.#deps;
    const stopTimer = metrics.batchApplySeconds.startTimer();
    const applied: AppliedBatch = applier.apply(batch);
    stopTimer();
    metrics.entriesApplied.inc(applied.entries);
    metrics.batchesApplied.inc();
    metrics.seq.set(applied.lastSeq);
    // Entries read past the block to finish a batch are part of the head we know of.
    this.#headSeq = Math.max(this.#headSeq ?? 0, applied.lastSeq);
    if (changelog !== undefined) {
      changelog.append(applied.changes, applied.lastSeq);
      metrics.changelogLines.inc(applied.changes.length);
    }
    if (checkpointer !== undefined) {
      const checkpoint = checkpointer.afterCommit(this.#clock());
      if (checkpoint !== null) {
        metrics.checkpoints.inc({ mode: checkpoint.mode, result: checkpoint.busy ? 'busy' : 'complete' });
      }
      metrics.walBytes.set(checkpointer.walBytes);
    }
    for (const waiter of this.#waiters) if (waiter.seq <= applied.lastSeq) waiter.resolve(true);
  }
}
