/** Writers: register (with a scope), rotate the secret, change the scope, read stored offsets. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CuttleError } from '../../../../lib/errors.ts';
import { adminOrWriterSecurity, adminSecurity, errors } from '../openapi.ts';
import type { RouteDeps } from '../route-deps.ts';

type WriterRequest = FastifyRequest<{ Params: { writer: string } }>;

const writerParams = {
  type: 'object',
  properties: { writer: { type: 'string' } },
  required: ['writer'],
} as const;
const secret = { type: 'string', minLength: 8, maxLength: 256 } as const;
const scopeProperties = {
  families: {
    type: 'array',
    items: { type: 'string' },
    description: 'The families the writer may write and read.',
  },
  global: {
    type: 'boolean',
    enum: [true],
    description: 'A writer of every family (ctlstore-style); must be asked for explicitly.',
  },
} as const;
const scopeSchema = {
  oneOf: [
    { type: 'object', properties: { families: scopeProperties.families }, required: ['families'] },
    { type: 'object', properties: { global: scopeProperties.global }, required: ['global'] },
  ],
} as const;

export function writerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { auth, writers } = deps;
  const tags = ['writers'];

  app.get(
    '/writers',
    {
      schema: {
        tags,
        summary: 'List writers with their scopes.',
        security: adminSecurity,
        response: errors(401, 403),
      },
    },
    async (request) => {
      auth.requireAdmin(request);
      return { writers: await writers.list() };
    },
  );

  app.post(
    '/writers/:writer',
    {
      schema: {
        tags,
        summary:
          'Register a writer with its scope: "families" or "global": true (the same name, secret and scope again is a no-op).',
        params: writerParams,
        body: {
          type: 'object',
          properties: { secret, ...scopeProperties },
          required: ['secret'],
        },
        security: adminSecurity,
        response: errors(400, 401, 403, 409),
      },
    },
    async (request: WriterRequest, reply) => {
      auth.requireAdmin(request);
      const { created, scope } = await writers.register(request.params.writer, request.body);
      reply.status(created ? 201 : 200);
      return { writer: request.params.writer, created, scope };
    },
  );

  app.delete(
    '/writers/:writer',
    {
      schema: {
        tags,
        summary:
          'Remove a writer with its scope, limit override and stored offsets (its ledger entries stay); it is refused on every executive within 5 s.',
        params: writerParams,
        security: adminSecurity,
        response: errors(400, 401, 403, 404),
      },
    },
    async (request: WriterRequest) => {
      auth.requireAdmin(request);
      await writers.remove(request.params.writer);
      return { writer: request.params.writer, removed: true };
    },
  );

  app.post(
    '/writers/:writer/rotate',
    {
      schema: {
        tags,
        summary: "Replace a writer's secret.",
        params: writerParams,
        body: { type: 'object', properties: { secret }, required: ['secret'] },
        security: adminSecurity,
        response: errors(400, 401, 403, 404),
      },
    },
    async (request: WriterRequest) => {
      auth.requireAdmin(request);
      await writers.rotate(request.params.writer, request.body);
      return { writer: request.params.writer, rotated: true };
    },
  );

  app.put(
    '/writers/:writer/scope',
    {
      schema: {
        tags,
        summary: "Replace a writer's scope (applies on every executive within 5 s).",
        params: writerParams,
        body: scopeSchema,
        security: adminSecurity,
        response: errors(400, 401, 403, 404),
      },
    },
    async (request: WriterRequest) => {
      auth.requireAdmin(request);
      const scope = await writers.setScope(request.params.writer, request.body);
      return { writer: request.params.writer, scope };
    },
  );

  app.get(
    '/writers/:writer/offsets',
    {
      schema: {
        tags,
        summary: "The writer's stored offsets and cookie (admin, or the writer itself).",
        params: writerParams,
        security: adminOrWriterSecurity,
        response: errors(401, 403, 404, 429),
      },
    },
    async (request: WriterRequest) => {
      if (!auth.isAdmin(request)) {
        const writer = await auth.requireWriter(request);
        if (writer.name !== request.params.writer)
          throw new CuttleError(
            'FORBIDDEN',
            `writer ${writer.name} may not read the offsets of ${request.params.writer}`,
          );
      }
      return writers.offsets(request.params.writer);
    },
  );
}
