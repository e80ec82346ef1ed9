import { describe, expect, it } from 'vitest';
import type { CuttleError } from '../../../lib/errors.ts';
import { keyParams } from '../../../lib/reader/key.ts';
import { keyDefs, type TableSchema } from '../../../lib/schema/types.ts';

const schema: TableSchema = {
  family: 'shop',
  table: 'stock',
  fields: [
    { name: 'id', type: 'integer' },
    { name: 'tag', type: 'bytestring' },
    { name: 'name', type: 'string' },
    { name: 'qty', type: 'integer' },
  ],
  keyFields: ['id', 'tag', 'name'],
};
const defs = keyDefs(schema);

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as CuttleError).code;
  }
  return 'none';
}

describe('keyParams', () => {
  it('binds integers exactly from bigint, safe numbers and decimal strings', () => {
    expect(keyParams([9223372036854775807n, Buffer.from([1]), 'a'], defs, schema, true)).toEqual([
      9223372036854775807n,
      Buffer.from([1]),
      'a',
    ]);
    expect(keyParams({ id: '-9223372036854775808', tag: 'ab', name: 'x' }, defs, schema, true)).toEqual([
      -9223372036854775808n,
      Buffer.from('ab'),
      'x',
    ]);
    expect(keyParams([5], defs, schema, false)).toEqual([5]);
  });

  it('rejects what would lose precision or does not fit', () => {
    expect(code(() => keyParams([2 ** 53 + 2, 'a', 'b'], defs, schema, true))).toBe('INVALID_KEY');
    expect(code(() => keyParams(['9223372036854775808', 'a', 'b'], defs, schema, true))).toBe('INVALID_KEY');
    expect(code(() => keyParams([1, 'a', 5], defs, schema, true))).toBe('INVALID_KEY');
  });

  it('needs the full key for a get, a leading run for a prefix', () => {
    expect(code(() => keyParams([1, 'a'], defs, schema, true))).toBe('INVALID_KEY');
    expect(code(() => keyParams({ id: 1, tag: 'a' }, defs, schema, true))).toBe('MISSING_KEY_FIELD');
    expect(code(() => keyParams({ id: 1, name: 'a' }, defs, schema, false))).toBe('INVALID_KEY');
    expect(code(() => keyParams({ qty: 1 }, defs, schema, false))).toBe('INVALID_KEY');
    expect(keyParams({}, defs, schema, false)).toEqual([]);
  });
});
