/** Families and tables: create, add fields, inspect, drop, clear. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  adminOrWriterSecurity,
  adminSecurity,
  errors,
  familyParams,
  fieldList,
  openSecurity,
  schemaResponse,
  seqResponse,
  tableParams,
} from '../openapi.ts';
import type { RouteDeps } from '../route-deps.ts';

type TableRequest = FastifyRequest<{
  Params: { family: string; table: string };
  Querystring: { confirm?: string };
}>;
type FamilyRequest = FastifyRequest<{ Params: { family: string } }>;

const confirmQuery = {
  type: 'object',
  properties: { confirm: { type: 'string', description: 'Must repeat "<family>.<table>".' } },
  required: ['confirm'],
} as const;

export function schemaRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { auth, schema } = deps;
  const tags = ['schema'];
  // Listings are open unless metadataAccess is 'token' (auth.ts); the document says which.
  const metadata = {
    security: auth.metadataAccess === 'open' ? openSecurity : adminOrWriterSecurity,
    preHandler: async (request: FastifyRequest) => auth.requireMetadataReader(request),
  };

  app.get(
    '/families',
    {
      schema: { tags, summary: 'List families.', security: metadata.security, response: errors(401, 403) },
      preHandler: metadata.preHandler,
    },
    async () => ({ families: await schema.listFamilies() }),
  );

  app.post(
    '/families/:family',
    {
      schema: {
        tags,
        summary: 'Create a family.',
        params: familyParams,
        security: adminSecurity,
        response: errors(400, 401, 403, 409),
      },
    },
    async (request: FamilyRequest, reply) => {
      auth.requireAdmin(request);
      reply.status(201);
      return schema.createFamily(request.params.family);
    },
  );

  app.get(
    '/families/:family',
    {
      schema: {
        tags,
        summary: 'Schemas of all tables of a family.',
        params: familyParams,
        security: metadata.security,
        response: errors(400, 401, 403, 404),
      },
      preHandler: metadata.preHandler,
    },
    (request: FamilyRequest) => schema.describeFamily(request.params.family),
  );

  app.get(
    '/schema',
    {
      schema: {
        tags,
        summary: 'Schemas of every family and table.',
        security: metadata.security,
        response: errors(401, 403),
      },
      preHandler: metadata.preHandler,
    },
    () => schema.describeAll(),
  );

  app.post(
    '/families/:family/tables/:table',
    {
      schema: {
        tags,
        summary: 'Create a table.',
        params: tableParams,
        security: adminSecurity,
        body: {
          type: 'object',
          properties: { fields: fieldList, keyFields: { type: 'array', items: { type: 'string' } } },
          required: ['fields', 'keyFields'],
        },
        response: { 201: seqResponse, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request: TableRequest, reply) => {
      auth.requireAdmin(request);
      reply.status(201);
      return schema.createTable(request.params.family, request.params.table, request.body);
    },
  );

  app.get(
    '/families/:family/tables/:table',
    {
      schema: {
        tags,
        summary: 'Schema of one table.',
        params: tableParams,
        security: metadata.security,
        response: { 200: schemaResponse, ...errors(400, 401, 403, 404) },
      },
      preHandler: metadata.preHandler,
    },
    (request: TableRequest) => schema.describeTable(request.params.family, request.params.table),
  );

  app.post(
    '/families/:family/tables/:table/fields',
    {
      schema: {
        tags,
        summary: 'Add fields to a table (all of them atomically; new fields are nullable).',
        params: tableParams,
        security: adminSecurity,
        body: { type: 'object', properties: { fields: fieldList }, required: ['fields'] },
        response: { 200: seqResponse, ...errors(400, 401, 403, 404, 409) },
      },
    },
    (request: TableRequest) => {
      auth.requireAdmin(request);
      return schema.addFields(request.params.family, request.params.table, request.body);
    },
  );

  app.delete(
    '/families/:family/tables/:table',
    {
      schema: {
        tags,
        summary: 'Drop a table.',
        params: tableParams,
        querystring: confirmQuery,
        security: adminSecurity,
        response: { 200: seqResponse, ...errors(400, 401, 403, 404) },
      },
    },
    (request: TableRequest) => {
      auth.requireAdmin(request);
      return schema.dropTable(request.params.family, request.params.table, request.query.confirm);
    },
  );

  app.post(
    '/families/:family/tables/:table/clear',
    {
      schema: {
        tags,
        summary: 'Delete every row of a table.',
        params: tableParams,
        querystring: confirmQuery,
        security: adminSecurity,
        response: { 200: seqResponse, ...errors(400, 401, 403, 404) },
      },
    },
    (request: TableRequest) => {
      auth.requireAdmin(request);
      return schema.clearTable(request.params.family, request.params.table, request.query.confirm);
    },
  );
}
