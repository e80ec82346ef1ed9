/**
 * A small service lifecycle. A service is anything with `start()` and `stop()`; a `ServiceGroup`
 * starts its members in order and stops them in reverse order, so a consumer is stopped before the
 * pool it writes to. `runUntilSignal` wires SIGTERM/SIGINT to a graceful stop with a deadline.
 */
import type { Logger } from './logging.ts';

export interface Service {
  readonly name: string;
  /** Resolves once the service is ready to do its work (long loops keep running in the background). */
  start(): Promise<void>;
  /** Drains and releases everything the service holds. Must be safe to call twice. */
  stop(): Promise<void>;
}

export class ServiceGroup {
  readonly #services: Service[] = [];
  readonly #started: Service[] = [];
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  add<S extends Service>(service: S): S {
    this.#services.push(service);
    return service;
  }

  async start(): Promise<void> {
    for (const service of this.#services) {
      this.#log.debug({ component: service.name }, 'starting');
      await service.start();
      this.#started.push(service);
    }
  }

  /** Stops in reverse order; one failing stop does not prevent the others. */
  async stop(): Promise<void> {
    const errors: unknown[] = [];
    while (this.#started.length > 0) {
      const service = this.#started.pop();
      if (service === undefined) break;
      try {
        await service.stop();
        this.#log.debug({ component: service.name }, 'stopped');
      } catch (err) {
        this.#log.error({ component: service.name, err }, 'stop failed');
        errors.push(err);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'some services failed to stop');
  }
}

/**
 * What a composition (an app, the embedded mode) opened, closed in reverse order: a server before
 * the pool it queries. Closing is idempotent and never throws: a failing close is logged and the
 * rest still close. Used on success (close()) and when start-up fails half-way.
 */
export class Closer {
  readonly #closes: (() => unknown)[] = [];
  readonly #log: Logger;
  #closing: Promise<void> | undefined;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Closes `close` with the rest; returns nothing so that it reads as a statement. */
  add(close: () => unknown): void {
    this.#closes.push(close);
  }

  close(): Promise<void> {
    this.#closing ??= this.#closeAll();
    return this.#closing;
  }

  async #closeAll(): Promise<void> {
    for (let close = this.#closes.pop(); close !== undefined; close = this.#closes.pop()) {
      try {
        await close();
      } catch (err) {
        this.#log.warn({ err }, 'close failed');
      }
    }
  }
}

/** Turns a function pair into a Service. */
export function service(name: string, start: () => Promise<void>, stop: () => Promise<void>): Service {
  return { name, start, stop };
}

export interface SignalOptions {
  /** Hard deadline for a graceful stop, after which the process exits non-zero. @defaultValue 25000 */
  readonly stopTimeoutMs?: number;
  readonly signals?: readonly NodeJS.Signals[];
}

/**
 * Starts the group and stops it on the first SIGTERM or SIGINT. A second signal, or a stop that
 * overruns its deadline, exits at once with status 1.
 */
export async function runUntilSignal(
  group: ServiceGroup,
  log: Logger,
  options: SignalOptions = {},
): Promise<void> {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const timeout = options.stopTimeoutMs ?? 25_000;
  await group.start();
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        log.warn({ signal }, 'second signal, exiting now');
        process.exit(1);
      }
      stopping = true;
      log.info({ signal }, 'stopping');
      const deadline = setTimeout(() => {
        log.error({ timeoutMs: timeout }, 'graceful stop overran its deadline');
        process.exit(1);
      }, timeout);
      deadline.unref();
      group.stop().then(
        () => {
          clearTimeout(deadline);
          for (const s of signals) process.off(s, onSignal);
          resolve();
        },
        (err: unknown) => {
          log.error({ err }, 'stop failed');
          process.exitCode = 1;
          resolve();
        },
      );
    };
    for (const s of signals) process.on(s, onSignal);
  });
}

/** Resolves after `ms`, or early (without throwing) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Exponential backoff with full jitter: attempt 0 -> up to base, doubling to max. */
export function backoffMs(
  attempt: number,
  baseMs = 100,
  maxMs = 10_000,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** `interval` ± `coefficient` (uniform), so a fleet of pollers does not synchronise. */
export function jitter(intervalMs: number, coefficient: number, random: () => number = Math.random): number {
  return Math.max(0, Math.round(intervalMs * (1 + coefficient * (2 * random() - 1))));
}
