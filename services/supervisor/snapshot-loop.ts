/**
 * The snapshot loop: on every tick, decide whether a snapshot is due (schedule.ts), claim the
 * trigger's slot among all supervisors (slots.ts) when this supervisor's follower is caught up,
 * and make and publish the snapshot under that claim.
 */
import { CuttleError, ensureError, isCuttleError } from '../../lib/errors.ts';
import { sleep, type Service } from '../../lib/lifecycle.ts';
import type { Logger } from '../../lib/logging.ts';
import { readLatest } from '../../lib/snapshot/catalog.ts';
import type { MakeResult, SnapshotMaker } from '../../lib/snapshot/make-snapshot.ts';
import type { Manifest } from '../../lib/snapshot/manifest.ts';
import type { SnapshotStore } from '../../lib/snapshot/store.ts';
import type { SupervisorMetrics } from './metrics.ts';
import { dueTrigger, type ScheduleOptions, type ScheduleState, type Trigger } from './schedule.ts';
import type { Claim, SnapshotSlots } from './slots.ts';

export interface SnapshotLoopDeps {
  readonly maker: Pick<SnapshotMaker, 'make'>;
  readonly slots: SnapshotSlots;
  readonly store: SnapshotStore;
  /** The supervisor's private follower. */
  readonly follower: { caughtUp(): boolean; readonly position: { readonly seq: number } };
  readonly metrics: SupervisorMetrics;
  readonly log: Logger;
  readonly clock?: () => number;
}

export interface SnapshotLoopOptions extends ScheduleOptions {
  readonly makerId: string;
  /** How often the schedule is evaluated, in ms. */
  readonly tickMs: number;
  /** Longest a snapshot may take; the making lock expires after it. */
  readonly lockTtlMs: number;
}

export type TickOutcome =
  | 'idle'
  | 'published'
  | 'unchanged'
  | 'slot_taken'
  | 'busy'
  | 'not_caught_up'
  | 'stale'
  | 'aborted'
  | 'failed';

export class SnapshotLoop implements Service {
  readonly name = 'snapshot-loop';
  readonly #deps: SnapshotLoopDeps;
  readonly #options: SnapshotLoopOptions;
  readonly #clock: () => number;
  #state: ScheduleState = { handledIntervalSlot: null, publishedSeq: -1, lastAttemptAt: null };
  #newestCreatedAt: number | null = null;
  #newest: Manifest | null = null;
  #abort = new AbortController();
  #loop: Promise<void> | null = null;
  #lastOutcome: TickOutcome = 'idle';
  #making = false;

  constructor(deps: SnapshotLoopDeps, options: SnapshotLoopOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#clock = deps.clock ?? Date.now;
  }

  /** Creation time (ms) of the newest published snapshot known here, for the age metric. */
  get newestCreatedAt(): number | null {
    return this.#newestCreatedAt;
  }

  /** The newest published snapshot known here (for the status record), null before any. */
  get newest(): Manifest | null {
    return this.#newest;
  }

  /** True while a snapshot is being made. */
  get making(): boolean {
    return this.#making;
  }

  get lastOutcome(): TickOutcome {
    return this.#lastOutcome;
  }

