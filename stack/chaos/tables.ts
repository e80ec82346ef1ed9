/**
 * Table contents in one comparable form, whoever holds them (origin, ctldb, an LDB, a ledger
 * replay): key string -> field -> text. Integers in decimal, decimals canonical, bytes in
 * base64, null as null; a field a row lacks (added after it was written) reads as null.
 */
import type { FieldType } from '../../lib/schema/types.ts';
import { canonicalDecimal } from '../../lib/schema/values.ts';
import { KEY_FIELDS, keyString, type ChaosTable } from './truth.ts';

export type NormalRow = Record<string, string | null>;
export type TableRows = Map<string, NormalRow>;
export type FieldTypes = ReadonlyMap<string, FieldType>;

export function normalValue(value: unknown, type: FieldType | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint')
    throw new Error(`unexpected value ${JSON.stringify(value)}`);
  const text = String(value);
  return type === 'decimal' ? canonicalDecimal(text) : text;
}

export function normalRow(row: Record<string, unknown>, types: FieldTypes): NormalRow {
  const out: NormalRow = {};
  for (const [name, value] of Object.entries(row)) out[name] = normalValue(value, types.get(name));
  return out;
}

export function rowKey(table: ChaosTable, row: NormalRow): string {
  return keyString(KEY_FIELDS[table].map((f) => row[f] ?? ''));
}

export function toTableRows(table: ChaosTable, rows: readonly NormalRow[]): TableRows {
  return new Map(rows.map((r) => [rowKey(table, r), r]));
}

/** Up to `limit` differences between two tables, each naming the key and what differs. */
export function diffTables(expected: TableRows, actual: TableRows, limit = 5): string[] {
  const out: string[] = [];
  for (const [key, want] of expected) {
    if (out.length >= limit) return out;
    const got = actual.get(key);
    if (got === undefined) out.push(`key ${key}: missing (want ver ${want.ver ?? 'null'})`);
    else {
      const fields = new Set([...Object.keys(want), ...Object.keys(got)]);
      const differing = [...fields].filter((f) => (want[f] ?? null) !== (got[f] ?? null));
      if (differing.length > 0)
        out.push(
          `key ${key}: ${differing
            .slice(0, 3)
            .map((f) => `${f} want ${JSON.stringify(want[f] ?? null)} got ${JSON.stringify(got[f] ?? null)}`)
            .join(', ')}`,
        );
    }
  }
  for (const [key, got] of actual) {
    if (out.length >= limit) return out;
    if (!expected.has(key)) out.push(`key ${key}: unexpected row (ver ${got.ver ?? 'null'})`);
  }
  return out;
}
