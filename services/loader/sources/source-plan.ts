/**
 * The whole mapping plan of a source before anything is created: every table and column with
 * the cuttle field it becomes (or why not), every warning and every refusal, collected in one
 * pass so that an operator fixes everything in one round trip (`cuttle sources add --dry-run`).
 * `addSource` refuses to register a plan that has refusals, listing all of them.
 */
import { CuttleError, isCuttleError, type ErrorCode } from '../../../lib/errors.ts';
import type { FieldType } from '../../../lib/schema/types.ts';
import { parseColumnType } from '../mapping/column-type.ts';
import type { DebeziumEncodings } from '../mapping/encodings.ts';
import { planColumn } from '../mapping/field-type.ts';
import {
  tableMappingSchema,
  type SourceConfigInput,
  type TableMappingConfig,
} from '../mapping/source-config.ts';
import { compileTableMapping, type CompiledTable } from '../mapping/table-mapping.ts';
import { checkFidelity, type OriginProbe } from './origin-checks.ts';
import { tableMappingFromOrigin, type OriginColumn, type TableChoice } from './origin-schema.ts';
import { tableNameProblem } from './table-names.ts';

export interface OriginSchemaReader extends OriginProbe {
  columns(database: string, table: string): Promise<OriginColumn[]>;
}

export interface ColumnPlanView {
  readonly column: string;
  readonly type: string;
  readonly key: boolean;
  /** mapped: becomes `field` of `fieldType`; excluded: left out; refused: see the table's refusals. */
  readonly status: 'mapped' | 'excluded' | 'refused';
  readonly field?: string;
  readonly fieldType?: FieldType;
}

export interface TablePlanView {
  /** `<database>.<table>` at the origin. */
  readonly source: string;
  /** `<family>.<table>` in cuttle. */
  readonly target: string;
  readonly keyColumns: readonly string[];
  readonly columns: readonly ColumnPlanView[];
}

export interface Refusal {
  readonly code: ErrorCode;
  /** `<database>.<table>` it concerns. */
  readonly table: string;
  readonly message: string;
}

export interface SourcePlan {
  readonly config: SourceConfigInput;
  readonly tables: readonly TablePlanView[];
  /** Compiled tables (those without a mapping refusal), with their origin columns. */
  readonly compiled: readonly { readonly table: CompiledTable; readonly columns: readonly OriginColumn[] }[];
  readonly warnings: readonly string[];
  readonly refusals: readonly Refusal[];
}

export interface PlanRequest {
  readonly name: string;
  readonly database: string;
  readonly tables: readonly Omit<TableChoice, 'database'>[];
  readonly config: Omit<SourceConfigInput, 'tables'> & { readonly encodings: DebeziumEncodings };
}

/** Characters `message.key.columns` uses as separators: a key column cannot hold them. */
const KEY_SEPARATORS = /[,;:]/;

export async function planSource(request: PlanRequest, origin: OriginSchemaReader): Promise<SourcePlan> {
  const refusals: Refusal[] = [];
  const warnings: string[] = [];
  const views: TablePlanView[] = [];
  const compiled: { table: CompiledTable; columns: readonly OriginColumn[] }[] = [];
  const mappings: TableMappingConfig[] = [];
  for (const choice of request.tables) {
    const where = `${request.database}.${choice.table}`;
    const refuse = (code: ErrorCode, message: string): void => {
      refusals.push({ code, table: where, message });
    };
    const nameProblem = tableNameProblem(request.name, request.database, choice.table);
    if (nameProblem !== undefined) refuse('INVALID_NAME', `table ${where}: ${nameProblem}`);
    for (const key of choice.keyColumns ?? []) {
      if (KEY_SEPARATORS.test(key))
        refuse(
          'INVALID_KEY',
          `key column ${JSON.stringify(key)} of ${where} holds , ; or :, which Debezium's message.key.columns cannot carry`,
        );
    }
    const columns = await origin.columns(request.database, choice.table);
    let mapping: TableMappingConfig;
    try {
      mapping = tableMappingFromOrigin({ ...choice, database: request.database }, columns);
    } catch (err) {
      if (!isCuttleError(err)) throw err;
      refuse(err.code, err.message);
      views.push(viewOf(choice, request.database, columns, []));
      continue;
    }
    views.push(viewOf(choice, request.database, columns, mapping.keyColumns));
    try {
      const table = compileTableMapping(tableMappingSchema.parse(mapping), request.config.encodings);
      compiled.push({ table, columns });
      warnings.push(...table.warnings.map((w) => `table ${where}: ${w}`));
      mappings.push(mapping);
    } catch (err) {
      if (!isCuttleError(err)) throw err;
      for (const problem of problemsOf(err)) refuse(err.code, problem);
    }
  }
  await checkParseableSchema(request.database, origin, refusals, warnings);
  // Fidelity of every table that maps, so its refusals come in the same run as the others.
  const fidelity = await checkFidelity(compiled, request.config.format ?? 'json', origin);
  for (const message of fidelity.refusals)
    refusals.push({ code: 'UNCARRIABLE_VALUE', table: tableOf(message), message });
  warnings.push(...fidelity.warnings);
  return { config: { ...request.config, tables: mappings }, tables: views, compiled, warnings, refusals };
}

