/**
 * Which source a topic belongs to. Debezium names a table's topic `<topic.prefix>.<db>.<table>`
 * and its schema-change topic `<topic.prefix>`; each registered source owns one prefix.
 */
import type { FieldDef } from '../../../lib/schema/types.ts';
import type { EventDecoder } from '../decode/decoder.ts';
import type { SourceConfig } from '../mapping/source-config.ts';
import type { SourceMapper } from '../mapping/source-mapper.ts';
import type { TransactionTracker } from './transactions.ts';

/** What following `schemaChanges: add-columns` needs: the executive's schema API (admin). */
export interface SchemaApi {
  /** Adds nullable fields to a cuttle table; fields that already exist are fine. */
  addFields(family: string, table: string, fields: readonly FieldDef[]): Promise<void>;
  /** Stores the source's new mapping (in the registry) so that a restarted loader keeps it. */
  saveSource(config: SourceConfig): Promise<void>;
}

export interface SourceRoute {
  readonly source: string;
  readonly mapper: SourceMapper;
  readonly decoder: EventDecoder;
  /** Family named in the URL of batches without mutations (they only move offsets). */
  readonly defaultFamily: string;
  /** Source tables held by a schema change, with the reason: their events halt the partition. */
  readonly held: Map<string, string>;
  /** Present when the loader may change cuttle schemas (it was given the admin token). */
  readonly schemaApi?: SchemaApi;
  /** Reads a cuttle table's keys (to apply a TRUNCATE); absent where the loader cannot read. */
  readonly rows?: TableKeys;
  /**
   * Ends of origin transactions from the source's transaction topic, when the loader follows it:
   * partitions then keep each origin transaction in one ledger batch.
   */
  readonly transactions?: TransactionTracker;
}

/** Every key of a cuttle table, as the executive's read API gives it (wire values). */
export interface TableKeys {
  keys(family: string, table: string, keyFields: readonly string[]): Promise<Record<string, unknown>[]>;
}

/** Debezium's transaction topic (`provide.transaction.metadata=true`): BEGIN and END markers. */
export function transactionTopic(prefix: string): string {
  return `${prefix}.transaction`;
}

export function tableTopic(prefix: string, database: string, table: string): string {
  return `${prefix}.${database}.${table}`;
}

/** Every topic of a source: one per mapped table, plus the schema-change topic when wanted. */
export function topicsOf(prefix: string, mapper: SourceMapper, withSchemaTopic: boolean): string[] {
  const tables = mapper.tables.map((t) => tableTopic(prefix, t.sourceTable.database, t.sourceTable.table));
  return withSchemaTopic ? [prefix, ...tables] : tables;
}
