/**
 * Every executive holds the limit settings in memory and swaps them as a whole on reload. A change
 * made through any executive is announced on Redis pub/sub and reloaded at once everywhere; a poll
 * every second is the safety net for a lost announcement (pub/sub is fire-and-forget, and Redis may
 * be down), so a change applies on every executive within about a second either way.
 */
import { ensureError } from '../../../lib/errors.ts';
import type { Logger } from '../../../lib/logging.ts';
import { EffectiveLimits, type LimitDefaults, type LimitSettingsSource } from './settings.ts';

export interface SettingsCacheOptions {
  readonly source: LimitSettingsSource;
  readonly defaults: LimitDefaults;
  /** @defaultValue 1000 */
  readonly pollMs?: number;
  readonly log: Logger;
  /** Called after every failed reload (the last good settings stay in force). */
  readonly onReloadFailed?: (err: Error) => void;
}

export class SettingsCache {
  readonly #options: SettingsCacheOptions;
  #current: EffectiveLimits;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #again = false;
  #loadedAtMs = 0;

  constructor(options: SettingsCacheOptions) {
    this.#options = options;
    this.#current = new EffectiveLimits(options.defaults, { writers: [], tables: [] });
  }

  get current(): EffectiveLimits {
    return this.#current;
  }

  /** Milliseconds since the epoch of the last successful load (0 before the first). */
  get loadedAtMs(): number {
    return this.#loadedAtMs;
  }

  /** The first load must succeed: an executive that cannot read its limits does not start. */
  async start(): Promise<void> {
    await this.#load();
    this.#timer = setInterval(() => void this.refresh(), this.#options.pollMs ?? 1000);
    this.#timer.unref();
  }

  stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    return this.#inFlight ?? Promise.resolve();
  }

  /**
   * Reloads now. Calls arriving during a reload coalesce into one more reload after it, so a
   * change announced mid-load is never missed and a burst of announcements costs two loads.
   */
  refresh(): Promise<void> {
    if (this.#inFlight !== undefined) {
      this.#again = true;
      return this.#inFlight;
    }
    this.#inFlight = this.#loop().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      try {
        await this.#load();
      } catch (err) {
        const error = ensureError(err);
        this.#options.log.warn(
          { err: error },
          'limit settings reload failed; keeping the last good settings',
        );
        this.#options.onReloadFailed?.(error);
      }
    } while (this.#again);
  }

  async #load(): Promise<void> {
    const overrides = await this.#options.source.load();
    this.#current = new EffectiveLimits(this.#options.defaults, overrides);
    this.#loadedAtMs = Date.now();
  }
}
