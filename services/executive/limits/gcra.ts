/**
 * GCRA (generic cell rate algorithm), the smooth rate limit behind every per-writer and per-table
 * limit. It keeps one number per limited key, the theoretical arrival time (TAT): the moment at
 * which the key's bucket would be empty again if nothing else arrived.
 *
 * With an emission interval T (= 1 / rate) and a burst B, a request of `cost` mutations arriving
 * at `now` is admitted when `max(tat, now) + cost·T − B·T <= now`, and then moves the TAT to
 * `max(tat, now) + cost·T`. Idle keys accumulate at most B mutations of credit, so over any window
 * W a key admits at most `B + rate·W` mutations, with no fixed-window edges (ctlstore counted in
 * fixed one-minute buckets, so 2× the limit could pass around a bucket boundary).
 *
 * A request larger than the burst could never pass that test; rather than refuse it forever
 * (limits delay writes, they never drop them) it is admitted when the bucket is full, and it is
 * charged the burst, not its size: it empties the bucket but leaves no debt. A charge beyond the
 * burst would lock the key out for cost/burst periods (10,000 mutations at 1 per day: 27 years),
 * so the charge of one request is capped at the burst and, with the period at most a day
 * (settings.ts), no retry-after exceeds a day. The price: a writer whose batches exceed its
 * burst passes one batch per period, more than `rate` mutations per second on average; give
 * writers a burst at least as large as their batches.
 *
 * Times are microseconds since LIMITS_EPOCH (2020-01-01), not since 1970: a double then resolves
 * 1/16 µs (until 2039) instead of 1/4 µs, so TATs are stored unrounded and the rounding of
 * fractional intervals (1e6 / rate) stays below 0.1 % up to 30 000 mutations/s (unit-tested).
 *
 * This file is the reference for the admit script in redis-scripts.ts, which implements the same
 * arithmetic operation for operation so that the in-process fallback and Redis decide alike; an
 * integration test compares the two step by step.
 */

/** Seconds from 1970 to 2020-01-01T00:00:00Z: the origin of every limits timestamp. */
export const LIMITS_EPOCH_S = 1_577_836_800;

/** Microseconds since LIMITS_EPOCH on this machine's clock (the in-process limiter's clock). */
export function limitsNowUs(): number {
  return (performance.timeOrigin + performance.now() - LIMITS_EPOCH_S * 1000) * 1000;
}

export interface GcraLimit {
  /** Microseconds between two mutations at the sustained rate (1e6 / mutations per second). */
  readonly intervalUs: number;
  /** Mutations that may pass at once after an idle period. At least 1. */
  readonly burst: number;
}

export interface GcraCheck extends GcraLimit {
  /** Mutations this request would consume from the key. At least 1. */
  readonly cost: number;
}

export interface GcraStep {
  readonly allowed: boolean;
  /** The key's TAT after the step (unchanged when refused). */
  readonly tatUs: number;
  /** When refused: microseconds until the same request would pass; 0 when allowed. */
  readonly retryAfterUs: number;
}

export interface GcraDecision {
  readonly allowed: boolean;
  /** Per check: the TAT to store when allowed, the current TAT when refused. */
  readonly tatsUs: readonly number[];
  /** Index of the check with the longest wait (-1 when allowed). */
  readonly worstIndex: number;
  readonly retryAfterUs: number;
}

export function limitFromRate(perSecond: number, burst: number): GcraLimit {
  return { intervalUs: 1e6 / perSecond, burst: Math.max(1, burst) };
}

/** One key: the decision, without side effects. `tatUs` is undefined for a key never seen (or expired). */
/** What a request is charged: its cost, but never more than a full bucket (see above). */
export function chargeOf(check: GcraCheck): number {
  return Math.min(check.cost, check.burst);
}

export function gcraStep(tatUs: number | undefined, nowUs: number, check: GcraCheck): GcraStep {
  const base = tatUs === undefined || tatUs < nowUs ? nowUs : tatUs;
  const newTat = base + chargeOf(check) * check.intervalUs;
  // An oversized request is charged the burst, so it waits for a full bucket (base === now).
  const allowAt = newTat - check.burst * check.intervalUs;
  if (nowUs < allowAt) {
    return { allowed: false, tatUs: base, retryAfterUs: Math.ceil(allowAt - nowUs) };
  }
  return { allowed: true, tatUs: newTat, retryAfterUs: 0 };
}

/**
 * Several keys, all or nothing: the request passes only if every key admits it; otherwise no key
 * is charged and the longest wait is reported (waiting less would only be refused again).
 */
export function gcraAll(
  tatsUs: readonly (number | undefined)[],
  nowUs: number,
  checks: readonly GcraCheck[],
): GcraDecision {
  const steps = checks.map((check, i) => gcraStep(tatsUs[i], nowUs, check));
  let worstIndex = -1;
  let retryAfterUs = 0;
  steps.forEach((step, i) => {
    if (!step.allowed && step.retryAfterUs > retryAfterUs) {
      worstIndex = i;
      retryAfterUs = step.retryAfterUs;
    }
  });
  const allowed = worstIndex === -1;
  return {
    allowed,
    tatsUs: steps.map((step, i) => (allowed ? step.tatUs : (tatsUs[i] ?? nowUs))),
    worstIndex,
    retryAfterUs,
  };
}

/**
 * Gives back a charge (chargeOf: the cost, at most the burst) (a request admitted but then not applied: a duplicate,
 * an offset conflict, a failed transaction). The TAT moves back by what the charge moved it
 * forward, but never before `now`: credit cannot exceed a full bucket. Undefined: the key is idle.
 */
export function gcraRefund(tatUs: number | undefined, nowUs: number, check: GcraCheck): number | undefined {
  if (tatUs === undefined) return undefined;
  const refunded = tatUs - chargeOf(check) * check.intervalUs;
  return refunded > nowUs ? refunded : undefined;
}

/** How much of the burst a key has used at `now`: 0 = idle, 1 = no credit left (> 1 when in debt). */
export function burstUsed(tatUs: number | undefined, nowUs: number, limit: GcraLimit): number {
  if (tatUs === undefined || tatUs <= nowUs) return 0;
  return (tatUs - nowUs) / (limit.burst * limit.intervalUs);
}
