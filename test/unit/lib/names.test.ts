import { describe, expect, it } from 'vitest';
import {
  physicalTableName,
  quoteIdent,
  validateFamilyName,
  validateFieldName,
  validateTableRef,
  validateWriterName,
} from '../../../lib/schema/names.ts';
import { validateTableSchema } from '../../../lib/schema/types.ts';

describe('names', () => {
  it('accepts ctlstore-style names and reserved SQL words as fields', () => {
    expect(validateFamilyName('payments')).toBe('payments');
    expect(validateFieldName('select')).toBe('select');
    expect(validateFieldName('a__b')).toBe('a__b');
    expect(quoteIdent('order')).toBe('"order"');
  });

  it.each([
    ['Upper', 'must start with a lower-case letter'],
    ['ab', 'must be 3 to 30'],
    ['a__b', 'may not contain "__"'],
    ['9abc', 'must start with a lower-case letter'],
  ])('rejects family %s', (name, why) => {
    expect(() => validateFamilyName(name)).toThrow(why);
  });

  it('rejects a family/table pair whose physical name exceeds 64 characters', () => {
    expect(() => validateTableRef('f'.repeat(30), 't'.repeat(40))).toThrow(/exceeds 64/);
    expect(physicalTableName('fam', 'tbl')).toBe('fam___tbl');
  });

  it('checks writer names', () => {
    expect(validateWriterName('loader-orders.v2')).toBe('loader-orders.v2');
    expect(() => validateWriterName('x')).toThrow(/writer name/);
    expect(() => validateWriterName('a b c')).toThrow(/writer name/);
  });
});

describe('table schemas', () => {
  it('keeps key order and accepts both field forms', () => {
    const schema = validateTableSchema(
      'fam',
      'tbl',
      [['b', 'integer'], { name: 'a', type: 'string' }],
      ['a', 'b'],
    );
    expect(schema.keyFields).toEqual(['a', 'b']);
    expect(schema.fields.map((f) => f.type)).toEqual(['integer', 'string']);
  });

  it.each([
    [[['a', 'text']], ['a'], 'keys must be'],
    [[['a', 'string']], [], 'at least one key field'],
    [[['a', 'string']], ['b'], 'is not a field'],
    [[['a', 'float']], ['a'], 'is not one of'],
    [
      [
        ['a', 'string'],
        ['a', 'integer'],
      ],
      ['a'],
      'declared twice',
    ],
  ])('rejects fields %j with keys %j', (fields, keys, why) => {
    expect(() => validateTableSchema('fam', 'tbl', fields, keys)).toThrow(why);
  });
});
