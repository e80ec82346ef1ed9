/**
 * Publishes this process's status record every `intervalMs`, live for `ttlMs` (three intervals
 * by default, so one late or lost write does not make a healthy process look gone). On stop the
 * record is removed, so a graceful stop shows as stopped rather than gone.
 */
import { hostname } from 'node:os';
import { ensureError } from '../errors.ts';
import type { Service } from '../lifecycle.ts';
import type { Logger } from '../logging.ts';
import type { RoleReport, StatusRecord } from './record.ts';
import type { StatusSink } from './store.ts';
import { CUTTLE_VERSION } from './version.ts';

export interface PublisherOptions {
  /** @defaultValue 2000 */
  readonly intervalMs?: number;
  /** @defaultValue 3 × intervalMs */
  readonly ttlMs?: number;
  /** @defaultValue `<host>:<pid>`, with `/2`, `/3`… for further publishers of the same role in this process */
  readonly id?: string;
}

export interface PublisherDeps {
  readonly sink: StatusSink;
  /** The role's readiness and figures, asked once per interval. */
  readonly report: () => RoleReport | Promise<RoleReport>;
  readonly log: Logger;
  readonly clock?: () => number;
}

/** Publishers per role in this process, so that two of one role (tests, benches) get distinct ids. */
const perRole = new Map<string, number>();

function defaultId(role: string): string {
  const n = (perRole.get(role) ?? 0) + 1;
  perRole.set(role, n);
  const id = `${hostname()}:${process.pid}`;
  return n === 1 ? id : `${id}/${n}`;
}

export class StatusPublisher implements Service {
  readonly name = 'status-publisher';
  readonly #id: string | undefined;
  #assignedId: string | undefined;
  readonly #deps: PublisherDeps;
  readonly #intervalMs: number;
  readonly #ttlMs: number;
  readonly #clock: () => number;
  readonly #startedAt: string;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> = Promise.resolve();
  #last: StatusRecord | undefined;
  #failing = false;

  constructor(deps: PublisherDeps, options: PublisherOptions = {}) {
    this.#deps = deps;
    this.#intervalMs = options.intervalMs ?? 2000;
    this.#ttlMs = options.ttlMs ?? 3 * this.#intervalMs;
    this.#clock = deps.clock ?? Date.now;
    this.#id = options.id;
    this.#startedAt = new Date(this.#clock()).toISOString();
  }

  /** Publishes once now (not waiting for the sink), then every interval. */
  start(): Promise<void> {
    if (this.#timer !== undefined) return Promise.resolve();
    this.#tick();
    this.#timer = setInterval(() => this.#tick(), this.#intervalMs);
    this.#timer.unref();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
    const last = this.#last;
    if (last === undefined) return;
    await this.#deps.sink.remove(last, this.#clock()).catch((err: unknown) => {
      this.#deps.log.warn({ err: ensureError(err) }, 'status: could not remove the record on stop');
    });
  }

  /** The configured id, else `<host>:<pid>` (`/2`, `/3`… for more of one role); set at the first report. */
  get id(): string | undefined {
    return this.#id ?? this.#assignedId;
  }

  /** Builds the record from the role's report now. */
  async record(): Promise<StatusRecord> {
    const report = await this.#deps.report();
    this.#assignedId ??= this.#id ?? defaultId(report.role);
    return {
      ...report,
      id: this.#assignedId,
      host: hostname(),
      pid: process.pid,
      version: CUTTLE_VERSION,
      startedAt: this.#startedAt,
      publishedAt: new Date(this.#clock()).toISOString(),
      ttlMs: this.#ttlMs,
    };
  }

  #tick(): void {
    // One write at a time: a slow Redis must not pile up writes.
    this.#inFlight = this.#inFlight.then(() => this.#publish());
  }

  async #publish(): Promise<void> {
    try {
      const record = await this.record();
      await this.#deps.sink.put(record);
      this.#last = record;
      if (this.#failing) this.#deps.log.info('status: publishing again');
      this.#failing = false;
    } catch (err) {
      // Logged once per outage, not every interval.
      if (!this.#failing) this.#deps.log.warn({ err: ensureError(err) }, 'status: publish failed');
      this.#failing = true;
    }
  }
}
