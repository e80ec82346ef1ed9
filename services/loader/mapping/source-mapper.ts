/**
 * Applies a source's compiled mapping to change records: each upsert or delete becomes one
 * executive mutation with exact, already validated wire values. A value that can never be
 * stored (NUL in a text field, an over-long key, a malformed encoding) throws a non-retriable
 * CuttleError naming family, table, field and origin column: that event is poison.
 */
import { CuttleError, isCuttleError } from '../../../lib/errors.ts';
import { parseWireValue, valueToJson, type ValueLimits } from '../../../lib/schema/values.ts';
import { binlogKey } from '../batching/source-position.ts';
import type {
  ChangeRecord,
  DeleteRecord,
  SourceRow,
  SourceTableId,
  UpsertRecord,
} from '../decode/change-record.ts';
import { sourceTableName } from '../decode/change-record.ts';
import type { SourceConfig, TableMapping } from './source-config.ts';
import { compileTableMapping, type CompiledColumn, type CompiledTable } from './table-mapping.ts';
import { ValueProblem, type WireValue } from './value-convert.ts';

export type WireRow = Record<string, WireValue>;

export type Mutation =
  | { readonly table: string; readonly op: 'upsert'; readonly values: WireRow }
  | { readonly table: string; readonly op: 'delete'; readonly key: WireRow };

export type MapOutcome =
  | { readonly kind: 'mutations'; readonly family: string; readonly mutations: readonly Mutation[] }
  /** The source table is not part of this source (another connector's table, or removed). */
  | { readonly kind: 'unmapped'; readonly sourceTable: SourceTableId }
  /**
   * The row does not have the mapped shape: columns the mapping does not know (the origin gained
   * them before the loader did) or mapped columns missing (dropped or renamed at the origin).
   */
  | {
      readonly kind: 'schema-drift';
      readonly table: CompiledTable;
      readonly added: readonly string[];
      readonly missing: readonly string[];
    }
  | { readonly kind: 'truncate'; readonly table: CompiledTable }
  | { readonly kind: 'schema'; readonly record: Extract<ChangeRecord, { kind: 'schema' }> };

export const DEFAULT_VALUE_LIMITS: ValueLimits = { maxValueBytes: 1024 * 1024 };

export class SourceMapper {
  readonly config: SourceConfig;
  readonly #tables = new Map<string, CompiledTable>();
  readonly #limits: ValueLimits;

  constructor(config: SourceConfig, limits: ValueLimits = DEFAULT_VALUE_LIMITS) {
    this.config = config;
    this.#limits = limits;
    for (const table of config.tables) {
      const compiled = compileTableMapping(table, config.encodings);
      this.#tables.set(sourceTableName(compiled.sourceTable), compiled);
    }
  }

  /** The configuration as it stands now, schema changes followed since start included. */
  get currentConfig(): SourceConfig {
    return { ...this.config, tables: this.tables.map((t) => t.config) };
  }

  get tables(): readonly CompiledTable[] {
    return [...this.#tables.values()];
  }

  /** Swaps in a recompiled table mapping (after a compatible schema change at the origin). */
  replaceTable(mapping: TableMapping): CompiledTable {
    const compiled = compileTableMapping(mapping, this.config.encodings);
    this.#tables.set(sourceTableName(compiled.sourceTable), compiled);
    return compiled;
  }

  table(id: SourceTableId): CompiledTable | undefined {
    return this.#tables.get(sourceTableName(id));
  }

  map(record: ChangeRecord): MapOutcome {
    if (record.kind === 'schema') return { kind: 'schema', record };
    const table = this.table(record.sourceTable);
    if (table === undefined) return { kind: 'unmapped', sourceTable: record.sourceTable };
    if (record.kind === 'truncate') return { kind: 'truncate', table };
    const added = table.ignoresUnknownColumns ? [] : unknownColumns(table, record.values);
    // Debezium writes whole rows (binlog_row_image=FULL), so a mapped column is never just absent,
    // unless the event predates the ADD COLUMN that added it (read again after a reposition).
    const at = binlogKey(record.position);
    const missing =
      record.kind === 'upsert'
        ? table.columns.filter((c) => !(c.source in record.values) && !predates(at, c)).map((c) => c.source)
        : [];
    if (added.length > 0 || missing.length > 0) return { kind: 'schema-drift', table, added, missing };
    const mutation = record.kind === 'upsert' ? this.#upsert(table, record) : this.#delete(table, record);
    return { kind: 'mutations', family: table.schema.family, mutations: [mutation] };
  }

  #upsert(table: CompiledTable, record: UpsertRecord): Mutation {
    const values: WireRow = {};
    for (const column of table.columns) {
      const raw = column.source in record.values ? record.values[column.source] : null;
      values[column.field.name] = this.#convert(table, column, raw, record);
    }
    for (const column of table.keyColumns) requirePresent(table, column, values[column.field.name]);
    return { table: table.schema.table, op: 'upsert', values };
  }

  #delete(table: CompiledTable, record: DeleteRecord): Mutation {
    const key: WireRow = {};
    for (const column of table.keyColumns) {
      const raw = keyValue(record.values, record.key, column.source);
      const value = this.#convert(table, column, raw, record);
      requirePresent(table, column, value);
      key[column.field.name] = value;
    }
    return { table: table.schema.table, op: 'delete', key };
  }

  #convert(
    table: CompiledTable,
    column: CompiledColumn,
    raw: unknown,
    record: UpsertRecord | DeleteRecord,
  ): WireValue {
    const ctx = { family: table.schema.family, table: table.schema.table, field: column.field.name };
    try {
      const wire = column.convert(raw, record.columns?.get(column.source), record.position.snapshot);
      return valueToJson(parseWireValue(wire, column.field, ctx, this.#limits));
    } catch (err) {
      if (err instanceof ValueProblem || isCuttleError(err)) {
        const origin = `${sourceTableName(table.sourceTable)}.${column.source} (${column.sourceType})`;
        throw new CuttleError(
          err.code,
          `${ctx.family}.${ctx.table}.${ctx.field} from ${origin}: ${err.message}`,
          {
            details: { ...ctx, sourceTable: sourceTableName(table.sourceTable), column: column.source },
            retriable: false,
            cause: err,
          },
        );
      }
      throw err;
    }
  }
}

/** Key columns come from the row image; the Kafka key is the fallback when the image lacks them. */
function keyValue(values: SourceRow, key: SourceRow | null, column: string): unknown {
  const fromRow = values[column];
  return fromRow === undefined && key !== null ? key[column] : fromRow;
}

function requirePresent(table: CompiledTable, column: CompiledColumn, value: WireValue | undefined): void {
  if (value !== null && value !== undefined) return;
  const { family, table: name } = table.schema;
  throw new CuttleError(
    'MISSING_KEY_FIELD',
    `${family}.${name}.${column.field.name}: key column ${column.source} of ${sourceTableName(table.sourceTable)} is null`,
    { details: { family, table: name, field: column.field.name }, retriable: false },
  );
}

function unknownColumns(table: CompiledTable, row: SourceRow): string[] {
  return Object.keys(row).filter((c) => !table.bySource.has(c) && !table.ignored.has(c));
}

/** True when the event comes before the schema change that added `column`. */
function predates(at: string | null, column: CompiledColumn): boolean {
  return column.since !== undefined && at !== null && at < column.since;
}
