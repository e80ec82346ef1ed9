/**
 * MariaDB/MySQL column types as the loader reads them: from information_schema's COLUMN_TYPE
 * (`bigint(20) unsigned`, `decimal(10,2)`, `enum('a','b')`, `datetime(3)`) when a source is
 * registered, or from a Debezium schema-change event's column (typeName, length, scale,
 * enumValues) when the origin table changes.
 */
import { CuttleError } from '../../../lib/errors.ts';
import type { SchemaColumn } from '../decode/change-record.ts';

export interface SourceColumnType {
  /** Lower-case base type with synonyms folded: `int`, `decimal`, `double`, `varchar`, … */
  readonly base: string;
  readonly unsigned: boolean;
  /** `(n)`: characters, bytes, bits, digits (decimal precision) or fractional-second digits. */
  readonly length: number | null;
  /** Decimal scale. */
  readonly scale: number | null;
  /** ENUM and SET members, unquoted. */
  readonly members: readonly string[];
}

const SYNONYMS: Readonly<Record<string, string>> = {
  integer: 'int',
  int4: 'int',
  int8: 'bigint',
  dec: 'decimal',
  numeric: 'decimal',
  fixed: 'decimal',
  real: 'double',
  'double precision': 'double',
  float8: 'double',
  float4: 'float',
  bool: 'boolean',
  character: 'char',
  'character varying': 'varchar',
  'long varbinary': 'mediumblob',
  'long varchar': 'mediumtext',
  long: 'mediumtext',
};

/** Parses a COLUMN_TYPE such as `decimal(10,2) unsigned zerofill` or `set('a','b,c')`. */
export function parseColumnType(text: string): SourceColumnType {
  const trimmed = text.trim();
  const open = trimmed.indexOf('(');
  const close = trimmed.lastIndexOf(')');
  const hasArgs = open >= 0 && close > open;
  const head = (hasArgs ? trimmed.slice(0, open) : trimmed).trim().toLowerCase();
  const tail = (hasArgs ? trimmed.slice(close + 1) : '').toLowerCase();
  const words = head.split(/\s+/).filter((w) => w !== 'signed' && w !== 'unsigned' && w !== 'zerofill');
  const base = normaliseBase(words.join(' '));
  if (base === '')
    throw new CuttleError('INVALID_FIELD_TYPE', `column type ${JSON.stringify(text)} has no type name`);
  const unsigned = /\bunsigned\b/.test(head) || /\bunsigned\b/.test(tail);
  const args = hasArgs ? trimmed.slice(open + 1, close) : '';
  if (base === 'enum' || base === 'set') {
    return { base, unsigned: false, length: null, scale: null, members: parseQuotedList(args) };
  }
  const [length, scale] = args === '' ? [] : args.split(',').map((a) => Number(a.trim()));
  return {
    base,
    unsigned,
    length: length !== undefined && Number.isInteger(length) ? length : null,
    scale: scale !== undefined && Number.isInteger(scale) ? scale : null,
    members: [],
  };
}

function normaliseBase(name: string): string {
  return SYNONYMS[name] ?? name;
}

/** `'a','b''c','d,e'` → ['a', "b'c", 'd,e']; also accepts backslash escapes. */
export function parseQuotedList(args: string): string[] {
  const members: string[] = [];
  let i = 0;
  while (i < args.length) {
    while (i < args.length && (args[i] === ',' || /\s/.test(args[i] ?? ''))) i++;
    if (i >= args.length) break;
    const quote = args[i];
    if (quote !== "'" && quote !== '"')
      throw new CuttleError('INVALID_FIELD_TYPE', `cannot read the member list (${args})`);
    let member = '';
    i++;
    while (i < args.length) {
      const ch = args[i] ?? '';
      if (ch === '\\' && i + 1 < args.length) {
        member += args[i + 1];
        i += 2;
      } else if (ch === quote && args[i + 1] === quote) {
        member += quote;
        i += 2;
      } else if (ch === quote) {
        i++;
        break;
      } else {
        member += ch;
        i++;
      }
    }
    members.push(member);
  }
  return members;
}

/** A column from a Debezium schema-change event. */
export function columnTypeFromSchemaColumn(column: SchemaColumn): SourceColumnType {
  const expression = column.typeExpression ?? column.typeName;
  const base = normaliseBase(
    column.typeName
      .toLowerCase()
      .split(/\s+/)
      .filter((w) => w !== 'signed' && w !== 'unsigned' && w !== 'zerofill')
      .join(' '),
  );
  const members = (column.enumValues ?? []).map((v) =>
    /^'.*'$/s.test(v) ? (parseQuotedList(v)[0] ?? '') : v,
  );
  return {
    base,
    unsigned: /\bunsigned\b/i.test(column.typeName) || /\bunsigned\b/i.test(expression),
    length: column.length,
    scale: column.scale,
    members,
  };
}

/** The type as MariaDB would print it, for messages. */
export function describeColumnType(type: SourceColumnType): string {
  const args =
    type.members.length > 0
      ? `(${type.members.map((m) => `'${m.replaceAll("'", "''")}'`).join(',')})`
      : type.length === null
        ? ''
        : type.scale === null
          ? `(${type.length})`
          : `(${type.length},${type.scale})`;
  return `${type.base}${args}${type.unsigned ? ' unsigned' : ''}`;
}
