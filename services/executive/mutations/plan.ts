/**
 * Turns checked request mutations into planned writes against the current schemas. Every client
 * mistake is found here, before any transaction starts, and named precisely: family, table,
 * field and the mutation's index in the request.
 *
 * Upsert is a whole-row replace (as in ctlstore): fields the mutation leaves out are stored as
 * NULL, never kept from the previous row. That keeps every ledger entry self-contained (a
 * reflector needs no prior state to apply it) and makes replays idempotent.
 */
import { CuttleError, detailValue, previewText } from '../../../lib/errors.ts';
import { validateTableName } from '../../../lib/schema/names.ts';
import { fieldOf, type TableSchema } from '../../../lib/schema/types.ts';
import { parseWireValue, valueSize, type Row, type ValueLimits } from '../../../lib/schema/values.ts';
import type { TableUsage } from '../limits/limiter.ts';
import type { RawMutation } from './request.ts';

export interface PlannedMutation {
  readonly index: number;
  readonly table: string;
  readonly op: 'upsert' | 'delete';
  /** Upsert: every field of the table. Delete: the key fields. */
  readonly row: Row;
  readonly bytes: number;
}

export interface PlanLimits extends ValueLimits {
  readonly maxRowBytes: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** Table names the mutations touch, validated, in first-use order. */
export function tablesOf(family: string, mutations: readonly RawMutation[]): string[] {
  const tables = new Set<string>();
  for (const m of mutations) {
    try {
      tables.add(validateTableName(m.table));
    } catch (err) {
      throw new CuttleError('INVALID_NAME', `mutation ${m.index}: ${(err as Error).message}`, {
        details: { family, table: detailValue(m.table), row: m.index },
      });
    }
  }
  return [...tables];
}

export function planMutation(raw: RawMutation, schema: TableSchema, limits: PlanLimits): PlannedMutation {
  const ctx = { family: schema.family, table: schema.table, row: raw.index };
  const where = `${schema.family}.${schema.table} (mutation ${raw.index})`;
  const source = raw.op === 'upsert' ? raw.values : (raw.key ?? raw.values);
  if (!isObject(source)) {
    const wanted = raw.op === 'upsert' ? '"values"' : '"key"';
    throw new CuttleError('BAD_REQUEST', `${where}: ${wanted} must be an object of field values`, {
      details: ctx,
    });
  }
  const row: Row = {};
  let bytes = 0;
  for (const [name, wire] of Object.entries(source)) {
    const field = fieldOf(schema, name);
    if (field === undefined) {
      throw new CuttleError('UNKNOWN_FIELD', `${where}: ${previewText(name)} is not a field of the table`, {
        details: { ...ctx, field: detailValue(name) },
      });
    }
    const isKey = schema.keyFields.includes(name);
    // A delete carries the key; ctlstore-style deletes send the whole row in "values", whose
    // non-key fields are ignored. An explicit "key" object must hold key fields only.
    if (raw.op === 'delete' && !isKey) {
      if (raw.key !== undefined) {
        throw new CuttleError(
          'INVALID_KEY',
          `${where}: ${name} is not a key field; a delete names key fields only`,
          { details: { ...ctx, field: name } },
        );
      }
      continue;
    }
    const value = parseWireValue(wire, field, { ...ctx, field: name }, limits);
    row[name] = value;
    bytes += valueSize(value);
  }
  for (const key of schema.keyFields) {
    if (!Object.hasOwn(row, key) || row[key] === null) {
      throw new CuttleError('MISSING_KEY_FIELD', `${where}: key field ${key} is missing or null`, {
        details: { ...ctx, field: key },
      });
    }
  }
  if (bytes > limits.maxRowBytes) {
    throw new CuttleError(
      'ROW_TOO_LARGE',
      `${where}: the row is ${bytes} bytes; the limit is ${limits.maxRowBytes}`,
      { details: ctx },
    );
  }
  if (raw.op === 'upsert') for (const f of schema.fields) if (!Object.hasOwn(row, f.name)) row[f.name] = null;
  return { index: raw.index, table: schema.table, op: raw.op, row, bytes };
}

/** What the limiter is asked to admit. */
export function usageOf(planned: readonly PlannedMutation[]): TableUsage[] {
  const byTable = new Map<
    string,
    { table: string; mutations: number; upserts: number; deletes: number; upsertBytes: number }
  >();
  for (const m of planned) {
    const usage = byTable.get(m.table) ?? {
      table: m.table,
      mutations: 0,
      upserts: 0,
      deletes: 0,
      upsertBytes: 0,
    };
    usage.mutations++;
    if (m.op === 'upsert') {
      usage.upserts++;
      usage.upsertBytes += m.bytes;
    } else {
      usage.deletes++;
    }
    byTable.set(m.table, usage);
  }
  return [...byTable.values()];
}

/** Consecutive mutations of the same table and op, each run written with one multi-row statement. */
export function runsOf(planned: readonly PlannedMutation[]): PlannedMutation[][] {
  const runs: PlannedMutation[][] = [];
  let current: PlannedMutation[] = [];
  for (const m of planned) {
    const last = current[current.length - 1];
    if (last !== undefined && (last.table !== m.table || last.op !== m.op)) {
      runs.push(current);
      current = [];
    }
    current.push(m);
  }
  if (current.length > 0) runs.push(current);
  return runs;
}
