/**
 * `cuttle_executive_ready`: 1 while the executive is ready (the same check as `GET /readyz`), 0
 * while it is not. Computed when Prometheus scrapes; a check that does not finish within the
 * timeout (a hung ctldb connection) counts as not ready, so a scrape never hangs on it.
 */
import { Gauge, type Registry } from '../../lib/metrics.ts';
import { checkReadiness, type ReadinessDeps } from './readiness.ts';

export const READY_METRIC = 'cuttle_executive_ready';

export function registerReadinessMetric(
  registry: Registry,
  deps: ReadinessDeps,
  options: { readonly timeoutMs?: number } = {},
): Gauge {
  const timeoutMs = options.timeoutMs ?? 2000;
  return new Gauge({
    name: READY_METRIC,
    help: '1 when the executive is ready (ctldb reachable; a limiter on its fallback still counts as ready), 0 when not.',
    registers: [registry],
    async collect() {
      this.set((await readyWithin(deps, timeoutMs)) ? 1 : 0);
    },
  });
}

async function readyWithin(deps: ReadinessDeps, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([checkReadiness(deps).then((r) => r.ready), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
