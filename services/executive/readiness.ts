/**
 * The executive's readiness, one check for both `GET /readyz` and the `cuttle_executive_ready`
 * gauge, so the alert and a load balancer never disagree about what "ready" means.
 *
 * Ready: ctldb answers. Degraded (still ready): the limiter runs on its in-process fallback
 * (Redis down). It still admits writes within this executive's share, so taking the executive
 * out of rotation would stop writes during a Redis outage; the degradation has its own signal,
 * `cuttle_limits_fallback_active`.
 */
import type { Ctldb } from '../../lib/ctldb/dialect.ts';
import type { Limiter } from './limits/limiter.ts';

export type Readiness =
  | { readonly ready: true; readonly status: 'ready' | 'degraded'; readonly limiter?: 'fallback' }
  | {
      readonly ready: false;
      readonly status: 'unavailable';
      readonly ctldb: 'unreachable';
      readonly cause: unknown;
    };

export interface ReadinessDeps {
  readonly ctldb: Pick<Ctldb, 'ping'>;
  readonly limiter: Pick<Limiter, 'healthy'>;
}

export async function checkReadiness(deps: ReadinessDeps): Promise<Readiness> {
  try {
    await deps.ctldb.ping();
  } catch (cause) {
    return { ready: false, status: 'unavailable', ctldb: 'unreachable', cause };
  }
  if (!deps.limiter.healthy()) return { ready: true, status: 'degraded', limiter: 'fallback' };
  return { ready: true, status: 'ready' };
}
