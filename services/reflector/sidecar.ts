/**
 * The sidecar: the reader library over HTTP for services not written in Node. It reads the LDB
 * like any other reader (its own read-only connection), so it never blocks the reflector.
 *
 *   GET /v1/:family/:table/row?<key field>=<value>…      one row by full key (bytes in base64)
 *   GET /v1/:family/:table/rows?<leading key fields>…&limit=&after=<cursor>
 *                                                         rows by key prefix, key order, paged
 *   GET /v1/:family/:table/schema                         the table's fields and key
 *   GET /v1/staleness                                     seq, staleness, commit time
 * plus ctlstore's routes (sidecar-ctlstore.ts) for existing clients.
 */
import type { FastifyInstance } from 'fastify';
import { CuttleError } from '../../lib/errors.ts';
import type { LdbReader } from '../../lib/reader/ldb-reader.ts';
import type { TableSchema } from '../../lib/schema/types.ts';
import { registerCtlstoreRoutes } from './sidecar-ctlstore.ts';
import { cursorOf, keyFromCursor, keyFromQuery, rowToJson } from './sidecar-values.ts';

export interface SidecarDeps {
  readonly reader: LdbReader;
  /** Most rows one prefix read returns. */
  readonly maxRows: number;
  /** /healthcheck fails above this staleness. */
  readonly maxStalenessSeconds: number;
}

interface TableParams {
  readonly family: string;
  readonly table: string;
}

export function schemaOf(reader: LdbReader, family: string, table: string): TableSchema {
  const schema = reader.schema(family, table);
  if (schema === undefined) {
    throw new CuttleError('TABLE_NOT_FOUND', `table ${family}.${table} does not exist in the LDB`, {
      details: { family, table },
    });
  }
  return schema;
}

function limitOf(raw: unknown, maxRows: number): number {
  if (raw === undefined) return maxRows;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1 || n > maxRows) {
    throw new CuttleError('BAD_REQUEST', `limit must be an integer from 1 to ${maxRows}`, {
      details: { limit: raw },
    });
  }
  return n;
}

export function stalenessJson(reader: LdbReader): Record<string, unknown> {
  const position = reader.position();
  const staleness = reader.staleness();
  return {
    seq: position.seq,
    stalenessSeconds: Number.isFinite(staleness) ? staleness : null,
    committedAt: position.committedAt,
    heartbeatAt: position.heartbeatAt,
  };
}

export function registerSidecar(app: FastifyInstance, deps: SidecarDeps): void {
  const { reader } = deps;
  app.get<{ Params: TableParams; Querystring: Record<string, unknown> }>(
    '/v1/:family/:table/row',
    (request) => {
      const { family, table } = request.params;
      const schema = schemaOf(reader, family, table);
      const row = reader.getRow(family, table, keyFromQuery(schema, request.query));
      if (row === undefined) {
        throw new CuttleError('ROW_NOT_FOUND', `no row with that key in ${family}.${table}`, {
          details: { family, table, key: request.query },
        });
      }
      return rowToJson(row);
    },
  );

  app.get<{ Params: TableParams; Querystring: Record<string, unknown> }>(
    '/v1/:family/:table/rows',
    (request) => {
      const { family, table } = request.params;
      const schema = schemaOf(reader, family, table);
      const limit = limitOf(request.query.limit, deps.maxRows);
      const after =
        typeof request.query.after === 'string' ? keyFromCursor(schema, request.query.after) : undefined;
      const rows = reader.rowsByPrefix(family, table, keyFromQuery(schema, request.query), {
        limit,
        ...(after === undefined ? {} : { after }),
      });
      const last = rows[rows.length - 1];
      return {
        rows: rows.map(rowToJson),
        next: rows.length === limit && last !== undefined ? cursorOf(schema, last) : null,
      };
    },
  );

  app.get<{ Params: TableParams }>('/v1/:family/:table/schema', (request) => {
    const schema = schemaOf(reader, request.params.family, request.params.table);
    return { ...schema, fields: schema.fields.map((f) => [f.name, f.type]) };
  });

  app.get('/v1/staleness', () => stalenessJson(reader));
  registerCtlstoreRoutes(app, deps);
}
