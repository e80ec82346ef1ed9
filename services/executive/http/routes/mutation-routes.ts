/** Mutations (writer credentials) and consistent reads from ctldb. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { adminOrWriterSecurity, errors, familyParams, tableParams, writerSecurity } from '../openapi.ts';
import type { RouteDeps } from '../route-deps.ts';

type FamilyRequest = FastifyRequest<{ Params: { family: string } }>;
type TableRequest = FastifyRequest<{ Params: { family: string; table: string } }>;

const mutationBody = {
  type: 'object',
  properties: {
    mutations: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          table: { type: 'string' },
          op: { type: 'string', enum: ['upsert', 'delete'] },
          delete: { type: 'boolean' },
          values: {
            type: 'object',
            additionalProperties: true,
            description: 'Upsert: the whole row; missing fields become NULL.',
          },
          key: { type: 'object', additionalProperties: true, description: 'Delete: the key fields.' },
        },
      },
    },
    offsets: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          stream: { type: 'string' },
          expected: { type: ['string', 'null'] },
          next: { type: 'string' },
        },
      },
    },
    cookie: {
      type: 'object',
      properties: { expected: { type: ['string', 'null'] }, next: { type: 'string' } },
    },
  },
} as const;

const mutationResponse = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['applied', 'duplicate'] },
    firstSeq: { type: ['integer', 'null'] },
    lastSeq: { type: ['integer', 'null'] },
  },
} as const;

export function mutationRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.post(
    '/families/:family/mutations',
    {
      schema: {
        tags: ['mutations'],
        summary: "Commit a batch of upserts and deletes together with the writer's offsets, exactly once.",
        params: familyParams,
        body: mutationBody,
        security: writerSecurity,
        response: { 200: mutationResponse, ...errors(400, 401, 403, 404, 409, 413, 429, 503, 507) },
      },
    },
    async (request: FamilyRequest) => {
      const writer = await deps.auth.requireWriterOf(request, request.params.family);
      const result = await deps.mutations.mutate(writer.name, request.params.family, request.body);
      return result.status === 'duplicate'
        ? result
        : { status: result.status, firstSeq: result.firstSeq, lastSeq: result.lastSeq };
    },
  );

  app.post(
    '/families/:family/tables/:table/rows/get',
    {
      schema: {
        tags: ['reads'],
        summary:
          'One row by its full key, read from ctldb (the admin, or a writer whose scope holds the family).',
        params: tableParams,
        security: adminOrWriterSecurity,
        body: {
          type: 'object',
          properties: { key: { type: 'object', additionalProperties: true } },
          required: ['key'],
        },
        response: errors(400, 401, 403, 404, 429),
      },
    },
    async (request: TableRequest) => {
      await deps.auth.requireReaderOf(request, request.params.family);
      return { row: await deps.reads.getRow(request.params.family, request.params.table, request.body) };
    },
  );

  app.post(
    '/families/:family/tables/:table/rows/scan',
    {
      schema: {
        tags: ['reads'],
        summary:
          'Rows whose leading key fields equal `prefix`, in key order; page with `cursor` (the admin, or a writer whose scope holds the family).',
        params: tableParams,
        security: adminOrWriterSecurity,
        body: {
          type: 'object',
          properties: {
            prefix: { type: 'object', additionalProperties: true },
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
            cursor: { type: ['string', 'null'] },
          },
        },
        response: errors(400, 401, 403, 404, 429),
      },
    },
    async (request: TableRequest) => {
      await deps.auth.requireReaderOf(request, request.params.family);
      return deps.reads.scan(request.params.family, request.params.table, request.body);
    },
  );
}
