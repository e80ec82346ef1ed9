/**
 * How much each process's RSS grew after warm-up: the median of the last third of the minutes
 * after warm-up against the median of the first third. One minute is a poor baseline: V8 shrinks
 * and grows its heap with each garbage collection (executive-2 read 140, 121, 130, 119 and 113 MiB
 * in the first five minutes of the soak of 2026-12-06), so a single low sample at the end of
 * warm-up reads as growth. A leak still shows: its last third stands above its first.
 */
import { median } from './stats.ts';

export interface RssSample {
  readonly minute: number;
  readonly rssMiB: Readonly<Record<string, number>>;
}

/** Growth per process, as text like "1.4%", from the samples at or after `warmupMinutes`. */
export function rssGrowth(samples: readonly RssSample[], warmupMinutes: number): Record<string, string> {
  const after = samples.filter((s) => s.minute >= warmupMinutes);
  const third = Math.max(1, Math.floor(after.length / 3));
  const first = after.slice(0, third);
  const last = after.slice(-third);
  const out: Record<string, string> = {};
  for (const id of Object.keys(after.at(-1)?.rssMiB ?? {})) {
    const start = median(known(first, id));
    const end = median(known(last, id));
    if (start !== null && end !== null && start > 0)
      out[id] = `${(((end - start) / start) * 100).toFixed(1)}%`;
  }
  return out;
}

function known(samples: readonly RssSample[], id: string): number[] {
  return samples.map((s) => s.rssMiB[id]).filter((v): v is number => v !== undefined);
}
