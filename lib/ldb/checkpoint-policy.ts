/**
 * Keeping the WAL bounded. The reflector turns off SQLite's auto-checkpoint and runs this policy
 * after each committed batch:
 *
 * - PASSIVE checkpoint once the WAL file grew by `passiveEveryBytes`, or `passiveEveryMs` passed
 *   since the last one. PASSIVE never waits for anyone: it copies every frame that no reader still
 *   needs into the database file. Once all frames are copied, the next commit starts writing the
 *   WAL from its beginning again, so in steady state the WAL stays near `passiveEveryBytes`.
 * - A reader holding a long read transaction pins its snapshot: frames after its mark can't be
 *   copied and the WAL can't restart, so it grows. When it exceeds `maxWalBytes` the policy
 *   escalates to TRUNCATE, which waits up to `escalationBusyTimeoutMs` for such readers, copies
 *   everything and truncates the WAL file to zero. If a reader still blocks it, it is retried at
 *   most every `escalationRetryMs` (never blocking the apply loop for longer than the timeout).
 *   `journal_size_limit` (open-writer.ts) also trims the file after each ordinary reset.
 *
 * The reader library never holds a read transaction longer than one statement, so escalation
 * only matters for other tools reading the LDB (sqlite3 shell, backups).
 */
import type { SqliteDb } from './sqlite-port.ts';

export interface CheckpointPolicyOptions {
  /** PASSIVE after the WAL grew by this much. @defaultValue 4 MiB */
  readonly passiveEveryBytes?: number;
  /** PASSIVE at least this often while batches are applied. @defaultValue 1000 */
  readonly passiveEveryMs?: number;
  /** Escalate to TRUNCATE above this WAL size. @defaultValue 64 MiB */
  readonly maxWalBytes?: number;
  /** How long TRUNCATE waits for readers. @defaultValue 100 */
  readonly escalationBusyTimeoutMs?: number;
  /** Least time between two escalations that readers blocked. @defaultValue 1000 */
  readonly escalationRetryMs?: number;
}

export type CheckpointMode = 'PASSIVE' | 'TRUNCATE';

export interface CheckpointState {
  readonly walBytes: number;
  readonly walBytesAfterLastCheckpoint: number;
  readonly msSinceLastCheckpoint: number;
  readonly msSinceLastEscalation: number;
}

export function resolvePolicy(options: CheckpointPolicyOptions = {}): Required<CheckpointPolicyOptions> {
  return {
    passiveEveryBytes: options.passiveEveryBytes ?? 4 * 1024 * 1024,
    passiveEveryMs: options.passiveEveryMs ?? 1000,
    maxWalBytes: options.maxWalBytes ?? 64 * 1024 * 1024,
    escalationBusyTimeoutMs: options.escalationBusyTimeoutMs ?? 100,
    escalationRetryMs: options.escalationRetryMs ?? 1000,
  };
}

/** The checkpoint to run now, if any. Pure. */
export function decideCheckpoint(
  state: CheckpointState,
  policy: Required<CheckpointPolicyOptions>,
): CheckpointMode | null {
  if (state.walBytes > policy.maxWalBytes && state.msSinceLastEscalation >= policy.escalationRetryMs) {
    return 'TRUNCATE';
  }
  const grown = state.walBytes - state.walBytesAfterLastCheckpoint;
  if (grown >= policy.passiveEveryBytes) return 'PASSIVE';
  // Called only after a commit, so there is something new; after a WAL reset the file does not
  // grow until it passes its old size, which is why time is the second trigger.
  if (state.msSinceLastCheckpoint >= policy.passiveEveryMs) return 'PASSIVE';
  return null;
}

export interface CheckpointResult {
  readonly mode: CheckpointMode;
  /** A reader prevented a complete checkpoint. */
  readonly busy: boolean;
  /** Frames in the WAL, and how many of them are now in the database file. */
  readonly walFrames: number;
  readonly checkpointedFrames: number;
  readonly walBytesBefore: number;
  readonly walBytesAfter: number;
}

interface CheckpointRow {
  readonly busy: number;
  readonly log: number;
  readonly checkpointed: number;
}

/** Runs the policy against one writer connection. */
export class WalCheckpointer {
  readonly #db: SqliteDb;
  readonly #walSize: () => number;
  readonly #policy: Required<CheckpointPolicyOptions>;
  readonly #busyTimeoutMs: number;
  #lastAt: number;
  #lastEscalationAt = -Infinity;
  #walBytesAfterLast = 0;
  #walBytes = 0;

  /** `walSize` measures the WAL file in bytes (0 when it does not exist). */
  constructor(
    db: SqliteDb,
    walSize: () => number,
    options: CheckpointPolicyOptions & { readonly busyTimeoutMs?: number } = {},
    now: number = Date.now(),
  ) {
    this.#db = db;
    this.#walSize = walSize;
    this.#policy = resolvePolicy(options);
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.#lastAt = now;
  }

  get policy(): Required<CheckpointPolicyOptions> {
    return this.#policy;
  }

  /** WAL size measured at the last commit or checkpoint. */
  get walBytes(): number {
    return this.#walBytes;
  }

  /** Checks the policy after a commit and checkpoints if it says so. */
  afterCommit(now: number = Date.now()): CheckpointResult | null {
    const walBytes = this.#walSize();
    this.#walBytes = walBytes;
    const mode = decideCheckpoint(
      {
        walBytes,
        walBytesAfterLastCheckpoint: this.#walBytesAfterLast,
        msSinceLastCheckpoint: now - this.#lastAt,
        msSinceLastEscalation: now - this.#lastEscalationAt,
      },
      this.#policy,
    );
    return mode === null ? null : this.run(mode, walBytes, now);
  }

  run(
    mode: CheckpointMode,
    walBytesBefore: number = this.#walSize(),
    now: number = Date.now(),
  ): CheckpointResult {
    if (mode === 'TRUNCATE') {
      this.#lastEscalationAt = now;
      this.#db.pragma(`busy_timeout = ${this.#policy.escalationBusyTimeoutMs}`);
    }
    let row: CheckpointRow;
    try {
      row = (this.#db.pragma(`wal_checkpoint(${mode})`) as CheckpointRow[])[0] ?? {
        busy: 0,
        log: 0,
        checkpointed: 0,
      };
    } finally {
      if (mode === 'TRUNCATE') this.#db.pragma(`busy_timeout = ${this.#busyTimeoutMs}`);
    }
    this.#lastAt = now;
    const walBytesAfter = this.#walSize();
    this.#walBytesAfterLast = walBytesAfter;
    this.#walBytes = walBytesAfter;
    return {
      mode,
      busy: row.busy !== 0 || row.checkpointed < row.log,
      walFrames: row.log,
      checkpointedFrames: row.checkpointed,
      walBytesBefore,
      walBytesAfter,
    };
  }
}
