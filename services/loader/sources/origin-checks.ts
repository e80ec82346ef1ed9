/**
 * What `cuttle sources add` checks before it registers a source, so that no value reaches cuttle
 * different from what the origin holds (loader README, "Source fidelity"). It refuses a column
 * that holds, now, values Debezium cannot carry exactly (its snapshot would change them), or whose
 * definition makes Debezium change values; it warns about values a column may hold later that
 * cuttle would refuse or Debezium would change. Every message names the column and says what to do.
 *
 * The checks read the origin through a small port: a read-only query (counts and one example per
 * column, never the table's content) and the server's sql_mode.
 */
import { CuttleError } from '../../../lib/errors.ts';
import { MAX_DECIMAL_CHARS } from '../../../lib/schema/types.ts';
import { canonicalDecimal } from '../../../lib/schema/values.ts';
import { parseColumnType } from '../mapping/column-type.ts';
import { doubleText } from '../mapping/decimal-text.ts';
import type { CompiledColumn, CompiledTable } from '../mapping/table-mapping.ts';
import type { OriginColumn } from './origin-schema.ts';

export interface OriginProbe {
  /** A read-only query on the origin, over the binary protocol (FLOAT and DOUBLE exact). */
  query(sql: string, params: readonly (string | number)[]): Promise<Record<string, unknown>[]>;
}

export interface FidelityReport {
  /** Columns that cannot be registered as they are. */
  readonly refusals: readonly string[];
  readonly warnings: readonly string[];
}

export interface TableToCheck {
  readonly table: CompiledTable;
  /** The origin's description of the table's columns (nullability, defaults). */
  readonly columns: readonly OriginColumn[];
}

/** sql_mode flags that keep zero and partial dates out of a column (with a strict mode). */
const NO_ZERO_DATES = ['NO_ZERO_DATE', 'NO_ZERO_IN_DATE'];
const STRICT = ['STRICT_TRANS_TABLES', 'STRICT_ALL_TABLES', 'TRADITIONAL'];

/** DOUBLE values whose plain decimal text may be over 100 characters lie outside these bounds. */
const DOUBLE_LARGE = 1e99;
const DOUBLE_SMALL = 1e-80;

export async function checkFidelity(
  tables: readonly TableToCheck[],
  format: 'json' | 'avro',
  probe: OriginProbe,
): Promise<FidelityReport> {
  const refusals: string[] = [];
  const warnings: string[] = [];
  const dated: string[] = [];
  for (const { table, columns } of tables) {
    const origin = new Map(columns.map((c) => [c.name, c]));
    for (const column of table.columns) {
      const where = `${table.sourceTable.database}.${table.sourceTable.table}.${column.source} (${column.sourceType})`;
      const problems = await columnProblems(table, column, origin.get(column.source), format, probe);
      refusals.push(...problems.refusals.map((p) => `column ${where}: ${p}`));
      warnings.push(...problems.warnings.map((p) => `column ${where}: ${p}`));
      if (['date', 'datetime', 'timestamp'].includes(column.plan.kind)) dated.push(where);
    }
  }
  if (dated.length > 0 && !(await zeroDatesImpossible(probe))) {
    warnings.push(
      `the origin's sql_mode allows zero and partial dates (such as 0000-00-00 or 2024-00-10): written later into ${dated.join(', ')}, Debezium sends them as NULL, 1970-01-01 or the column's default, which cuttle cannot tell from real values; add ${NO_ZERO_DATES.join(',')} and a strict mode to the origin's sql_mode`,
    );
  }
  return { refusals, warnings };
}

/** Throws one UNCARRIABLE_VALUE error listing every refused column. */
export function requireCarriable(source: string, report: FidelityReport): void {
  if (report.refusals.length === 0) return;
  throw new CuttleError(
    'UNCARRIABLE_VALUE',
    `source ${source} cannot be carried exactly:\n${report.refusals.map((r) => `  - ${r}`).join('\n')}`,
    { details: { source, problems: report.refusals }, retriable: false },
  );
}

interface ColumnProblems {
  readonly refusals: string[];
  readonly warnings: string[];
}

