/**
 * Names of families, tables, fields and writers. Family, table and field names are
 * `[a-z][a-z0-9_]*` with ctlstore's lengths (family 3–30, table 3–50, field 1–64), so they are
 * safe as SQL identifiers once quoted. ctlstore let `family___table` exceed MySQL's 64-character
 * identifier limit; cuttle rejects such a pair up front.
 */
import { CuttleError, describeValue, detailValue, previewText } from '../errors.ts';

const IDENTIFIER = /^[a-z][a-z0-9_]*$/;
const WRITER = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
/** MySQL's limit on a table name; the physical name must fit it. */
const MAX_PHYSICAL_NAME = 64;
export const PHYSICAL_SEPARATOR = '___';

interface NameRule {
  readonly kind: 'family' | 'table' | 'field';
  readonly min: number;
  readonly max: number;
  /** Family and table names may not contain `__`, so `family___table` splits one way only. */
  readonly allowDoubleUnderscore: boolean;
}

const rules = {
  family: { kind: 'family', min: 3, max: 30, allowDoubleUnderscore: false },
  table: { kind: 'table', min: 3, max: 50, allowDoubleUnderscore: false },
  field: { kind: 'field', min: 1, max: 64, allowDoubleUnderscore: true },
} as const satisfies Record<string, NameRule>;

function check(rule: NameRule, name: unknown): string {
  if (typeof name !== 'string') {
    throw new CuttleError('INVALID_NAME', `${rule.kind} name must be a string, got ${describeValue(name)}`, {
      details: { [rule.kind]: detailValue(name) },
    });
  }
  const problem =
    name.length < rule.min || name.length > rule.max
      ? `must be ${rule.min} to ${rule.max} characters long`
      : !IDENTIFIER.test(name)
        ? 'must start with a lower-case letter and hold only a-z, 0-9 and _'
        : !rule.allowDoubleUnderscore && name.includes('__')
          ? 'may not contain "__"'
          : undefined;
  if (problem !== undefined) {
    throw new CuttleError('INVALID_NAME', `${rule.kind} name ${previewText(name)} ${problem}`, {
      details: { [rule.kind]: detailValue(name) },
    });
  }
  return name;
}

export const validateFamilyName = (name: unknown): string => check(rules.family, name);
export const validateTableName = (name: unknown): string => check(rules.table, name);
export const validateFieldName = (name: unknown): string => check(rules.field, name);

/** Validates a family/table pair, including the length of the physical name they make together. */
export function validateTableRef(family: unknown, table: unknown): { family: string; table: string } {
  const f = validateFamilyName(family);
  const t = validateTableName(table);
  if (physicalTableName(f, t).length > MAX_PHYSICAL_NAME) {
    throw new CuttleError(
      'INVALID_NAME',
      `family ${f} and table ${t} together are too long: "${f}${PHYSICAL_SEPARATOR}${t}" exceeds ${MAX_PHYSICAL_NAME} characters`,
      { details: { family: f, table: t } },
    );
  }
  return { family: f, table: t };
}

export function validateWriterName(name: unknown): string {
  if (typeof name !== 'string' || name.length < 3 || name.length > 50 || !WRITER.test(name)) {
    throw new CuttleError(
      'INVALID_NAME',
      `writer name ${typeof name === 'string' ? previewText(name) : describeValue(name)} must be 3 to 50 characters of A-Z, a-z, 0-9, _ . : - (starting with a letter or digit)`,
      { details: { writer: detailValue(name) } },
    );
  }
  return name;
}

/** SQLite reserves table names starting with this; a family's tables would start with its name. */
const SQLITE_RESERVED_PREFIX = 'sqlite_';

/**
 * A family name that may be created: valid, and not one whose tables SQLite would refuse (every
 * LDB, and an embedded ctldb, hold them as `family___table`). Checked at creation only, so a
 * family created on MySQL before this rule stays addressable.
 */
export function validateNewFamilyName(name: unknown): string {
  const family = validateFamilyName(name);
  if (family.startsWith(SQLITE_RESERVED_PREFIX)) {
    throw new CuttleError(
      'INVALID_NAME',
      `family name ${family} may not start with "${SQLITE_RESERVED_PREFIX}": SQLite reserves table names starting with it`,
      { details: { family } },
    );
  }
  return family;
}

/** The SQL table holding a cuttle table's rows, in ctldb and in every LDB. */
export function physicalTableName(family: string, table: string): string {
  return `${family}${PHYSICAL_SEPARATOR}${table}`;
}

/** Double-quotes an identifier for SQLite and for MySQL in ANSI_QUOTES mode. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
