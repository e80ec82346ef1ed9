/**
 * Registered sources for the admin page: their rows in `cuttle.sources` with the connector's
 * state, and pause/resume (sources-admin.ts). Lag per source comes from the loaders' status
 * records (GET /fleet); the page puts the two together.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { adminSecurity, errors } from '../http/openapi.ts';
import type { RouteDeps } from '../http/route-deps.ts';

type StateRequest = FastifyRequest<{ Params: { source: string }; Body: unknown }>;

export function sourceRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const tags = ['sources'];
  const security = adminSecurity;

  app.get(
    '/sources',
    {
      schema: {
        tags,
        security,
        summary:
          "Registered sources (rows of cuttle.sources) with their connector's state when EXECUTIVE_CONNECT_URL is set.",
        response: errors(401, 403, 503),
      },
    },
    async (request) => {
      deps.auth.requireAdmin(request);
      return { connect: deps.sources.connectConfigured, sources: await deps.sources.list() };
    },
  );

  app.put(
    '/sources/:source/state',
    {
      schema: {
        tags,
        security,
        summary:
          'Pause or resume a source: its row (which loaders obey) and, with Connect configured, its connector.',
        params: {
          type: 'object',
          properties: { source: { type: 'string' } },
          required: ['source'],
        },
        body: {
          type: 'object',
          properties: { state: { type: 'string', enum: ['active', 'paused'] } },
          required: ['state'],
        },
        response: errors(400, 401, 403, 404, 429, 503),
      },
    },
    async (request: StateRequest) => {
      deps.auth.requireAdmin(request);
      const body = request.body;
      const state =
        typeof body === 'object' && body !== null ? (body as { state?: unknown }).state : undefined;
      return { source: await deps.sources.setState(request.params.source, state) };
    },
  );
}