/**
 * Debezium 3.2's MariaDB DDL parser fails on an INET6 column ("no viable alternative at input
 * ... inet6") and then stops the connector. It parses the definition of every table of the
 * captured database (and, by default, the server's other databases), captured or not: an INET6
 * column there is refused, elsewhere on the server a warning.
 */
async function checkParseableSchema(
  database: string,
  origin: OriginSchemaReader,
  refusals: Refusal[],
  warnings: string[],
): Promise<void> {
  const rows = await origin.query(
    "SELECT TABLE_SCHEMA AS db, TABLE_NAME AS tbl, COLUMN_NAME AS col FROM information_schema.COLUMNS WHERE DATA_TYPE = 'inet6' AND TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')",
    [],
  );
  for (const row of rows) {
    const where = `${String(row.db)}.${String(row.tbl)}.${String(row.col)}`;
    const why = `column ${where} is INET6, which Debezium's DDL parser cannot read: the connector stops at the table's definition whether or not it is captured`;
    if (String(row.db) === database)
      refusals.push({
        code: 'INVALID_FIELD_TYPE',
        table: `${String(row.db)}.${String(row.tbl)}`,
        message: `${why}; change it to BINARY(16) or VARCHAR(39), or move the table to another database`,
      });
    else
      warnings.push(
        `${why}; it is in another database, which Debezium reads too while it records the server's schema history`,
      );
  }
}

/**
 * Throws one error listing every refusal, or returns. Its code is the refusals' code when they
 * share one, else SOURCE_REFUSED (each refusal's code is in `details.refusals`).
 */
export function requirePlanAccepted(source: string, plan: SourcePlan): void {
  if (plan.refusals.length === 0) return;
  const codes = new Set(plan.refusals.map((r) => r.code));
  const code: ErrorCode = codes.size === 1 ? (plan.refusals[0] as Refusal).code : 'SOURCE_REFUSED';
  const what = code === 'UNCARRIABLE_VALUE' ? 'cannot be carried exactly' : 'cannot be registered';
  throw new CuttleError(
    code,
    `source ${source} ${what}:\n${plan.refusals.map((r) => `  - ${r.message}`).join('\n')}`,
    {
      details: {
        source,
        problems: plan.refusals.map((r) => r.message),
        refusals: plan.refusals.map((r) => ({ ...r })),
        tables: [...new Set(plan.refusals.map((r) => r.table))],
      },
      retriable: false,
    },
  );
}

function problemsOf(err: CuttleError): string[] {
  const problems = err.details.problems;
  return Array.isArray(problems) ? problems.map(String) : [err.message];
}

function tableOf(message: string): string {
  // Fidelity messages read `column <db>.<table>.<column> (<type>): …`.
  const match = /^column ([^ ]+)\.[^.( ]+ \(/.exec(message);
  return match?.[1] ?? '';
}

function viewOf(
  choice: Omit<TableChoice, 'database'>,
  database: string,
  columns: readonly OriginColumn[],
  keyColumns: readonly string[],
): TablePlanView {
  const included = new Set(choice.include ?? columns.map((c) => c.name));
  const excluded = new Set(choice.exclude ?? []);
  return {
    source: `${database}.${choice.table}`,
    target: `${choice.family}.${choice.targetTable ?? choice.table.toLowerCase()}`,
    keyColumns,
    columns: [...columns]
      .sort((a, b) => a.position - b.position)
      .map((c): ColumnPlanView => {
        const key = keyColumns.includes(c.name);
        const base = { column: c.name, type: c.type, key };
        if (!included.has(c.name) || excluded.has(c.name)) return { ...base, status: 'excluded' };
        try {
          const ref = { database, table: choice.table, column: c.name };
          const { fieldType } = planColumn(parseColumnType(c.type), ref, key);
          return {
            ...base,
            status: 'mapped',
            field: choice.renames?.[c.name] ?? c.name.toLowerCase(),
            fieldType,
          };
        } catch (err) {
          if (!isCuttleError(err)) throw err;
          return { ...base, status: 'refused' };
        }
      }),
  };
}
