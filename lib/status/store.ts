/**
 * Where status records go and where the fleet view reads them: Redis for a deployed fleet
 * (redis-status-adapter.ts), in process for the embedded mode (InProcessStatusStore below).
 *
 * A live record lapses `ttlMs` after it was written unless its process writes it again. A store
 * also remembers the last record of every process (without a TTL) so that the fleet view can show
 * a process whose record lapsed as gone, and one that stopped gracefully as stopped, for a while.
 */
import type { StatusRecord } from './record.ts';

/** live: its record has not lapsed; gone: it stopped publishing; stopped: it said goodbye. */
export type ProcessState = 'live' | 'gone' | 'stopped';

export interface SeenProcess {
  readonly state: ProcessState;
  /** The newest record it published. */
  readonly record: StatusRecord;
  /** When it stopped gracefully (ms since the epoch), else null. */
  readonly stoppedAt: number | null;
}

export interface StatusSink {
  /** Writes the record, live for `record.ttlMs`. */
  put(record: StatusRecord): Promise<void>;
  /** A graceful stop: the record is no longer live and the process is remembered as stopped. */
  remove(record: StatusRecord, stoppedAt: number): Promise<void>;
}

export interface StatusSource {
  /**
   * Every live process, and every gone or stopped one last seen less than `retentionMs` before
   * `now` (older ones are forgotten).
   */
  list(retentionMs: number, now: number): Promise<SeenProcess[]>;
}

export interface StatusStore extends StatusSink, StatusSource {
  close(): Promise<void>;
}

export const statusKey = (record: Pick<StatusRecord, 'role' | 'id'>): string => `${record.role}:${record.id}`;

/** Last seen: the publication time of its newest record (or its graceful stop). */
export function lastSeenAt(process: Pick<SeenProcess, 'record' | 'stoppedAt'>): number {
  return process.stoppedAt ?? Date.parse(process.record.publishedAt);
}

interface Held {
  record: StatusRecord;
  expiresAt: number;
  stoppedAt: number | null;
}

/** The embedded mode's store: one per process, shared by the components composed in it. */
export class InProcessStatusStore implements StatusStore {
  readonly #held = new Map<string, Held>();
  readonly #clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.#clock = clock;
  }

  put(record: StatusRecord): Promise<void> {
    const expiresAt = this.#clock() + record.ttlMs;
    this.#held.set(statusKey(record), { record, expiresAt, stoppedAt: null });
    return Promise.resolve();
  }

  remove(record: StatusRecord, stoppedAt: number): Promise<void> {
    this.#held.set(statusKey(record), { record, expiresAt: 0, stoppedAt });
    return Promise.resolve();
  }

  list(retentionMs: number, now: number): Promise<SeenProcess[]> {
    const seen: SeenProcess[] = [];
    for (const [key, held] of this.#held) {
      const state = held.stoppedAt !== null ? 'stopped' : held.expiresAt > this.#clock() ? 'live' : 'gone';
      const process = { state, record: held.record, stoppedAt: held.stoppedAt } as const;
      if (state !== 'live' && lastSeenAt(process) < now - retentionMs) this.#held.delete(key);
      else seen.push(process);
    }
    return Promise.resolve(seen);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
