/**
 * The in-process limits store: the whole limiter of the embedded mode (share 1), and the fallback
 * of every executive while Redis is unreachable. In fallback each executive enforces its share of
 * every limit (rate / share, burst / share, share = the expected number of executives), so the
 * fleet together stays near the configured limits: writes neither stop nor run unbounded.
 *
 * Quotas use the sizes the executive knew last (`knownBytes`) plus what this process admitted
 * since; the same GCRA arithmetic as Redis (gcra.ts).
 */
import { gcraAll, gcraRefund, limitsNowUs, type GcraCheck } from './gcra.ts';
import type {
  CheckDecision,
  CheckRequest,
  LimitsStore,
  MeasurementSink,
  RateCheck,
  StoredTableSize,
  TableSizeView,
} from './limits-store.ts';

export interface LocalStoreOptions {
  /** Divides every rate and burst (the fallback's expected replica count). @defaultValue 1 */
  readonly share?: number;
  /** Microseconds since LIMITS_EPOCH (gcra.ts). @defaultValue this machine's clock */
  readonly nowUs?: () => number;
}

/** Forget idle keys once the map holds this many, so a fleet of one-off writers cannot grow it forever. */
const SWEEP_AT = 10_000;

export class LocalLimitsStore implements LimitsStore, MeasurementSink {
  readonly #share: number;
  readonly #nowUs: () => number;
  readonly #tats = new Map<string, number>();
  readonly #growth = new Map<string, number>();
  #sizes = new Map<string, StoredTableSize>();
  #measuring: string | undefined;

  constructor(options: LocalStoreOptions = {}) {
    this.#share = Math.max(1, options.share ?? 1);
    this.#nowUs = options.nowUs ?? limitsNowUs;
  }

  /** Forgets all state (entering a new fallback period starts from full buckets, as a restarted Redis would). */
  reset(): void {
    this.#tats.clear();
    this.#growth.clear();
  }

  refund(rates: readonly RateCheck[], nowUs?: number): Promise<void> {
    const now = nowUs ?? this.#nowUs();
    for (const rate of rates) {
      // Scaled as the check was, so what is given back is what was charged.
      const tat = gcraRefund(this.#tats.get(rate.key), now, this.#scaled(rate));
      if (tat === undefined) this.#tats.delete(rate.key);
      else this.#tats.set(rate.key, tat);
    }
    return Promise.resolve();
  }

  check(request: CheckRequest): Promise<CheckDecision> {
    const now = request.nowUs ?? this.#nowUs();
    for (const [index, size] of request.sizes.entries()) {
      if (size.maxBytes === null || !size.grows) continue;
      const bytes = (this.#sizes.get(size.field)?.ldbBytes ?? size.knownBytes) + this.#growthOf(size.field);
      if (bytes + size.addBytes > size.maxBytes) {
        return Promise.resolve({ kind: 'table-full', index, bytes });
      }
    }
    const checks = request.rates.map((r) => this.#scaled(r));
    const decision = gcraAll(
      request.rates.map((r) => this.#tats.get(r.key)),
      now,
      checks,
    );
    const fill = decision.tatsUs.map((tat) => Math.max(0, tat - now));
    if (!decision.allowed) {
      return Promise.resolve({
        kind: 'rate-limited',
        index: decision.worstIndex,
        retryAfterUs: decision.retryAfterUs,
        fill,
      });
    }
    if (this.#tats.size > SWEEP_AT) this.#sweep(now);
    request.rates.forEach((r, i) => this.#tats.set(r.key, decision.tatsUs[i] ?? now));
    for (const size of request.sizes) {
      if (size.addBytes > 0) this.#growth.set(size.field, this.#growthOf(size.field) + size.addBytes);
    }
    return Promise.resolve({ kind: 'admitted', fill });
  }

  readRateFill(keys: readonly string[]): Promise<number[]> {
    const now = this.#nowUs();
    return Promise.resolve(keys.map((k) => Math.max(0, (this.#tats.get(k) ?? now) - now)));
  }

  readSizes(): Promise<Map<string, TableSizeView>> {
    const views = new Map<string, TableSizeView>();
    for (const [field, size] of this.#sizes)
      views.set(field, { ...size, growthBytes: this.#growthOf(field) });
    return Promise.resolve(views);
  }

  beginMeasurement(token: string): Promise<boolean> {
    if (this.#measuring !== undefined) return Promise.resolve(false);
    this.#measuring = token;
    return Promise.resolve(true);
  }

  commitMeasurement(token: string, sizes: readonly StoredTableSize[]): Promise<boolean> {
    if (this.#measuring !== token) return Promise.resolve(false);
    this.#sizes = new Map(sizes.map((s) => [`${s.family}.${s.table}`, s]));
    // In-process, the measurement and the admissions do not interleave within one event-loop
    // turn, but rows admitted while the scan ran may be missing from it; keeping the counter
    // until the next measurement would double-count everything else, so it is cleared.
    this.#growth.clear();
    this.#measuring = undefined;
    return Promise.resolve(true);
  }

  abortMeasurement(token: string): Promise<void> {
    if (this.#measuring === token) this.#measuring = undefined;
    return Promise.resolve();
  }

  #scaled(check: GcraCheck): GcraCheck {
    if (this.#share === 1) return check;
    return {
      cost: check.cost,
      intervalUs: check.intervalUs * this.#share,
      burst: Math.max(1, Math.floor(check.burst / this.#share)),
    };
  }

  #growthOf(field: string): number {
    return this.#growth.get(field) ?? 0;
  }

  #sweep(now: number): void {
    for (const [key, tat] of this.#tats) if (tat <= now) this.#tats.delete(key);
  }
}