  async start(): Promise<void> {
    await this.#refreshPublished().catch((err: unknown) => {
      this.#deps.log.warn({ err: ensureError(err) }, 'snapshot store not readable yet; the loop retries');
    });
    this.#abort = new AbortController();
    this.#loop ??= this.#run(this.#abort.signal);
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop; // a snapshot in progress is abandoned at its next step (orphans are pruned later)
    this.#loop = null;
  }

  /** One evaluation of the schedule (the loop calls this every tick; tests call it directly). */
  async tick(): Promise<TickOutcome> {
    const now = this.#clock();
    const trigger = dueTrigger(this.#state, this.#options, now, this.#deps.follower.position.seq);
    if (trigger === null) return 'idle';
    // Not caught up: leave the trigger pending (a later tick in the same slot may still claim it).
    if (!this.#deps.follower.caughtUp()) return this.#count('not_caught_up');
    if (trigger.kind === 'interval')
      this.#state = { ...this.#state, handledIntervalSlot: trigger.intervalSlot };
    const slotTtlMs = Math.max(2 * this.#options.intervalMs, this.#options.lockTtlMs);
    const result = await this.#deps.slots.claim(
      trigger.slot,
      this.#options.makerId,
      slotTtlMs,
      this.#options.lockTtlMs,
    );
    if (!result.won) return this.#count(result.reason === 'busy' ? 'busy' : 'slot_taken');
    this.#state = { ...this.#state, lastAttemptAt: now };
    this.#making = true;
    try {
      return this.#count(await this.#make(trigger, result.claim));
    } finally {
      this.#making = false;
      await result.claim.release();
      await this.#refreshPublished();
    }
  }

  async #make(trigger: Trigger, claim: Claim): Promise<TickOutcome> {
    const log = this.#deps.log.child({ trigger: trigger.slot, token: claim.token });
    const beforePublish = async (): Promise<void> => {
      if (!(await claim.stillHeld())) {
        throw new CuttleError(
          'UNAVAILABLE',
          `snapshot lock of token ${claim.token} expired before publication`,
        );
      }
    };
    try {
      const result = await this.#deps.maker.make({
        fencingToken: claim.token,
        trigger: trigger.slot,
        beforePublish,
        signal: this.#abort.signal,
      });
      this.#record(result);
      if (result.status === 'published') {
        log.info(
          { seq: result.manifest.seq, key: result.manifest.key, timings: result.timings },
          'snapshot published',
        );
      }
      return result.status;
    } catch (err) {
      const error = ensureError(err);
      if (this.#abort.signal.aborted) {
        log.info('snapshot abandoned: the supervisor is stopping');
        return 'aborted';
      }
      const code = isCuttleError(error) ? error.code : 'INTERNAL';
      this.#deps.metrics.failures.inc({ code });
      log.warn({ err: error, code }, 'snapshot not published');
      return code === 'SNAPSHOT_STALE' ? 'stale' : 'failed';
    }
  }

  #record(result: MakeResult): void {
    if (result.status !== 'published') return;
    const { manifest, timings } = result;
    this.#state = { ...this.#state, publishedSeq: Math.max(this.#state.publishedSeq, manifest.seq) };
    this.#newestCreatedAt = Date.parse(manifest.createdAt);
    this.#newest = manifest;
    this.#deps.metrics.seq.set(manifest.seq);
    this.#deps.metrics.bytes.set({ kind: 'ldb' }, manifest.size);
    this.#deps.metrics.bytes.set({ kind: 'compressed' }, manifest.compressedSize);
    this.#deps.metrics.duration.observe({ phase: 'copy' }, timings.copyMs / 1000);
    this.#deps.metrics.duration.observe({ phase: 'compress' }, timings.compressMs / 1000);
    this.#deps.metrics.duration.observe({ phase: 'upload' }, timings.uploadMs / 1000);
    this.#deps.metrics.duration.observe({ phase: 'total' }, timings.totalMs / 1000);
  }

  #count(outcome: TickOutcome): TickOutcome {
    this.#lastOutcome = outcome;
    this.#deps.metrics.attempts.inc({ outcome });
    return outcome;
  }

  /** Reads latest.json: the published seq drives the entries trigger and the age metric. */
  async #refreshPublished(): Promise<void> {
    const latest = await readLatest(this.#deps.store);
    if (!latest.ok) return;
    this.#state = { ...this.#state, publishedSeq: latest.manifest.seq };
    this.#newestCreatedAt = Date.parse(latest.manifest.createdAt);
    this.#newest = latest.manifest;
    this.#deps.metrics.seq.set(latest.manifest.seq);
  }

  async #run(signal: AbortSignal): Promise<void> {
    let ticks = 0;
    while (!signal.aborted) {
      try {
        // Others publish too: re-read latest.json now and then, not on every tick.
        if (++ticks % 10 === 0) await this.#refreshPublished();
        await this.tick();
      } catch (err) {
        this.#count('failed');
        this.#deps.log.warn({ err: ensureError(err) }, 'snapshot tick failed');
      }
      await sleep(this.#options.tickMs, signal);
    }
  }
}
