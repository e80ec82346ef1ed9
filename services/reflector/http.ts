/**
 * The reflector's HTTP endpoint: liveness, readiness ("caught up"), status, Prometheus metrics,
 * and (optionally) the sidecar read API. Errors are JSON with a stable code (lib/errors.ts).
 */
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify';
import { CuttleError, isCuttleError } from '../../lib/errors.ts';
import type { FollowerStatus } from '../../lib/ldb/follower.ts';
import type { Logger } from '../../lib/logging.ts';
import type { Registry } from '../../lib/metrics.ts';

export interface HttpDeps {
  readonly status: () => FollowerStatus;
  readonly registry: Registry;
  readonly log: Logger;
}

function jsonStatus(status: FollowerStatus): Record<string, unknown> {
  return {
    ...status,
    stalenessSeconds: Number.isFinite(status.stalenessSeconds) ? status.stalenessSeconds : null,
  };
}

export function buildHttp(deps: HttpDeps): FastifyInstance {
  // Typed as fastify's base logger so the instance keeps the default FastifyInstance type.
  const logger: FastifyBaseLogger = deps.log;
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.setErrorHandler((err: FastifyError | CuttleError, _request, reply) => {
    if (isCuttleError(err)) return reply.code(err.status).send(err.toJSON());
    const status = err.statusCode ?? 500;
    const error = new CuttleError(status < 500 ? 'BAD_REQUEST' : 'INTERNAL', err.message);
    if (status >= 500) deps.log.error({ err }, 'request failed');
    return reply.code(status < 500 ? status : 500).send(error.toJSON());
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(new CuttleError('NOT_FOUND', `no route ${request.method} ${request.url}`).toJSON()),
  );

  // Liveness: the process is up and its follow loop has not stopped on a fault (gap, bad ledger).
  app.get('/health', (_request, reply) => {
    const status = deps.status();
    return reply.code(status.state === 'failed' ? 503 : 200).send(jsonStatus(status));
  });
  // Readiness: caught up with the ledger head of the last poll, staleness under the bound.
  app.get('/ready', (_request, reply) => {
    const status = deps.status();
    return reply.code(status.caughtUp ? 200 : 503).send(jsonStatus(status));
  });
  app.get('/status', () => jsonStatus(deps.status()));
  app.get('/metrics', async (_request, reply) => {
    const text = await deps.registry.metrics();
    return reply.type(deps.registry.contentType).send(text);
  });
  return app;
}
