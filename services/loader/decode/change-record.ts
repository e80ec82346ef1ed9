/**
 * What a decoded Debezium event means, independent of its wire format (JSON with or without the
 * schema part, Avro). Rows hold source values exactly as the decoder produced them: numbers
 * (safe integers), `ExactNumber` (JSON numbers a double cannot hold), `bigint` (Avro longs beyond
 * 2^53), strings, booleans, `Buffer`s (Avro bytes) or null. The mapping turns them into cuttle
 * values column by column.
 */
import type { ConnectField } from './connect-schema.ts';

export interface SourceTableId {
  readonly database: string;
  readonly table: string;
}

export type SourceRow = Readonly<Record<string, unknown>>;

/** Where the event sits in the origin's binlog, from the envelope's `source` block. */
export interface SourcePosition {
  readonly file: string | null;
  readonly pos: number | null;
  /** Row index within the binlog event. */
  readonly row: number | null;
  readonly gtid: string | null;
  /** True for snapshot reads (every `source.snapshot` value but "false"). */
  readonly snapshot: boolean;
  /** Ordinal of the event in its transaction (`transaction.total_order`), with transaction metadata on. */
  readonly txOrder: number | null;
  /** The origin transaction's id (`transaction.id`), with transaction metadata on. */
  readonly txId?: string | null;
}

/** Which origin transaction a change belongs to (`provide.transaction.metadata=true`). */
export interface TransactionRef {
  readonly id: string;
  /** The change's ordinal among its transaction's changes to the same table (1-based). */
  readonly collectionOrder: number;
}

interface RecordBase {
  readonly sourceTable: SourceTableId;
  readonly position: SourcePosition;
  /** When the change committed at the origin (`source.ts_ms`), milliseconds since the epoch. */
  readonly sourceTsMs: number;
  /** Absent or null for snapshot reads and when the connector gives no transaction metadata. */
  readonly transaction?: TransactionRef | null;
}

export interface UpsertRecord extends RecordBase {
  readonly kind: 'upsert';
  readonly op: 'c' | 'u' | 'r';
  /** The Kafka key (primary-key columns) when the table has one. */
  readonly key: SourceRow | null;
  /** The row after the change. */
  readonly values: SourceRow;
  /** Column schemas when the event carried them (JSON with schema). */
  readonly columns: ReadonlyMap<string, ConnectField> | null;
  /** Set on the create half of a primary-key change (`__debezium.oldkey` header). */
  readonly primaryKeyChange: boolean;
}

export interface DeleteRecord extends RecordBase {
  readonly kind: 'delete';
  readonly key: SourceRow | null;
  /** The row before the delete; the mapping takes the key from it. */
  readonly values: SourceRow;
  readonly columns: ReadonlyMap<string, ConnectField> | null;
  /** Set on the delete half of a primary-key change (`__debezium.newkey` header). */
  readonly primaryKeyChange: boolean;
}

export interface TruncateRecord extends RecordBase {
  readonly kind: 'truncate';
}

export interface SchemaColumn {
  readonly name: string;
  readonly typeName: string;
  readonly typeExpression: string | null;
  readonly length: number | null;
  readonly scale: number | null;
  readonly optional: boolean;
  readonly enumValues: readonly string[] | null;
}

export interface TableChange {
  readonly type: 'CREATE' | 'ALTER' | 'DROP';
  readonly sourceTable: SourceTableId;
  readonly primaryKeyColumns: readonly string[];
  readonly columns: readonly SchemaColumn[];
}

export interface SchemaRecord extends RecordBase {
  readonly kind: 'schema';
  readonly ddl: string;
  readonly tableChanges: readonly TableChange[];
}

export type ChangeRecord = UpsertRecord | DeleteRecord | TruncateRecord | SchemaRecord;

/**
 * The end of an origin transaction, from Debezium's transaction topic (`<prefix>.transaction`):
 * how many changes it made to each table (`db.table`).
 */
export interface TransactionEnd {
  readonly id: string;
  readonly eventsByTable: ReadonlyMap<string, number>;
}

/** One Kafka record decodes to zero (tombstone, transaction marker), one or two records. */
export type DecodedRecords = readonly ChangeRecord[];

export function sourceTableName(id: SourceTableId): string {
  return `${id.database}.${id.table}`;
}
