/** Liveness, readiness, metrics and the OpenAPI document. */
import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { CuttleError } from '../../../../lib/errors.ts';
import { checkReadiness } from '../../readiness.ts';
import { errors, openSecurity } from '../openapi.ts';
import type { RouteDeps } from '../route-deps.ts';

export function healthRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get(
    '/healthz',
    {
      schema: { summary: 'Liveness: the process serves requests.', tags: ['health'], security: openSecurity },
    },
    () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary:
          'Readiness: ctldb reachable (503 if not); status degraded while the limiter runs on its fallback.',
        tags: ['health'],
        security: openSecurity,
      },
    },
    async () => {
      const readiness = await checkReadiness(deps);
      if (!readiness.ready)
        throw new CuttleError('UNAVAILABLE', 'ctldb is not reachable', {
          cause: readiness.cause,
          details: { ctldb: readiness.ctldb },
        });
      // Degraded stays ready: see services/executive/readiness.ts.
      if (readiness.status === 'degraded') return { status: 'degraded', limiter: readiness.limiter };
      return { status: 'ready' };
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        summary:
          'Prometheus metrics (open, or with EXECUTIVE_METADATA_ACCESS=token the admin or metrics token).',
        tags: ['health'],
        security: deps.auth.metadataAccess === 'open' ? openSecurity : [{ admin: [] }, { metrics: [] }],
        response: errors(401, 403),
      },
    },
    async (request, reply) => {
      deps.auth.requireMetricsReader(request);
      reply.header('content-type', deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    },
  );

  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
}
