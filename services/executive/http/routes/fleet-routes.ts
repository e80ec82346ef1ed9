/** `GET /fleet`: every cuttle process's status record and the fleet summary (lib/status). Admin only. */
import type { FastifyInstance } from 'fastify';
import { readFleet } from '../../../../lib/status/fleet.ts';
import { adminSecurity, errors } from '../openapi.ts';
import type { RouteDeps } from '../route-deps.ts';

const fleetResponse = {
  type: 'object',
  description: 'Processes seen in the last 10 minutes (live, gone or stopped) and the summary.',
  properties: {
    generatedAt: { type: 'string' },
    summary: {
      type: 'object',
      properties: {
        status: { type: 'string', enum: ['healthy', 'degraded', 'failing'] },
        reasons: { type: 'array', items: { type: 'string' } },
      },
    },
    processes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          state: { type: 'string', enum: ['live', 'gone', 'stopped'] },
          lastSeenAt: { type: 'string' },
          record: {
            type: 'object',
            description:
              'id, role, host, pid, version, startedAt, publishedAt, ttlMs, ready, reason, and figures of the role.',
            additionalProperties: true,
          },
        },
      },
    },
  },
} as const;

export function fleetRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get(
    '/fleet',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Status of every executive, loader, reflector and supervisor, with a summary line.',
        security: adminSecurity,
        response: { 200: fleetResponse, ...errors(401, 403, 503) },
      },
    },
    async (request) => {
      deps.auth.requireAdmin(request);
      return readFleet(deps.fleet);
    },
  );
}
