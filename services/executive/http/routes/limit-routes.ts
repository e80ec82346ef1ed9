/** Limit settings (stored here, enforced by the limits engine). Admin only. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { adminSecurity, errors, tableParams } from '../openapi.ts';
import type { RouteDeps } from '../route-deps.ts';

type WriterRequest = FastifyRequest<{ Params: { writer: string } }>;
type TableRequest = FastifyRequest<{ Params: { family: string; table: string } }>;

const writerParams = {
  type: 'object',
  properties: { writer: { type: 'string' } },
  required: ['writer'],
} as const;
const positive = { type: 'integer', minimum: 1 } as const;

export function limitRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { auth, limitSettings } = deps;
  const tags = ['limits'];
  const security = adminSecurity;

  app.get(
    '/limits',
    { schema: { tags, summary: 'All writer and table limit settings.', security } },
    (request) => {
      auth.requireAdmin(request);
      return limitSettings.list();
    },
  );

  app.put(
    '/limits/writers/:writer',
    {
      schema: {
        tags,
        summary: "Set a writer's rate limit: at most rateAmount mutations per ratePeriodMs.",
        params: writerParams,
        security,
        body: {
          type: 'object',
          properties: { rateAmount: positive, ratePeriodMs: positive },
          required: ['rateAmount', 'ratePeriodMs'],
        },
        response: errors(400, 401, 403, 404),
      },
    },
    (request: WriterRequest) => {
      auth.requireAdmin(request);
      return limitSettings.setWriterLimit(request.params.writer, request.body);
    },
  );

  app.delete(
    '/limits/writers/:writer',
    { schema: { tags, summary: "Remove a writer's own rate limit.", params: writerParams, security } },
    async (request: WriterRequest) => {
      auth.requireAdmin(request);
      await limitSettings.deleteWriterLimit(request.params.writer);
      return { deleted: true };
    },
  );

  app.put(
    '/limits/tables/:family/:table',
    {
      schema: {
        tags,
        summary: "Set a table's rate limit and size quotas (warnBytes soft, maxBytes hard).",
        params: tableParams,
        security,
        body: {
          type: 'object',
          properties: {
            rateAmount: positive,
            ratePeriodMs: positive,
            warnBytes: positive,
            maxBytes: positive,
          },
        },
        response: errors(400, 401, 403, 404),
      },
    },
    (request: TableRequest) => {
      auth.requireAdmin(request);
      return limitSettings.setTableLimit(request.params.family, request.params.table, request.body);
    },
  );

  app.delete(
    '/limits/tables/:family/:table',
    { schema: { tags, summary: "Remove a table's own limits.", params: tableParams, security } },
    async (request: TableRequest) => {
      auth.requireAdmin(request);
      await limitSettings.deleteTableLimit(request.params.family, request.params.table);
      return { deleted: true };
    },
  );
}
