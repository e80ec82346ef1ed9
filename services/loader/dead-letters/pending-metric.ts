/**
 * `cuttle_loader_dead_letters_pending{source}`: dead letters in the queue that no one has retried
 * or dropped yet, counted when Prometheus scrapes. Unlike `cuttle_loader_dead_letters_total`
 * (this process's count since it started), it stays above 0 until an operator acts, whichever
 * loader wrote the letter, and survives restarts: the alert "dead letters over 0" reads it.
 *
 * With BullMQ every loader reads the same shared queue and reports the same figures (alert on
 * the max). A listing that fails or does not finish within the timeout (Redis down) keeps the
 * last figures, so a scrape never hangs on it; the loader's readiness reports Redis itself.
 */
import type { DeadLetterStore } from '../../../lib/dead-letters/dead-letter.ts';
import { Gauge, type Registry } from '../../../lib/metrics.ts';

export function registerPendingDeadLettersMetric(
  registry: Registry,
  store: Pick<DeadLetterStore, 'list'>,
  options: { readonly timeoutMs?: number } = {},
): Gauge<'source'> {
  const timeoutMs = options.timeoutMs ?? 2000;
  return new Gauge({
    name: 'cuttle_loader_dead_letters_pending',
    help: 'Dead letters in the queue awaiting an operator (cuttle deadletters retry|drop), by source.',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      const counts = await countWithin(store, timeoutMs);
      if (counts === undefined) return;
      this.reset();
      for (const [source, n] of counts) this.set({ source }, n);
    },
  });
}

async function countWithin(
  store: Pick<DeadLetterStore, 'list'>,
  timeoutMs: number,
): Promise<Map<string, number> | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  const counted = store.list().then(
    (letters) => {
      const counts = new Map<string, number>();
      for (const letter of letters) counts.set(letter.source, (counts.get(letter.source) ?? 0) + 1);
      return counts;
    },
    () => undefined,
  );
  try {
    return await Promise.race([counted, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
