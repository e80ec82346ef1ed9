/**
 * A supervisor: its own LDB (bootstrapped from the newest snapshot, else built from the ledger),
 * a private reflector keeping it current, and the snapshot loop publishing copies of it.
 */
import { Reflector } from '../../lib/ldb/reflector.ts';
import type { WakeSource } from '../../lib/ldb/wake.ts';
import type { LedgerSource } from '../../lib/ledger/entry.ts';
import type { Service } from '../../lib/lifecycle.ts';
import type { Logger } from '../../lib/logging.ts';
import type { Registry } from '../../lib/metrics.ts';
import { SqliteLdbFiles } from '../../lib/snapshot/adapters/sqlite-files.ts';
import { bootstrapLdb, type BootstrapResult } from '../../lib/snapshot/bootstrap.ts';
import { LDB_POSITION } from '../../lib/snapshot/ldb-position.ts';
import { SnapshotMaker } from '../../lib/snapshot/make-snapshot.ts';
import type { Compression } from '../../lib/snapshot/manifest.ts';
import { ledgerStaleness } from '../../lib/snapshot/position.ts';
import type { SnapshotStore } from '../../lib/snapshot/store.ts';
import type { HealthProbes } from './http.ts';
import { registerIntervalMetric } from './interval-metric.ts';
import { createSupervisorMetrics } from './metrics.ts';
import type { ScheduleOptions } from './schedule.ts';
import type { SnapshotSlots } from './slots.ts';
import { SnapshotLoop } from './snapshot-loop.ts';

export interface SupervisorDeps {
  readonly store: SnapshotStore;
  readonly slots: SnapshotSlots;
  /** The ledger; the private reflector reads it and closes it on stop. */
  readonly source: LedgerSource;
  readonly wake?: WakeSource;
  readonly registry: Registry;
  readonly log: Logger;
}

export interface SupervisorOptions extends ScheduleOptions {
  readonly ldbPath: string;
  readonly workDir: string;
  readonly keep: number;
  readonly maxStalenessMs: number;
  readonly compression: Compression;
  readonly makerId: string;
  readonly tickMs: number;
  readonly lockTtlMs: number;
  /** Follower poll interval, in ms. */
  readonly pollIntervalMs: number;
  /** The follower counts as caught up under this staleness, in seconds. */
  readonly maxLagSeconds: number;
  /**
   * How long the private reflector's WAL escalation (TRUNCATE checkpoint) waits for readers. The
   * snapshot copy is such a reader for seconds; 0 keeps the follower from ever waiting on it.
   */
  readonly checkpointBusyTimeoutMs: number;
}

export class Supervisor implements Service, HealthProbes {
  readonly name = 'supervisor';
  readonly bootstrap: BootstrapResult;
  readonly reflector: Reflector;
  readonly loop: SnapshotLoop;

  private constructor(bootstrap: BootstrapResult, reflector: Reflector, loop: SnapshotLoop) {
    this.bootstrap = bootstrap;
    this.reflector = reflector;
    this.loop = loop;
  }

  static async open(deps: SupervisorDeps, options: SupervisorOptions): Promise<Supervisor> {
    const log = deps.log.child({ component: 'supervisor', makerId: options.makerId });
    const files = new SqliteLdbFiles();
    const bootstrap = await bootstrapLdb(
      { store: deps.store, files, log },
      { ldbPath: options.ldbPath, position: LDB_POSITION },
    );
    log.info({ bootstrap: { ...bootstrap, manifest: undefined } }, 'supervisor LDB ready to follow');
    const reflector = Reflector.open({
      ldbPath: options.ldbPath,
      source: deps.source,
      ...(deps.wake === undefined ? {} : { wake: deps.wake }),
      registry: deps.registry,
      log,
      pollIntervalMs: options.pollIntervalMs,
      maxStalenessSeconds: options.maxLagSeconds,
      checkpoint: { escalationBusyTimeoutMs: options.checkpointBusyTimeoutMs },
    });
    const maker = new SnapshotMaker(
      { store: deps.store, files, log },
      {
        ldbPath: options.ldbPath,
        workDir: options.workDir,
        position: LDB_POSITION,
        staleness: ledgerStaleness(deps.source),
        maxStalenessMs: options.maxStalenessMs,
        keep: options.keep,
        compression: options.compression,
        makerId: options.makerId,
      },
    );
    registerIntervalMetric(deps.registry, options.intervalMs);
    const holder: { loop?: SnapshotLoop } = {};
    const metrics = createSupervisorMetrics(deps.registry, () => holder.loop?.newestCreatedAt ?? null);
    const loop = new SnapshotLoop(
      { maker, slots: deps.slots, store: deps.store, follower: reflector, metrics, log },
      options,
    );
    holder.loop = loop;
    return new Supervisor(bootstrap, reflector, loop);
  }

  async start(): Promise<void> {
    await this.reflector.start();
    await this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.reflector.stop();
  }

  problem(): string | null {
    const status = this.reflector.status();
    return status.state === 'failed' ? `follower stopped: ${status.error?.message ?? 'unknown error'}` : null;
  }

  ready(): boolean {
    return this.reflector.caughtUp();
  }

  status(): Record<string, unknown> {
    const follower = this.reflector.status();
    return {
      seq: follower.seq,
      headSeq: follower.headSeq,
      state: follower.state,
      lastSnapshot: this.loop.lastOutcome,
    };
  }
}
