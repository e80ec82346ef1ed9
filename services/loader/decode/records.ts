/**
 * Debezium value objects (already parsed from JSON or Avro) into change records. Shared by every
 * wire format, so c/u/d/r/t, primary-key changes and schema changes mean the same thing whatever
 * the converter.
 */
import { z } from 'zod';
import { CuttleError, previewText } from '../../../lib/errors.ts';
import { headerText, type InboundMessage } from '../message.ts';
import type {
  ChangeRecord,
  DeleteRecord,
  SchemaColumn,
  SourcePosition,
  SourceRow,
  SourceTableId,
  TableChange,
  TransactionEnd,
  UpsertRecord,
} from './change-record.ts';
import type { ConnectField } from './connect-schema.ts';
import {
  dataEnvelopeSchema,
  envelopeKind,
  plainDataEnvelope,
  schemaChangeSchema,
  transactionMarkerSchema,
  type DataEnvelope,
  type SchemaChangeEvent,
  type SourceBlock,
} from './envelope.ts';
import { ExactNumber } from './exact-json.ts';

/** Debezium's headers on the two halves of a primary-key change. */
export const NEW_KEY_HEADER = '__debezium.newkey';
export const OLD_KEY_HEADER = '__debezium.oldkey';

export interface DecodeContext {
  readonly message: InboundMessage;
  /** The decoded Kafka key (primary-key columns), when there is one. */
  readonly key: SourceRow | null;
  readonly columns: ReadonlyMap<string, ConnectField> | null;
}

/** A permanent decoding failure: the event can never be read, whatever is retried. */
export function invalidEvent(message: InboundMessage, problem: string, cause?: unknown): CuttleError {
  return new CuttleError(
    'BAD_REQUEST',
    `event ${message.topic}/${message.partition}@${message.offset}: ${problem}`,
    {
      details: { topic: message.topic, partition: message.partition, offset: message.offset },
      retriable: false,
      cause,
    },
  );
}

export function recordsFromValue(value: unknown, ctx: DecodeContext): ChangeRecord[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidEvent(ctx.message, 'value is not a Debezium envelope object');
  }
  switch (envelopeKind(value)) {
    case 'data':
      return dataRecords(
        plainDataEnvelope(value) ?? parse(dataEnvelopeSchema, value, ctx, 'data-change envelope'),
        ctx,
      );
    case 'schema':
      return [schemaRecord(parse(schemaChangeSchema, value, ctx, 'schema-change event'), ctx)];
    case 'transaction':
      return [];
    case 'unknown':
      throw invalidEvent(
        ctx.message,
        'value is neither a change envelope, a schema change nor a transaction marker',
      );
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, ctx: DecodeContext, what: string): T {
  const result = schema.safeParse(value);
  // One line per problem with its path ("✖ Invalid input: … → at source.ts_ms"): it ends up in
  // dead letters and halt reasons, read by people.
  if (!result.success)
    throw invalidEvent(
      ctx.message,
      `malformed ${what}: ${z.prettifyError(result.error).replaceAll('\n', '; ')}`,
      result.error,
    );
  return result.data;
}

function dataRecords(envelope: DataEnvelope, ctx: DecodeContext): ChangeRecord[] {
  const { source } = envelope;
  if (source.table == null) throw invalidEvent(ctx.message, 'source.table is missing');
  const tx = envelope.transaction;
  const base = {
    sourceTable: { database: source.db, table: source.table },
    position: { ...positionOf(source), txOrder: tx?.total_order ?? null },
    sourceTsMs: source.ts_ms,
    transaction:
      tx == null || tx.data_collection_order == null
        ? null
        : { id: tx.id, collectionOrder: tx.data_collection_order },
  };
  const { before, after } = envelope;
  const common = { ...base, key: ctx.key, columns: ctx.columns };
  const require = (row: Record<string, unknown> | null | undefined, which: string): SourceRow => {
    if (row == null) throw invalidEvent(ctx.message, `op "${envelope.op}" without "${which}"`);
    return row;
  };
  switch (envelope.op) {
    case 't':
      return [{ kind: 'truncate', ...base }];
    case 'd':
      return [
        deleteOf(common, require(before, 'before'), headerText(ctx.message, NEW_KEY_HEADER) !== undefined),
      ];
    case 'c':
    case 'r':
      return [
        upsertOf(
          common,
          envelope.op,
          require(after, 'after'),
          headerText(ctx.message, OLD_KEY_HEADER) !== undefined,
        ),
      ];
    case 'u': {
      const next = require(after, 'after');
      // Debezium splits a primary-key update into delete + create itself; an update whose key
      // columns differ anyway (a connector configured otherwise) is split the same way here.
      if (before != null && ctx.key !== null && keyChanged(ctx.message, Object.keys(ctx.key), before, next)) {
        return [deleteOf({ ...common, key: null }, before, true), upsertOf(common, 'u', next, true)];
      }
      return [upsertOf(common, 'u', next, false)];
    }
  }
}

