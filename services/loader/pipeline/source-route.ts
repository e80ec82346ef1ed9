/**
 * Which source a topic belongs to. Debezium names a table's topic `<topic.prefix>.<db>.<table>`
 * and its schema-change topic `<topic.prefix>`; each registered source owns one prefix.
 */
import type { EventDecoder } from '../decode/decoder.ts';
import type { SourceMapper } from '../mapping/source-mapper.ts';

export interface SourceRoute {
  readonly source: string;
  readonly mapper: SourceMapper;
  readonly decoder: EventDecoder;
  /** Family named in the URL of batches without mutations (they only move offsets). */
  readonly defaultFamily: string;
  /** Source tables held by a schema change, with the reason: their events halt the partition. */
  readonly held: Map<string, string>;
}

export function tableTopic(prefix: string, database: string, table: string): string {
  return `${prefix}.${database}.${table}`;
}

/** Every topic of a source: one per mapped table, plus the schema-change topic when wanted. */
export function topicsOf(prefix: string, mapper: SourceMapper, withSchemaTopic: boolean): string[] {
  const tables = mapper.tables.map((t) => tableTopic(prefix, t.sourceTable.database, t.sourceTable.table));
  return withSchemaTopic ? [prefix, ...tables] : tables;
}
