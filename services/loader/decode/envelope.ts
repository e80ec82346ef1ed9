/**
 * zod schemas for what Debezium's MariaDB/MySQL connector writes, checked once at the boundary:
 * the data-change envelope, the schema-change event and the transaction marker.
 * Format: ../shared/docs/real-stack.md §5; fields not listed here are allowed and ignored.
 */
import { z } from 'zod';
import { ExactNumber } from './exact-json.ts';

/** 64-bit fields that always fit a double in practice (times, binlog positions). */
const safeInteger = z
  .union([z.number(), z.bigint(), z.instanceof(ExactNumber)])
  .transform((v) => Number(v instanceof ExactNumber ? v.text : v))
  .refine((n) => Number.isSafeInteger(n), 'expected an integer below 2^53');

const row = z.custom<Record<string, unknown>>((v) => isRow(v), 'expected a row object');

export const sourceSchema = z.looseObject({
  db: z.string(),
  table: z.string().nullish(),
  ts_ms: safeInteger,
  // An io.debezium.data.Enum string since 1.x; older connectors wrote a boolean.
  snapshot: z.union([z.string(), z.boolean()]).nullish(),
  file: z.string().nullish(),
  pos: safeInteger.nullish(),
  row: safeInteger.nullish(),
  gtid: z.string().nullish(),
});
export type SourceBlock = z.output<typeof sourceSchema>;

export const dataEnvelopeSchema = z.looseObject({
  op: z.enum(['c', 'u', 'd', 'r', 't']),
  before: row.nullish(),
  after: row.nullish(),
  source: sourceSchema,
  transaction: z
    .looseObject({ id: z.string(), total_order: safeInteger, data_collection_order: safeInteger.nullish() })
    .nullish(),
});
export type DataEnvelope = z.output<typeof dataEnvelopeSchema>;

const schemaColumn = z.looseObject({
  name: z.string(),
  typeName: z.string(),
  typeExpression: z.string().nullish(),
  length: safeInteger.nullish(),
  scale: safeInteger.nullish(),
  optional: z.boolean().nullish(),
  enumValues: z.array(z.string()).nullish(),
});

const tableChange = z.looseObject({
  type: z.enum(['CREATE', 'ALTER', 'DROP']),
  id: z.string(),
  table: z
    .looseObject({
      primaryKeyColumnNames: z.array(z.string()).nullish(),
      columns: z.array(schemaColumn).nullish(),
    })
    .nullish(),
});

export const schemaChangeSchema = z.looseObject({
  source: sourceSchema,
  databaseName: z.string().nullish(),
  ddl: z.string().nullish(),
  tableChanges: z.array(tableChange).nullish(),
});
export type SchemaChangeEvent = z.output<typeof schemaChangeSchema>;

/** A marker of Debezium's transaction topic; BEGIN has no counts. */
export const transactionMarkerSchema = z.looseObject({
  status: z.enum(['BEGIN', 'END']),
  id: z.string(),
  event_count: safeInteger.nullish(),
  data_collections: z
    .array(z.looseObject({ data_collection: z.string(), event_count: safeInteger }))
    .nullish(),
});
export type TransactionMarker = z.output<typeof transactionMarkerSchema>;

export type EnvelopeKind = 'data' | 'schema' | 'transaction' | 'unknown';

/** Which of Debezium's value shapes an object is, by its distinguishing fields. */
export function envelopeKind(value: object): EnvelopeKind {
  if ('op' in value) return 'data';
  if ('ddl' in value || 'tableChanges' in value) return 'schema';
  if ('status' in value && 'id' in value) return 'transaction';
  return 'unknown';
}

/**
 * The common case of `dataEnvelopeSchema` without zod, which costs more per event than the rest
 * of decoding: an envelope whose checked fields all have their plain shapes (strings, safe
 * integers as numbers) is returned as it is. Anything else, valid or not, returns undefined and
 * goes through the schema, which converts exact numbers and explains what is wrong.
 */
export function plainDataEnvelope(value: object): DataEnvelope | undefined {
  const v = value as Record<string, unknown>;
  if (typeof v.op !== 'string' || !OPS.has(v.op) || !isRowOrAbsent(v.before) || !isRowOrAbsent(v.after)) {
    return undefined;
  }
  const source = v.source as Record<string, unknown> | null | undefined;
  if (typeof source !== 'object' || source === null || Array.isArray(source)) return undefined;
  if (typeof source.db !== 'string' || !isSafe(source.ts_ms)) return undefined;
  if (!isOptional(source.table, isString) || !isOptional(source.file, isString)) return undefined;
  if (!isOptional(source.gtid, isString) || !isOptional(source.pos, isSafe)) return undefined;
  if (!isOptional(source.row, isSafe)) return undefined;
  if (!isOptional(source.snapshot, (s) => typeof s === 'string' || typeof s === 'boolean')) return undefined;
  const tx = v.transaction as Record<string, unknown> | null | undefined;
  if (tx !== null && tx !== undefined) {
    if (typeof tx !== 'object' || typeof tx.id !== 'string' || !isSafe(tx.total_order)) return undefined;
    if (!isOptional(tx.data_collection_order, isSafe)) return undefined;
  }
  return value as DataEnvelope;
}

const OPS = new Set(['c', 'u', 'd', 'r', 't']);
const isString = (x: unknown): boolean => typeof x === 'string';
const isSafe = (x: unknown): boolean => typeof x === 'number' && Number.isSafeInteger(x);
const isOptional = (x: unknown, check: (x: unknown) => boolean): boolean =>
  x === null || x === undefined || check(x);
/**
 * A row is an object of columns. Not an array or bytes, and not an ExactNumber: the exact JSON
 * parser turns a number a double cannot carry (`"after": 1e400`) into that object.
 */
export function isRow(x: unknown): boolean {
  return (
    x !== null &&
    typeof x === 'object' &&
    !Array.isArray(x) &&
    !Buffer.isBuffer(x) &&
    !(x instanceof ExactNumber)
  );
}
const isRowOrAbsent = (x: unknown): boolean => x === null || x === undefined || isRow(x);
