/** Liveness, readiness, metrics and the OpenAPI document. */
import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { CuttleError } from '../../../../lib/errors.ts';
import type { RouteDeps } from '../route-deps.ts';

export function healthRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get(
    '/healthz',
    { schema: { summary: 'Liveness: the process serves requests.', tags: ['health'] } },
    () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    { schema: { summary: 'Readiness: ctldb reachable and the limiter healthy.', tags: ['health'] } },
    async () => {
      try {
        await deps.ctldb.ping();
      } catch (err) {
        throw new CuttleError('UNAVAILABLE', 'ctldb is not reachable', {
          cause: err,
          details: { ctldb: 'unreachable' },
        });
      }
      if (!deps.limiter.healthy())
        throw new CuttleError('UNAVAILABLE', 'the limiter is unhealthy', {
          details: { limiter: 'unhealthy' },
        });
      return { status: 'ready' };
    },
  );

  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics.', tags: ['health'] } },
    async (_request, reply) => {
      reply.header('content-type', deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    },
  );

  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
}
