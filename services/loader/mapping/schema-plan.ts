/**
 * What a schema change at the origin means for a mapped table. New columns can be appended to the
 * cuttle table (cuttle fields are only ever added, nullable), and a column widened so that every
 * value it holds stays the same cuttle value is followed (widening.ts); anything else that would
 * change what a field holds (a dropped, narrowed, retyped or re-keyed column, a dropped table) is
 * held with a reason for an operator, because applying it silently could make ctldb differ from
 * the origin.
 */
import { isCuttleError } from '../../../lib/errors.ts';
import type { FieldDef } from '../../../lib/schema/types.ts';
import type { TableChange } from '../decode/change-record.ts';
import {
  columnTypeFromSchemaColumn,
  describeColumnType,
  parseColumnType,
  type SourceColumnType,
} from './column-type.ts';
import type { DebeziumEncodings } from './encodings.ts';
import type { SourceColumnConfig, TableMapping } from './source-config.ts';
import { compileColumn, type CompiledTable } from './table-mapping.ts';
import { keepsValues } from './widening.ts';

export type SchemaPlan =
  | { readonly action: 'none' }
  /** Store `mapping` (same fields, refreshed column types) and add `addFields` first, if any. */
  | { readonly action: 'apply'; readonly mapping: TableMapping; readonly addFields: readonly FieldDef[] }
  | { readonly action: 'hold'; readonly reason: string };

/** What an operator does about a held table (cli/commands/sources.ts). */
const RESOLVE =
  "check the cuttle table, then accept the origin's new schema with `cuttle sources resolve <source> <database.table>`";

export function planSchemaChange(
  table: CompiledTable,
  change: TableChange,
  policy: 'add-columns' | 'hold',
  encodings: DebeziumEncodings,
  /** Binlog key of the schema change, recorded on the columns it adds. */
  since: string | null = null,
): SchemaPlan {
  const name = `${change.sourceTable.database}.${change.sourceTable.table}`;
  if (change.type === 'DROP') return hold(`origin table ${name} was dropped`);
  const config = table.config;
  const keyChanged = change.primaryKeyColumns.join(',') !== config.keyColumns.join(',');
  if (change.primaryKeyColumns.length > 0 && keyChanged) {
    return hold(
      `the primary key of ${name} changed from (${config.keyColumns.join(', ')}) to (${change.primaryKeyColumns.join(', ')})`,
    );
  }
  const incomingTypes = new Map(change.columns.map((c) => [c.name, columnTypeFromSchemaColumn(c)]));
  const incoming: SourceColumnConfig[] = change.columns.map((c) => {
    const earlier = config.columns.find((k) => k.name === c.name)?.since;
    return {
      name: c.name,
      type: describeColumnType(incomingTypes.get(c.name) as SourceColumnType),
      ...(earlier === undefined ? {} : { since: earlier }),
    };
  });
  const incomingNames = new Set(incoming.map((c) => c.name));
  const dropped = table.columns.filter((c) => !incomingNames.has(c.source)).map((c) => c.source);
  if (dropped.length > 0)
    return hold(
      `mapped column(s) ${dropped.join(', ')} of ${name} were dropped or renamed at the origin; ${RESOLVE}`,
    );
  const added: SourceColumnConfig[] = [];
  for (const column of incoming) {
    const mapped = table.bySource.get(column.name);
    if (mapped === undefined) {
      if (!table.ignored.has(column.name) && !table.ignoresUnknownColumns) added.push(column);
      continue;
    }
    const before = parseColumnType(mapped.sourceType);
    const after = incomingTypes.get(column.name) as SourceColumnType;
    if (!keepsValues(before, after)) {
      return hold(
        `column ${column.name} of ${name} changed from ${describeColumnType(before)} to ${column.type}, and MariaDB rewrote its values without sending them again; ${RESOLVE}`,
      );
    }
    const retyped = retypeProblem(config, mapped.field, column, encodings);
    if (retyped !== undefined) return hold(`${retyped}; ${RESOLVE}`);
  }
  const known = new Set(config.columns.map((c) => c.name));
  const changedTypes = incoming.some(
    (c) => known.has(c.name) && config.columns.find((k) => k.name === c.name)?.type !== c.type,
  );
  if (added.length === 0 && !changedTypes && incoming.length === config.columns.length)
    return { action: 'none' };
  if (added.length > 0 && policy === 'hold') {
    return hold(
      `origin columns ${added.map((c) => c.name).join(', ')} were added to ${name}; the source holds schema changes`,
    );
  }
  const addedNames = new Set(added.map((c) => c.name));
  const columns = incoming.map((c) => (addedNames.has(c.name) && since !== null ? { ...c, since } : c));
  const mapping: TableMapping = { ...config, columns };
  const addFields: FieldDef[] = [];
  for (const column of added) {
    try {
      addFields.push(compileColumn(mapping, column, encodings).field);
    } catch (err) {
      if (isCuttleError(err)) return hold(`${err.message}; exclude the column to let the rest through`);
      throw err;
    }
  }
  return { action: 'apply', mapping, addFields };
}

function retypeProblem(
  config: TableMapping,
  field: FieldDef,
  column: SourceColumnConfig,
  encodings: DebeziumEncodings,
): string | undefined {
  try {
    const next = compileColumn(config, column, encodings);
    if (next.field.type === field.type) return undefined;
    return `column ${column.name} changed to ${column.type}, which maps to ${next.field.type}, but field ${field.name} is ${field.type}`;
  } catch (err) {
    if (isCuttleError(err)) return err.message;
    throw err;
  }
}

function hold(reason: string): SchemaPlan {
  return { action: 'hold', reason };
}
