/**
 * Whether an origin column's type change keeps every value it holds, as the same cuttle value.
 * MariaDB rewrites a column's values during ALTER TABLE … MODIFY without writing row events, so
 * the loader only follows a change by itself when no stored value can differ afterwards: a
 * widening (INT → BIGINT, VARCHAR(10) → VARCHAR(100), DECIMAL(10,2) → DECIMAL(12,3), TEXT →
 * MEDIUMTEXT, ENUM members appended). Anything else (narrowing, FLOAT → DOUBLE, a new fraction
 * precision, BINARY(n) padding, reordered members) is held for an operator.
 */
import type { SourceColumnType } from './column-type.ts';

const INTEGER_BITS: Readonly<Record<string, number>> = {
  boolean: 8,
  tinyint: 8,
  smallint: 16,
  mediumint: 24,
  int: 32,
  bigint: 64,
};
const TEXT_SIZES = ['tinytext', 'text', 'mediumtext', 'longtext'];
const BLOB_SIZES = ['tinyblob', 'blob', 'mediumblob', 'longblob'];
/** Types whose length is a maximum: a longer one holds the same values. */
const BOUNDED = new Set(['varchar', 'char', 'varbinary']);

export function keepsValues(from: SourceColumnType, to: SourceColumnType): boolean {
  if (sameType(from, to)) return true;
  const fromBits = INTEGER_BITS[from.base];
  const toBits = INTEGER_BITS[to.base];
  if (fromBits !== undefined && toBits !== undefined) return integerWidens(from, fromBits, to, toBits);
  if (from.base === 'decimal' && to.base === 'decimal') return decimalWidens(from, to);
  if (from.base !== to.base) return sizeWidens(TEXT_SIZES, from, to) || sizeWidens(BLOB_SIZES, from, to);
  if (BOUNDED.has(from.base)) return (to.length ?? 1) >= (from.length ?? 1);
  if (from.base === 'enum' || from.base === 'set') {
    return from.members.every((m, i) => to.members[i] === m);
  }
  return false;
}

function sameType(a: SourceColumnType, b: SourceColumnType): boolean {
  if (a.base !== b.base || a.unsigned !== b.unsigned) return false;
  // Display widths of integers (int(11)) mean nothing for the values.
  if (INTEGER_BITS[a.base] !== undefined) return true;
  return (
    (a.length ?? null) === (b.length ?? null) &&
    (a.scale ?? null) === (b.scale ?? null) &&
    a.members.length === b.members.length &&
    a.members.every((m, i) => b.members[i] === m)
  );
}

function integerWidens(
  from: SourceColumnType,
  fromBits: number,
  to: SourceColumnType,
  toBits: number,
): boolean {
  if (from.unsigned === to.unsigned) return toBits >= fromBits;
  return from.unsigned && toBits > fromBits;
}

/** DECIMAL(p,s): as many integer digits and fraction digits or more (MariaDB's default is (10,0)). */
function decimalWidens(from: SourceColumnType, to: SourceColumnType): boolean {
  if (to.unsigned && !from.unsigned) return false;
  const fromScale = from.scale ?? 0;
  const toScale = to.scale ?? 0;
  const fromInt = (from.length ?? 10) - fromScale;
  const toInt = (to.length ?? 10) - toScale;
  return toScale >= fromScale && toInt >= fromInt;
}

function sizeWidens(sizes: readonly string[], from: SourceColumnType, to: SourceColumnType): boolean {
  const a = sizes.indexOf(from.base);
  const b = sizes.indexOf(to.base);
  return a >= 0 && b >= a;
}
