/**
 * ctlstore's sidecar routes, so its existing clients keep working (ctlstore-reference.md 8.2):
 *
 *   POST /get-row-by-key/:family/:table           {"Key":[{"Value":x} | {"Binary":"<base64>"}]}
 *   POST /get-rows-by-key-prefix/:family/:table   same body, 0..n leading key parts
 *   GET  /get-ledger-latency                      {"value": seconds, "unit": "seconds"}
 *   GET  /healthcheck, /ping
 *
 * Differences, on purpose: a missing row is a 404 JSON error (plus ctlstore's X-Ctlstore header),
 * bad input is a 4xx with a code instead of a 500, and /healthcheck fails when the LDB is staler
 * than the readiness bound (ctlstore's had no threshold).
 */
import type { FastifyInstance } from 'fastify';
import { CuttleError } from '../../lib/errors.ts';
import type { KeyValue } from '../../lib/reader/key.ts';
import type { TableSchema } from '../../lib/schema/types.ts';
import { keyValueFromJson, rowToJson } from './sidecar-values.ts';
import type { SidecarDeps } from './sidecar.ts';
import { schemaOf } from './sidecar.ts';

interface TableParams {
  readonly family: string;
  readonly table: string;
}

/** ctlstore's key parts, case-insensitive names: {"Value": x} or {"Binary": base64}. */
function keyParts(schema: TableSchema, body: unknown): KeyValue[] {
  const parts =
    (body as { Key?: unknown; key?: unknown } | null)?.Key ?? (body as { key?: unknown } | null)?.key;
  if (parts === undefined) return [];
  if (!Array.isArray(parts) || parts.length > schema.keyFields.length) {
    throw new CuttleError('INVALID_KEY', `Key must be an array of at most ${schema.keyFields.length} parts`, {
      details: { family: schema.family, table: schema.table },
    });
  }
  return parts.map((part: unknown, i) => {
    const entries = Object.entries((part ?? {}) as Record<string, unknown>);
    const binary = entries.find(([name]) => name.toLowerCase() === 'binary');
    const value = entries.find(([name]) => name.toLowerCase() === 'value');
    const field = schema.keyFields[i] as string;
    if (binary !== undefined && typeof binary[1] === 'string') return Buffer.from(binary[1], 'base64');
    if (value === undefined) {
      throw new CuttleError('INVALID_KEY', `key part ${i} needs "Value" or "Binary"`, {
        details: { family: schema.family, table: schema.table, field },
      });
    }
    // ctlstore sends bytestring keys as plain strings in "Value"; take their UTF-8 bytes.
    const def = schema.fields.find((f) => f.name === field);
    return def?.type === 'bytestring' && typeof value[1] === 'string'
      ? Buffer.from(value[1], 'utf8')
      : keyValueFromJson(schema, field, value[1]);
  });
}

export function registerCtlstoreRoutes(app: FastifyInstance, deps: SidecarDeps): void {
  const { reader } = deps;
  app.post<{ Params: TableParams }>('/get-row-by-key/:family/:table', (request, reply) => {
    const { family, table } = request.params;
    const schema = schemaOf(reader, family, table);
    const row = reader.getRow(family, table, keyParts(schema, request.body));
    if (row === undefined) {
      void reply.header('X-Ctlstore', 'Not Found');
      throw new CuttleError('ROW_NOT_FOUND', `no row with that key in ${family}.${table}`, {
        details: { family, table },
      });
    }
    return rowToJson(row);
  });

  app.post<{ Params: TableParams }>('/get-rows-by-key-prefix/:family/:table', (request, reply) => {
    const { family, table } = request.params;
    const schema = schemaOf(reader, family, table);
    const rows = reader.rowsByPrefix(family, table, keyParts(schema, request.body), {
      limit: deps.maxRows + 1,
    });
    if (rows.length > deps.maxRows) {
      return reply.code(416).send(
        new CuttleError('BAD_REQUEST', `more than ${deps.maxRows} rows match; narrow the prefix`, {
          details: { family, table, maxRows: deps.maxRows },
        }).toJSON(),
      );
    }
    return rows.map(rowToJson);
  });

  app.get('/get-ledger-latency', () => {
    const staleness = reader.staleness();
    return { value: Number.isFinite(staleness) ? staleness : null, unit: 'seconds' };
  });

  const healthy = (_request: unknown, reply: { code(n: number): { send(b: unknown): unknown } }): unknown => {
    const staleness = reader.staleness();
    const ok = staleness <= deps.maxStalenessSeconds;
    return reply
      .code(ok ? 200 : 503)
      .send({ ok, stalenessSeconds: Number.isFinite(staleness) ? staleness : null });
  };
  app.get('/healthcheck', healthy);
  app.get('/ping', healthy);
}
