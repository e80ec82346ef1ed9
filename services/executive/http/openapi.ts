/**
 * Route schemas, for the OpenAPI document only: request checking is done by our own validation
 * (with stable error codes) and responses are plain JSON.stringify, so fastify's ajv and
 * fast-json-stringify are switched off in server.ts and can never coerce or strip a value.
 */
export const errorResponse = {
  description: 'Error',
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
    },
  },
} as const;

export const familyParams = {
  type: 'object',
  properties: { family: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' } },
  required: ['family'],
} as const;

export const tableParams = {
  type: 'object',
  properties: { family: { type: 'string' }, table: { type: 'string' } },
  required: ['family', 'table'],
} as const;

export const fieldList = {
  type: 'array',
  description:
    'Fields as ["name", "type"] or {"name", "type"}; types: string, bytestring, integer, decimal, text, binary.',
  items: {},
} as const;

export const schemaResponse = {
  type: 'object',
  properties: {
    family: { type: 'string' },
    table: { type: 'string' },
    fields: {
      type: 'array',
      items: { type: 'object', properties: { name: { type: 'string' }, type: { type: 'string' } } },
    },
    keyFields: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const seqResponse = {
  type: 'object',
  properties: { seq: { type: 'integer', description: 'Ledger seq of the schema change.' } },
} as const;

/** Security requirements, as the routes check them (auth.ts); a test walks every route against them. */
export const adminSecurity = [{ admin: [] }];
export const writerSecurity = [{ writer: [], writerSecret: [] }];
export const adminOrWriterSecurity = [{ admin: [] }, { writer: [], writerSecret: [] }];
/** No credential needed. */
export const openSecurity: { [name: string]: string[] }[] = [];

export function errors(...statuses: number[]): Record<string, typeof errorResponse> {
  return Object.fromEntries(statuses.map((s) => [String(s), errorResponse]));
}

export const openapiDocument = {
  openapi: {
    info: {
      title: 'cuttle executive',
      version: '0.1.0',
      description:
        'The only writer of ctldb and the gatekeeper of the ledger. Errors are {"error":{"code","message","details"}}.',
    },
    components: {
      securitySchemes: {
        admin: { type: 'http', scheme: 'bearer', description: 'EXECUTIVE_ADMIN_TOKEN' },
        writer: { type: 'apiKey', in: 'header', name: 'x-cuttle-writer' },
        writerSecret: { type: 'apiKey', in: 'header', name: 'x-cuttle-secret' },
        metrics: {
          type: 'http',
          scheme: 'bearer',
          description: 'EXECUTIVE_METRICS_TOKEN (GET /metrics only)',
        },
      },
    },
  },
} as const;
