/**
 * The executive's status record (lib/status): ready when ctldb answers, requests per second since
 * the previous report (from the HTTP request counter), and the limiter's mode.
 */
import type { Ctldb } from '../../lib/ctldb/dialect.ts';
import type { RoleReport } from '../../lib/status/record.ts';
import type { Limiter } from './limits/limiter.ts';
import type { ExecutiveMetrics } from './metrics.ts';

export interface ExecutiveReportDeps {
  readonly ctldb: Ctldb;
  readonly limiter: Limiter;
  readonly metrics: ExecutiveMetrics;
  readonly limitsMode: string;
  readonly url: string;
  readonly clock?: () => number;
}

async function requestsSoFar(metrics: ExecutiveMetrics): Promise<number> {
  const { values } = await metrics.httpRequests.get();
  return values.reduce((sum, v) => sum + v.value, 0);
}

/** A report function that remembers the previous count to turn it into a rate. */
export function executiveReport(deps: ExecutiveReportDeps): () => Promise<RoleReport> {
  const clock = deps.clock ?? Date.now;
  let previous: { at: number; requests: number } | undefined;
  return async () => {
    const now = clock();
    const requests = await requestsSoFar(deps.metrics);
    const elapsed = previous === undefined ? 0 : (now - previous.at) / 1000;
    const rate = previous === undefined || elapsed <= 0 ? 0 : (requests - previous.requests) / elapsed;
    previous = { at: now, requests };
    const reachable = await deps.ctldb.ping().then(
      () => true,
      () => false,
    );
    // A limiter on its fallback still admits writes (see /readyz), but the fleet view says so.
    const fallback = !deps.limiter.healthy();
    return {
      role: 'executive',
      ready: reachable,
      reason: reachable ? null : 'ctldb is not reachable',
      figures: {
        url: deps.url,
        requestsPerSecond: Math.max(0, Math.round(rate * 100) / 100),
        limiterMode: fallback ? 'fallback' : deps.limitsMode,
      },
    };
  };
}