type Common = Pick<
  UpsertRecord,
  'sourceTable' | 'position' | 'sourceTsMs' | 'transaction' | 'key' | 'columns'
>;

function upsertOf(
  common: Common,
  op: UpsertRecord['op'],
  values: SourceRow,
  primaryKeyChange: boolean,
): UpsertRecord {
  return { kind: 'upsert', op, ...common, values, primaryKeyChange };
}

function deleteOf(common: Common, values: SourceRow, primaryKeyChange: boolean): DeleteRecord {
  return { kind: 'delete', ...common, values, primaryKeyChange };
}

function keyChanged(
  message: InboundMessage,
  keyColumns: readonly string[],
  before: SourceRow,
  after: SourceRow,
): boolean {
  return keyColumns.some((c) => {
    const [was, is] = [keyValueText(message, c, before[c]), keyValueText(message, c, after[c])];
    return was !== is;
  });
}

/**
 * A comparable rendering of a primary-key column's value. Key columns are scalars (numbers,
 * text, bytes); a nested value there is not a Debezium event, and rendering it would recurse as
 * deep as the event nests (a stack overflow, not a poison event, at 10,000 levels).
 */
function keyValueText(message: InboundMessage, column: string, value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Buffer.isBuffer(value)) return `b:${value.toString('base64')}`;
  if (value instanceof ExactNumber) return `n:${value.text}`;
  if (typeof value === 'number' || typeof value === 'bigint') return `n:${value.toString()}`;
  if (typeof value === 'string') return `s:${value}`;
  if (typeof value === 'boolean') return `t:${String(value)}`;
  throw invalidEvent(message, `primary-key column ${previewText(column)} holds a nested value`);
}

/**
 * A value of Debezium's transaction topic: the end of a transaction with its counts by table, or
 * null for a BEGIN marker. Throws for anything else (a poison record of that topic).
 */
export function transactionEndFromValue(value: unknown, message: InboundMessage): TransactionEnd | null {
  const parsed = transactionMarkerSchema.safeParse(value);
  if (!parsed.success)
    throw invalidEvent(message, 'value is not a Debezium transaction marker', parsed.error);
  const marker = parsed.data;
  if (marker.status === 'BEGIN') return null;
  return {
    id: marker.id,
    eventsByTable: new Map((marker.data_collections ?? []).map((c) => [c.data_collection, c.event_count])),
  };
}

export function positionOf(source: SourceBlock): SourcePosition {
  const snapshot = source.snapshot;
  return {
    file: source.file ?? null,
    pos: source.pos ?? null,
    row: source.row ?? null,
    gtid: source.gtid ?? null,
    snapshot: snapshot === true || (typeof snapshot === 'string' && snapshot !== 'false'),
    txOrder: null,
  };
}

function schemaRecord(event: SchemaChangeEvent, ctx: DecodeContext): ChangeRecord {
  const { source } = event;
  return {
    kind: 'schema',
    sourceTable: { database: event.databaseName ?? source.db, table: source.table ?? '' },
    position: positionOf(source),
    sourceTsMs: source.ts_ms,
    ddl: event.ddl ?? '',
    tableChanges: (event.tableChanges ?? []).map((change) => tableChangeOf(change, ctx)),
  };
}

type RawTableChange = NonNullable<SchemaChangeEvent['tableChanges']>[number];

function tableChangeOf(change: RawTableChange, ctx: DecodeContext): TableChange {
  const columns: SchemaColumn[] = (change.table?.columns ?? []).map((c) => ({
    name: c.name,
    typeName: c.typeName,
    typeExpression: c.typeExpression ?? null,
    length: c.length ?? null,
    scale: c.scale ?? null,
    optional: c.optional ?? true,
    enumValues: c.enumValues ?? null,
  }));
  return {
    type: change.type,
    sourceTable: parseTableId(change.id, ctx),
    primaryKeyColumns: change.table?.primaryKeyColumnNames ?? [],
    columns,
  };
}

const QUOTED_ID = /^"((?:[^"]|"")*)"\."((?:[^"]|"")*)"$/;

/** `"db"."table"` (Debezium's quoted form) or `db.table`. */
export function parseTableId(id: string, ctx: DecodeContext): SourceTableId {
  const quoted = QUOTED_ID.exec(id);
  if (quoted !== null) {
    return {
      database: (quoted[1] ?? '').replaceAll('""', '"'),
      table: (quoted[2] ?? '').replaceAll('""', '"'),
    };
  }
  const dot = id.indexOf('.');
  if (dot <= 0) throw invalidEvent(ctx.message, `table id ${JSON.stringify(id)} is not "database"."table"`);
  return { database: id.slice(0, dot), table: id.slice(dot + 1) };
}
