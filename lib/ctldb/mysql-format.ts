/**
 * Client-side placeholder expansion for MySQL/MariaDB.
 *
 * ctldb sessions run with NO_BACKSLASH_ESCAPES and ANSI_QUOTES (see mysql-adapter.ts). mysql2's
 * built-in escaping assumes backslash escapes, which under NO_BACKSLASH_ESCAPES would store a
 * backslash twice; so we quote literals ourselves in the only form that means the same in every
 * sql_mode we allow: strings with `'` doubled, bytes as X'hex', integers in decimal. One text
 * query per multi-row statement is also what makes batch inserts fast (no prepared statement per
 * row-count shape).
 */
import type { SqlParam } from './dialect.ts';

export function mysqlLiteral(value: SqlParam): string {
  if (value === null) return 'NULL';
  switch (typeof value) {
    case 'string':
      return `'${value.replaceAll("'", "''")}'`;
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError(`cannot send ${value} to MySQL`);
      return String(value);
    default:
      return `X'${value.toString('hex')}'`;
  }
}

/** Replaces each `?` with the next parameter. Our SQL never holds a `?` inside a literal. */
export function formatMysql(sql: string, params: readonly SqlParam[] = []): string {
  if (params.length === 0) return sql;
  const parts = sql.split('?');
  if (parts.length - 1 !== params.length) {
    throw new RangeError(`statement has ${parts.length - 1} placeholders but ${params.length} parameters`);
  }
  let out = parts[0] ?? '';
  for (let i = 0; i < params.length; i++) out += mysqlLiteral(params[i] ?? null) + (parts[i + 1] ?? '');
  return out;
}
