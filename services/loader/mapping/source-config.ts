/**
 * A registered source as the loader reads it from ctldb: the Debezium connector's settings that
 * matter for decoding, the policies, and per source table its target family/table and columns.
 * `cuttle sources add` writes it after reading the origin's information_schema, so the column
 * types are the origin's own COLUMN_TYPE strings.
 */
import { z } from 'zod';
import { encodingsSchema } from './encodings.ts';

export const sourceColumnSchema = z.object({
  name: z.string().min(1),
  /** information_schema COLUMN_TYPE, e.g. `bigint(20) unsigned`, `enum('a','b')`. */
  type: z.string().min(1),
  /**
   * For a column the loader added after an origin ADD COLUMN: the binlog key
   * (batching/source-position.ts) of that schema change. Events before it lack the column.
   */
  since: z.string().optional(),
});
export type SourceColumnConfig = z.output<typeof sourceColumnSchema>;

export const tableMappingSchema = z.object({
  source: z.object({ database: z.string().min(1), table: z.string().min(1) }),
  target: z.object({ family: z.string(), table: z.string() }),
  /** Every origin column, in ordinal order. */
  columns: z.array(sourceColumnSchema).min(1),
  /** The origin's primary key (or the connector's `message.key.columns`), in key order. */
  keyColumns: z.array(z.string()).min(1),
  /** Only these columns, when given; other and new origin columns are then ignored. */
  include: z.array(z.string()).optional(),
  exclude: z.array(z.string()).default([]),
  /** Origin column → cuttle field name. Default: the column name in lower case. */
  renames: z.record(z.string(), z.string()).default({}),
});
export type TableMappingConfig = z.input<typeof tableMappingSchema>;
export type TableMapping = z.output<typeof tableMappingSchema>;

export const sourceConfigSchema = z.object({
  name: z.string().min(1),
  /**
   * The writer this source's changes are committed as (its own rate budget and family scope;
   * `cuttle sources add` registers `source.<name>`). Default: the loader's writer.
   */
  writer: z.string().min(1).optional(),
  /** The connector's `topic.prefix`: tables arrive on `<prefix>.<db>.<table>`. Default: the name. */
  topicPrefix: z.string().min(1).optional(),
  /** Also consume the schema-change topic `<prefix>` (`include.schema.changes=true`). */
  schemaTopic: z.boolean().default(true),
  format: z.enum(['json', 'avro']).default('json'),
  encodings: encodingsSchema.prefault({}),
  /** A poison event halts its partition (default) or is skipped to the dead-letter queue. */
  deadLetterPolicy: z.enum(['halt', 'skip']).default('halt'),
  /** New origin columns are added to the cuttle table, or their events are held. */
  schemaChanges: z.enum(['add-columns', 'hold']).default('hold'),
  /**
   * TRUNCATE at the origin (emitted with `skipped.operations=none`): `apply` deletes every row of
   * the cuttle table in one ledger batch; `hold` stops the table for an operator; `ignore` keeps
   * the rows.
   */
  truncate: z.enum(['apply', 'hold', 'ignore']).default('apply'),
  tables: z.array(tableMappingSchema).min(1),
});
export type SourceConfigInput = z.input<typeof sourceConfigSchema>;
export type SourceConfig = z.output<typeof sourceConfigSchema>;
