/**
 * Compiles one source table's mapping: which origin columns become which cuttle fields, with
 * which types and converters. Every problem is collected and reported at once, so an operator
 * registering a source sees the whole list (unmappable types, bad names, missing key columns).
 */
import { CuttleError, isCuttleError, type ErrorCode } from '../../../lib/errors.ts';
import { validateFieldName } from '../../../lib/schema/names.ts';
import { validateTableSchema, type FieldDef, type TableSchema } from '../../../lib/schema/types.ts';
import type { SourceTableId } from '../decode/change-record.ts';
import { parseColumnType } from './column-type.ts';
import type { DebeziumEncodings } from './encodings.ts';
import { planColumn, type ColumnPlan } from './field-type.ts';
import type { TableMapping } from './source-config.ts';
import { compileConverter, encodingProblem, type Converter } from './value-convert.ts';

export interface CompiledColumn {
  readonly source: string;
  readonly sourceType: string;
  readonly field: FieldDef;
  readonly plan: ColumnPlan;
  readonly convert: Converter;
  /** Binlog key of the ADD COLUMN that added it (source-config.ts); events before it lack it. */
  readonly since?: string;
}

export interface CompiledTable {
  readonly sourceTable: SourceTableId;
  readonly config: TableMapping;
  readonly schema: TableSchema;
  /** Mapped columns in origin order. */
  readonly columns: readonly CompiledColumn[];
  readonly bySource: ReadonlyMap<string, CompiledColumn>;
  readonly keyColumns: readonly CompiledColumn[];
  /** Origin columns deliberately left out (excluded, or not in the include list). */
  readonly ignored: ReadonlySet<string>;
  /** With an include list, columns the origin adds later are ignored too. */
  readonly ignoresUnknownColumns: boolean;
  readonly warnings: readonly string[];
}

interface Problem {
  readonly code: ErrorCode;
  readonly message: string;
}

export function compileTableMapping(config: TableMapping, encodings: DebeziumEncodings): CompiledTable {
  const problems: Problem[] = [];
  const { database, table } = config.source;
  const known = new Set(config.columns.map((c) => c.name));
  checkReferences(config, known, problems);
  const included = new Set(config.include ?? known);
  const ignored = new Set([...known].filter((c) => !included.has(c) || config.exclude.includes(c)));
  for (const key of config.keyColumns) {
    if (known.has(key) && ignored.has(key))
      problems.push(
        bad(
          `key column ${key} is excluded; keys must be mapped (name other key columns with --key ${table}=<col>,<col>)`,
        ),
      );
  }
  const columns: CompiledColumn[] = [];
  const warnings: string[] = [];
  for (const column of config.columns) {
    if (ignored.has(column.name)) continue;
    const compiled = collect(problems, () => compileColumn(config, column, encodings));
    if (compiled === undefined) continue;
    columns.push(compiled);
    warnings.push(...compiled.plan.warnings);
  }
  checkDuplicateFields(columns, problems);
  const schema = problems.length === 0 ? collect(problems, () => tableSchemaOf(config, columns)) : undefined;
  if (schema === undefined || problems.length > 0) throw mappingFailure(`${database}.${table}`, problems);
  const bySource = new Map(columns.map((c) => [c.source, c]));
  return {
    sourceTable: { database, table },
    config,
    schema,
    columns,
    bySource,
    keyColumns: config.keyColumns.map((k) => bySource.get(k) as CompiledColumn),
    ignored,
    ignoresUnknownColumns: config.include !== undefined,
    warnings,
  };
}

export function compileColumn(
  config: TableMapping,
  column: { readonly name: string; readonly type: string; readonly since?: string | undefined },
  encodings: DebeziumEncodings,
): CompiledColumn {
  const ref = { database: config.source.database, table: config.source.table, column: column.name };
  const plan = planColumn(parseColumnType(column.type), ref, config.keyColumns.includes(column.name));
  const encoding = encodingProblem(plan, encodings);
  if (encoding !== undefined) {
    throw new CuttleError(
      'INVALID_FIELD_TYPE',
      `column ${ref.database}.${ref.table}.${ref.column} (${column.type}): ${encoding}`,
      {
        details: { ...ref, sourceType: column.type },
      },
    );
  }
  const name = fieldNameOf(config, column.name);
  return {
    source: column.name,
    sourceType: column.type,
    field: { name, type: plan.fieldType },
    plan,
    convert: compileConverter(plan, encodings),
    ...(column.since === undefined ? {} : { since: column.since }),
  };
}

function fieldNameOf(config: TableMapping, column: string): string {
  const renamed = config.renames[column];
  const name = renamed ?? column.toLowerCase();
  try {
    return validateFieldName(name);
  } catch (err) {
    const hint = renamed === undefined ? '; add a rename for it' : '';
    throw new CuttleError(
      'INVALID_NAME',
      `column ${column} maps to field ${JSON.stringify(name)}, which is not a valid field name${hint}`,
      {
        details: { column, field: name },
        cause: err,
      },
    );
  }
}

function checkReferences(config: TableMapping, known: ReadonlySet<string>, problems: Problem[]): void {
  const lists: [string, readonly string[]][] = [
    ['keyColumns', config.keyColumns],
    ['include', config.include ?? []],
    ['exclude', config.exclude],
    ['renames', Object.keys(config.renames)],
  ];
  for (const [list, names] of lists) {
    for (const name of names) {
      if (!known.has(name))
        problems.push(bad(`${list} names column ${name}, which ${config.source.table} does not have`));
    }
  }
}

function checkDuplicateFields(columns: readonly CompiledColumn[], problems: Problem[]): void {
  const seen = new Map<string, string>();
  for (const c of columns) {
    const other = seen.get(c.field.name);
    if (other !== undefined)
      problems.push(bad(`columns ${other} and ${c.source} both map to field ${c.field.name}`));
    seen.set(c.field.name, c.source);
  }
}

function tableSchemaOf(config: TableMapping, columns: readonly CompiledColumn[]): TableSchema {
  const keyFields = config.keyColumns.map((k) => columns.find((c) => c.source === k)?.field.name ?? k);
  return validateTableSchema(
    config.target.family,
    config.target.table,
    columns.map((c) => c.field),
    keyFields,
  );
}

function bad(message: string): Problem {
  return { code: 'BAD_REQUEST', message };
}

function collect<T>(problems: Problem[], run: () => T): T | undefined {
  try {
    return run();
  } catch (err) {
    if (!isCuttleError(err)) throw err;
    problems.push({ code: err.code, message: err.message });
    return undefined;
  }
}

function mappingFailure(table: string, problems: readonly Problem[]): CuttleError {
  const first = problems[0]?.code ?? 'BAD_REQUEST';
  const list = problems.map((p) => `  - ${p.message}`).join('\n');
  return new CuttleError(first, `source table ${table} cannot be mapped:\n${list}`, {
    details: { sourceTable: table, problems: problems.map((p) => p.message) },
    retriable: false,
  });
}