async function columnProblems(
  table: CompiledTable,
  column: CompiledColumn,
  origin: OriginColumn | undefined,
  format: 'json' | 'avro',
  probe: OriginProbe,
): Promise<ColumnProblems> {
  const out: ColumnProblems = { refusals: [], warnings: [] };
  const found = (condition: (c: string) => string) => countWhere(probe, table, column.source, condition);
  if (format === 'avro' && origin !== undefined && hasNonNullDefault(origin)) {
    out.refusals.push(
      `it is nullable with DEFAULT ${origin.defaultValue ?? ''}, and the Avro converter writes the default for a NULL; register the source as json, make the column NOT NULL or drop its default, or exclude it`,
    );
  }
  switch (column.plan.kind) {
    case 'date':
    case 'datetime':
    case 'timestamp': {
      const zero = await found((c) => `(YEAR(${c}) = 0 OR MONTH(${c}) = 0 OR DAYOFMONTH(${c}) = 0)`);
      if (zero.count > 0) {
        out.refusals.push(
          `${zero.count} row(s) hold a zero or partial date or year 0000 (e.g. ${zero.example}), which Debezium sends as NULL, 1970-01-01 or the column's default; set them to NULL or a real date, or exclude the column`,
        );
      }
      break;
    }
    case 'year': {
      const zero = await found((c) => `${c} + 0 = 0`);
      if (zero.count > 0) {
        out.refusals.push(
          `${zero.count} row(s) hold YEAR 0000, which Debezium's snapshot reads as 2000 (or fails on); set them to NULL or another year, or exclude the column (0000 written later is carried)`,
        );
      }
      break;
    }
    case 'float': {
      // Snapshot reads get FLOAT as MariaDB prints it, with 6 significant digits.
      const rounded = await found((c) => `CAST(CAST(${c} AS CHAR) AS FLOAT) <> ${c}`);
      if (rounded.count > 0) {
        out.refusals.push(
          `${rounded.count} row(s) hold FLOAT values with more than 6 significant digits (e.g. ${rounded.example}), which Debezium's snapshot reads rounded to 6; change the column to DOUBLE, round the values, or exclude the column (such values written later are carried)`,
        );
      }
      break;
    }
    case 'double':
      await doubleProblems(probe, table, column, out);
      break;
    case 'enum':
    case 'set': {
      const unclear = membersWithQuestionMark(column);
      if (unclear.length > 0) {
        out.refusals.push(
          `member(s) ${unclear.map((m) => `'${m}'`).join(', ')} contain "?", which is also how MariaDB's schema shows a 4-byte character that Debezium would then send as "?"; rename the member(s) or exclude the column`,
        );
      }
      break;
    }
    case 'unsigned-bigint':
      if (column.field.type === 'integer') {
        const big = await found((c) => `${c} > 9223372036854775807`);
        if (big.count > 0) {
          out.refusals.push(
            `${big.count} key value(s) are above 2^63-1 (e.g. ${big.example}), which a cuttle integer key cannot hold; exclude the table or give it another key`,
          );
        }
      }
      break;
    default:
      break;
  }
  return out;
}

function hasNonNullDefault(column: OriginColumn): boolean {
  const value = column.defaultValue;
  return column.nullable === true && value !== null && value !== undefined && value.toUpperCase() !== 'NULL';
}

function membersWithQuestionMark(column: CompiledColumn): string[] {
  return parseColumnType(column.sourceType).members.filter((m) => m.includes('?'));
}

async function doubleProblems(
  probe: OriginProbe,
  table: CompiledTable,
  column: CompiledColumn,
  out: ColumnProblems,
): Promise<void> {
  out.warnings.push(
    `DOUBLE values whose exact decimal text is over ${MAX_DECIMAL_CHARS} characters (magnitudes from about 1e99, or below about 1e-80 such as 1e-300) are refused: such a change is a poison event`,
  );
  const rows = await probe.query(
    `SELECT ${quote(column.source)} AS c FROM ${tableName(table)} WHERE ${quote(column.source)} <> 0 AND (ABS(${quote(column.source)}) >= ? OR ABS(${quote(column.source)}) < ?) LIMIT 1000`,
    [DOUBLE_LARGE, DOUBLE_SMALL],
  );
  const refused = rows
    .map((r) => Number(r.c))
    .filter((v) => canonicalDecimal(doubleText(v) ?? '').length > MAX_DECIMAL_CHARS);
  if (refused.length > 0) {
    out.refusals.push(
      `${refused.length} row(s) hold DOUBLE values cuttle refuses (e.g. ${refused[0]}); change them, or exclude the column`,
    );
  }
}

async function countWhere(
  probe: OriginProbe,
  table: CompiledTable,
  column: string,
  condition: (c: string) => string,
): Promise<{ count: number; example: string | null }> {
  const c = quote(column);
  const [row] = await probe.query(
    `SELECT COUNT(*) AS n, MIN(CAST(${c} AS CHAR)) AS example FROM ${tableName(table)} WHERE ${c} IS NOT NULL AND ${condition(c)}`,
    [],
  );
  return { count: Number(row?.n ?? 0), example: textOf(row?.example) };
}

async function zeroDatesImpossible(probe: OriginProbe): Promise<boolean> {
  const [row] = await probe.query('SELECT @@GLOBAL.sql_mode AS mode', []);
  const modes = new Set((textOf(row?.mode) ?? '').split(','));
  return NO_ZERO_DATES.every((m) => modes.has(m)) && STRICT.some((m) => modes.has(m));
}

function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint'
    ? String(value)
    : JSON.stringify(value);
}

function quote(identifier: string): string {
  return `\`${identifier.replaceAll('`', '``')}\``;
}

function tableName(table: CompiledTable): string {
  return `${quote(table.sourceTable.database)}.${quote(table.sourceTable.table)}`;
}
