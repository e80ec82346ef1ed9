/**
 * A reflector: one LDB kept equal to the ledger. Composes the writer connection, the applier,
 * the checkpoint policy, the optional changelog and the follow loop. The reflector service and
 * the supervisor's private reflector both build one of these.
 *
 *   const reflector = Reflector.open({ ldbPath, source, wake, registry, log });
 *   await reflector.start();
 */
import { statSync } from 'node:fs';
import { ChangelogWriter, type ChangelogOptions } from '../changelog/writer.ts';
import type { LedgerSource } from '../ledger/entry.ts';
import type { Service } from '../lifecycle.ts';
import type { Logger } from '../logging.ts';
import type { Registry } from '../metrics.ts';
import { LdbApplier } from './applier.ts';
import { WalCheckpointer, type CheckpointPolicyOptions } from './checkpoint-policy.ts';
import { LedgerFollower, type FollowerOptions, type FollowerStatus } from './follower.ts';
import type { LdbPosition } from './layout.ts';
import { createReflectorMetrics } from './metrics.ts';
import { openLdbWriter } from './open-writer.ts';
import { openSqlite } from './sqlite-adapter.ts';
import type { SqliteDb } from './sqlite-port.ts';
import type { WakeSource } from './wake.ts';

export interface ReflectorOptions extends FollowerOptions {
  /** The LDB file (created when missing). */
  readonly ldbPath: string;
  /** Where the ledger is read from. Closed by stop(). */
  readonly source: LedgerSource;
  /** "Ledger advanced" notifications (Redis, or in-process in the embedded mode). */
  readonly wake?: WakeSource;
  /** Write the change feed to this NDJSON file. */
  readonly changelog?: ChangelogOptions & { readonly path: string };
  readonly checkpoint?: CheckpointPolicyOptions;
  readonly registry: Registry;
  readonly log: Logger;
  readonly clock?: () => number;
}

function walSizeOf(ldbPath: string): () => number {
  return () => {
    try {
      return statSync(`${ldbPath}-wal`).size;
    } catch {
      return 0;
    }
  };
}

export class Reflector implements Service {
  readonly name = 'reflector';
  readonly ldbPath: string;
  readonly #db: SqliteDb;
  readonly #applier: LdbApplier;
  readonly #follower: LedgerFollower;
  readonly #source: LedgerSource;
  readonly #changelog: ChangelogWriter | undefined;
  #closed = false;

  private constructor(options: ReflectorOptions) {
    this.ldbPath = options.ldbPath;
    this.#source = options.source;
    const maxWal = options.checkpoint?.maxWalBytes;
    this.#db = openLdbWriter(
      openSqlite,
      options.ldbPath,
      maxWal === undefined ? {} : { walSizeLimitBytes: maxWal },
    );
    try {
      this.#applier = new LdbApplier(this.#db, options.clock);
      this.#changelog =
        options.changelog === undefined
          ? undefined
          : ChangelogWriter.open(options.changelog.path, options.changelog);
      const checkpointer = new WalCheckpointer(this.#db, walSizeOf(options.ldbPath), options.checkpoint);
      const follower: { current?: LedgerFollower } = {};
      const metrics = createReflectorMetrics(options.registry, {
        stalenessSeconds: () => follower.current?.stalenessSeconds() ?? Infinity,
        caughtUp: () => follower.current?.caughtUp() ?? false,
      });
      this.#follower = new LedgerFollower(
        {
          db: this.#db,
          applier: this.#applier,
          source: options.source,
          metrics,
          log: options.log.child({ component: 'reflector', ldb: options.ldbPath }),
          checkpointer,
          ...(this.#changelog === undefined ? {} : { changelog: this.#changelog }),
          ...(options.wake === undefined ? {} : { wake: options.wake }),
          ...(options.clock === undefined ? {} : { clock: options.clock }),
        },
        options,
      );
      follower.current = this.#follower;
    } catch (err) {
      this.#db.close();
      throw err;
    }
  }

  /** Opens (or creates) the LDB; start() begins following. */
  static open(options: ReflectorOptions): Reflector {
    return new Reflector(options);
  }

  start(): Promise<void> {
    return this.#follower.start();
  }

  async stop(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#follower.stop();
    this.#changelog?.close();
    this.#db.close();
    await this.#source.close();
  }

  get position(): LdbPosition {
    return this.#applier.position;
  }

  status(): FollowerStatus {
    return this.#follower.status();
  }

  caughtUp(): boolean {
    return this.#follower.caughtUp();
  }

  /** Resolves true once the LDB has applied `seq`. */
  waitForSeq(seq: number, timeoutMs: number): Promise<boolean> {
    return this.#follower.waitForSeq(seq, timeoutMs);
  }
}
