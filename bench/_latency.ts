/** Small statistics helpers shared by the reader and reflector benchmarks. */

export function percentile(sorted: Float64Array | readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface LatencySummary {
  /** Microseconds. */
  readonly p50: number;
  readonly p99: number;
  /** Calls per second over the whole timed loop. */
  readonly perSecond: number;
}

/** Times `op` for each of `samples` calls, sequentially; returns p50/p99 in µs. */
export function timeSync(samples: number, op: (i: number) => unknown): LatencySummary {
  const lat = new Float64Array(samples);
  const started = process.hrtime.bigint();
  for (let i = 0; i < samples; i++) {
    const t = process.hrtime.bigint();
    op(i);
    lat[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  lat.sort();
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), perSecond: samples / seconds };
}

export async function timeAsync(
  samples: number,
  op: (i: number) => Promise<unknown>,
): Promise<LatencySummary> {
  const lat = new Float64Array(samples);
  const started = process.hrtime.bigint();
  for (let i = 0; i < samples; i++) {
    const t = process.hrtime.bigint();
    await op(i);
    lat[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  lat.sort();
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), perSecond: samples / seconds };
}

/** Medians of p50 and p99 over repetitions. */
export function medianSummary(reps: readonly LatencySummary[]): LatencySummary {
  return {
    p50: median(reps.map((r) => r.p50)),
    p99: median(reps.map((r) => r.p99)),
    perSecond: median(reps.map((r) => r.perSecond)),
  };
}

/** A deterministic pseudo-random sequence (so every run asks for the same keys). */
export function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
