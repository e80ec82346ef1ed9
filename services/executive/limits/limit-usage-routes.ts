/**
 * The limits as they stand on this executive: each limit in force (default or override) and the
 * current usage against it. Admin only. `cuttle limits list|show` reads these.
 *
 * GET /limits/usage                        every registered writer and every table
 * GET /limits/usage?writer=a,b&table=f.t   only those
 * GET /limits/writers/:writer              one writer (404 if not registered)
 * GET /limits/tables/:family/:table        one table (404 if it does not exist)
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CuttleError, detailValue, previewText } from '../../../lib/errors.ts';
import { validateTableRef, validateWriterName } from '../../../lib/schema/names.ts';
import { adminSecurity, errors, tableParams } from '../http/openapi.ts';
import type { RouteDeps } from '../http/route-deps.ts';
import type { Limiter } from './limiter.ts';
import type { LimitsUsage, TableRef, UsageQuery } from './usage.ts';

type UsageRequest = FastifyRequest<{ Querystring: { writer?: string; table?: string } }>;
type WriterRequest = FastifyRequest<{ Params: { writer: string } }>;
type TableRequest = FastifyRequest<{ Params: { family: string; table: string } }>;

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

function tableRefOf(text: string): TableRef {
  const [family, table, ...rest] = text.split('.');
  if (rest.length > 0 || table === undefined) {
    throw new CuttleError('INVALID_NAME', `table ${previewText(text)} must be written family.table`, {
      details: { table: detailValue(text) },
    });
  }
  return validateTableRef(family, table);
}

/** With limits off, every entity reports "no limit". */
async function usageOf(limiter: Limiter, query: UsageQuery): Promise<LimitsUsage> {
  if (limiter.usage !== undefined) return limiter.usage(query);
  const none = { rate: null, burstUsed: 0, overridden: false };
  return {
    mode: 'off',
    settingsLoadedAtMs: 0,
    writers: query.writers.map((writer) => ({ writer, ...none })),
    tables: query.tables.map((t) => ({
      ...t,
      ...none,
      warnBytes: null,
      maxBytes: null,
      size: null,
      overSoft: false,
      overHard: false,
    })),
  };
}

export function limitUsageRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { auth, limiter } = deps;
  const tags = ['limits'];
  const security = adminSecurity;

  app.get(
    '/limits/usage',
    {
      schema: {
        tags,
        security,
        summary: 'Limits in force and current usage (writer=a,b and table=family.table filter).',
        querystring: {
          type: 'object',
          properties: { writer: { type: 'string' }, table: { type: 'string' } },
        },
        response: errors(400, 401, 403),
      },
    },
    async (request: UsageRequest) => {
      auth.requireAdmin(request);
      let writers = list(request.query.writer).map(validateWriterName);
      let tables = list(request.query.table).map(tableRefOf);
      if (writers.length === 0 && tables.length === 0) {
        writers = (await deps.writers.list()).map((w) => w.name);
        const all = await deps.schema.describeAll();
        tables = all.families.flatMap((f) => f.tables.map((t) => ({ family: t.family, table: t.table })));
      }
      return usageOf(limiter, { writers, tables });
    },
  );

  app.get(
    '/limits/writers/:writer',
    {
      schema: {
        tags,
        security,
        summary: "A writer's rate limit and usage.",
        response: errors(400, 401, 403, 404),
      },
    },
    async (request: WriterRequest) => {
      auth.requireAdmin(request);
      const writer = validateWriterName(request.params.writer);
      if (!(await deps.writers.list()).some((w) => w.name === writer)) {
        throw new CuttleError('WRITER_NOT_FOUND', `writer ${writer} does not exist`, { details: { writer } });
      }
      const usage = await usageOf(limiter, { writers: [writer], tables: [] });
      return { mode: usage.mode, ...usage.writers[0] };
    },
  );

  app.get(
    '/limits/tables/:family/:table',
    {
      schema: {
        tags,
        security,
        params: tableParams,
        summary: "A table's rate limit, size quotas, measured size and usage.",
        response: errors(400, 401, 403, 404),
      },
    },
    async (request: TableRequest) => {
      auth.requireAdmin(request);
      const ref = validateTableRef(request.params.family, request.params.table);
      await deps.schema.describeTable(ref.family, ref.table);
      const usage = await usageOf(limiter, { writers: [], tables: [ref] });
      return { mode: usage.mode, ...usage.tables[0] };
    },
  );
}
