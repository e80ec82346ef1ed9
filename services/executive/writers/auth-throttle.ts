/**
 * Brute-force resistance: failed authentications are counted per writer name in a fixed window;
 * a name that failed `maxFailures` times waits until the window ends (429 AUTH_THROTTLED with
 * retry-after) before its secret is checked again. Counted in Redis when the executive has one
 * (so every executive sees every failure: adapters/redis-auth-throttle-adapter.ts), in this
 * process otherwise (the embedded mode), and in this process too while Redis is unreachable:
 * authentication never waits for Redis.
 *
 * Only checks that need scrypt are throttled. A writer whose secret this executive verified
 * recently is recognised from its cache (writer-auth.ts) without consulting the throttle, so an
 * attacker hammering a loader's name does not lock the loader out of executives it already uses.
 */

export interface AuthThrottleOptions {
  /** Failures allowed per name and window. @defaultValue 10 */
  readonly maxFailures: number;
  readonly windowMs: number;
}

export interface AuthThrottle {
  /** Milliseconds until `name` may be checked again; 0 when it may now. */
  blockedForMs(name: string): Promise<number>;
  recordFailure(name: string): Promise<void>;
  close(): Promise<void>;
}

interface Window {
  failures: number;
  readonly endsAt: number;
}

/** Names remembered at most; beyond it the oldest windows are forgotten (random names cannot fill memory). */
const MAX_NAMES = 10_000;

export class LocalAuthThrottle implements AuthThrottle {
  readonly #options: AuthThrottleOptions;
  readonly #now: () => number;
  readonly #windows = new Map<string, Window>();

  constructor(options: AuthThrottleOptions, now: () => number = Date.now) {
    this.#options = options;
    this.#now = now;
  }

  blockedForMs(name: string): Promise<number> {
    const window = this.#current(name);
    const blocked = window !== undefined && window.failures >= this.#options.maxFailures;
    return Promise.resolve(blocked ? window.endsAt - this.#now() : 0);
  }

  recordFailure(name: string): Promise<void> {
    const window = this.#current(name);
    if (window !== undefined) window.failures++;
    else {
      if (this.#windows.size >= MAX_NAMES) this.#forgetOldest();
      this.#windows.set(name, { failures: 1, endsAt: this.#now() + this.#options.windowMs });
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#windows.clear();
    return Promise.resolve();
  }

  #current(name: string): Window | undefined {
    const window = this.#windows.get(name);
    if (window === undefined || window.endsAt > this.#now()) return window;
    this.#windows.delete(name);
    return undefined;
  }

  #forgetOldest(): void {
    const now = this.#now();
    for (const [name, window] of this.#windows) if (window.endsAt <= now) this.#windows.delete(name);
    // Insertion order is age order: drop the oldest tenth when nothing had expired.
    if (this.#windows.size < MAX_NAMES) return;
    let drop = Math.ceil(MAX_NAMES / 10);
    for (const name of this.#windows.keys()) {
      if (drop-- <= 0) break;
      this.#windows.delete(name);
    }
  }
}

/** A shared throttle that may be unreachable: its failures fall back to a local one. */
export interface SharedAuthCounter {
  /** Failures counted for the name in its current window, and the ms left in it. */
  read(name: string): Promise<{ failures: number; remainingMs: number }>;
  increment(name: string, windowMs: number): Promise<void>;
  close(): Promise<void>;
}

export class SharedAuthThrottle implements AuthThrottle {
  readonly #counter: SharedAuthCounter;
  readonly #options: AuthThrottleOptions;
  readonly #local: LocalAuthThrottle;

  constructor(counter: SharedAuthCounter, options: AuthThrottleOptions) {
    this.#counter = counter;
    this.#options = options;
    this.#local = new LocalAuthThrottle(options);
  }

  async blockedForMs(name: string): Promise<number> {
    const local = await this.#local.blockedForMs(name);
    try {
      const { failures, remainingMs } = await this.#counter.read(name);
      return Math.max(local, failures >= this.#options.maxFailures ? remainingMs : 0);
    } catch {
      return local;
    }
  }

  async recordFailure(name: string): Promise<void> {
    // Counted locally as well: the fallback while Redis is unreachable.
    await this.#local.recordFailure(name);
    await this.#counter.increment(name, this.#options.windowMs).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.#local.close();
    await this.#counter.close();
  }
}
