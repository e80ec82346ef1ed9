/** Writers: register, rotate the secret, read stored offsets. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CuttleError } from '../../../../lib/errors.ts';
import { adminSecurity, errors } from '../openapi.ts';
import type { RouteDeps } from '../route-deps.ts';

type WriterRequest = FastifyRequest<{ Params: { writer: string } }>;

const writerParams = {
  type: 'object',
  properties: { writer: { type: 'string' } },
  required: ['writer'],
} as const;
const secretBody = {
  type: 'object',
  properties: { secret: { type: 'string', minLength: 8, maxLength: 256 } },
  required: ['secret'],
} as const;

const secretOf = (body: unknown): unknown =>
  body !== null && typeof body === 'object' ? (body as { secret?: unknown }).secret : undefined;

export function writerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { auth, writers } = deps;
  const tags = ['writers'];

  app.get(
    '/writers',
    { schema: { tags, summary: 'List writers.', security: adminSecurity } },
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
        summary: 'Register a writer (the same name and secret again is a no-op).',
        params: writerParams,
        body: secretBody,
        security: adminSecurity,
        response: errors(400, 401, 403, 409),
      },
    },
    async (request: WriterRequest, reply) => {
      auth.requireAdmin(request);
      const { created } = await writers.register(request.params.writer, secretOf(request.body));
      reply.status(created ? 201 : 200);
      return { writer: request.params.writer, created };
    },
  );

  app.post(
    '/writers/:writer/rotate',
    {
      schema: {
        tags,
        summary: "Replace a writer's secret.",
        params: writerParams,
        body: secretBody,
        security: adminSecurity,
        response: errors(400, 401, 403, 404),
      },
    },
    async (request: WriterRequest) => {
      auth.requireAdmin(request);
      await writers.rotate(request.params.writer, secretOf(request.body));
      return { writer: request.params.writer, rotated: true };
    },
  );

  app.get(
    '/writers/:writer/offsets',
    {
      schema: {
        tags,
        summary: "The writer's stored offsets and cookie (admin, or the writer itself).",
        params: writerParams,
        response: errors(401, 403, 404),
      },
    },
    async (request: WriterRequest) => {
      if (!auth.isAdmin(request)) {
        const writer = await auth.requireWriter(request);
        if (writer !== request.params.writer)
          throw new CuttleError(
            'FORBIDDEN',
            `writer ${writer} may not read the offsets of ${request.params.writer}`,
          );
      }
      return writers.offsets(request.params.writer);
    },
  );
}
