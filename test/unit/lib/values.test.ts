import { describe, expect, it } from 'vitest';
import type { FieldDef } from '../../../lib/schema/types.ts';
import {
  canonicalDecimal,
  decodeRow,
  encodeRow,
  INT64_MAX,
  INT64_MIN,
  parseWireValue,
  valueToJson,
} from '../../../lib/schema/values.ts';
import { codeOf } from '../../support/errors.ts';

const limits = { maxValueBytes: 1024 };
const ctx = { family: 'fam', table: 'tbl', field: 'f', row: 3 };

const field = (type: FieldDef['type']): FieldDef => ({ name: 'f', type });

describe('parseWireValue', () => {
  it('keeps 64-bit integers exact when sent as strings', () => {
    expect(parseWireValue('9223372036854775807', field('integer'), ctx, limits)).toBe(INT64_MAX);
    expect(parseWireValue('-9223372036854775808', field('integer'), ctx, limits)).toBe(INT64_MIN);
    expect(parseWireValue(42, field('integer'), ctx, limits)).toBe(42n);
  });

  it('rejects integers that lost precision or do not fit', () => {
    expect(codeOf(() => parseWireValue(2 ** 53 + 2, field('integer'), ctx, limits))).toBe(
      'INTEGER_PRECISION_LOST',
    );
    expect(codeOf(() => parseWireValue('9223372036854775808', field('integer'), ctx, limits))).toBe(
      'INTEGER_OUT_OF_RANGE',
    );
    expect(codeOf(() => parseWireValue(1.5, field('integer'), ctx, limits))).toBe('WRONG_VALUE_TYPE');
    expect(codeOf(() => parseWireValue('01', field('integer'), ctx, limits))).toBe('WRONG_VALUE_TYPE');
  });

  it('rejects NUL and unpaired surrogates in text, accepts 4-byte characters', () => {
    expect(codeOf(() => parseWireValue('a\u0000b', field('string'), ctx, limits))).toBe('NUL_IN_TEXT');
    expect(codeOf(() => parseWireValue('a\ud800b', field('text'), ctx, limits))).toBe('INVALID_UTF8');
    expect(parseWireValue('🦑🦑', field('string'), ctx, limits)).toBe('🦑🦑');
  });

  it('counts string length in code points, text size in bytes', () => {
    expect(parseWireValue('🦑'.repeat(191), field('string'), ctx, limits)).toHaveLength(382);
    expect(codeOf(() => parseWireValue('x'.repeat(192), field('string'), ctx, limits))).toBe(
      'VALUE_TOO_LARGE',
    );
    expect(codeOf(() => parseWireValue('é'.repeat(513), field('text'), ctx, limits))).toBe('VALUE_TOO_LARGE');
  });

  it('decodes strict base64 into bytes, NUL bytes included', () => {
    const bytes = parseWireValue(
      Buffer.from([0, 1, 0, 255]).toString('base64'),
      field('binary'),
      ctx,
      limits,
    );
    expect(bytes).toEqual(Buffer.from([0, 1, 0, 255]));
    expect(codeOf(() => parseWireValue('not base64!', field('bytestring'), ctx, limits))).toBe(
      'INVALID_BASE64',
    );
    expect(
      codeOf(() => parseWireValue(Buffer.alloc(256).toString('base64'), field('bytestring'), ctx, limits)),
    ).toBe('VALUE_TOO_LARGE');
  });

  it('canonicalises decimals and refuses anything else', () => {
    expect(parseWireValue('0012.3400', field('decimal'), ctx, limits)).toBe('12.34');
    expect(parseWireValue('-0.000', field('decimal'), ctx, limits)).toBe('0');
    expect(parseWireValue(1e21, field('decimal'), ctx, limits)).toBe('1000000000000000000000');
    expect(parseWireValue(-1.5e-7, field('decimal'), ctx, limits)).toBe('-0.00000015');
    expect(codeOf(() => parseWireValue('1e5', field('decimal'), ctx, limits))).toBe('INVALID_DECIMAL');
    expect(codeOf(() => parseWireValue({}, field('decimal'), ctx, limits))).toBe('INVALID_DECIMAL');
  });

  it('names family, table, field and row in the message', () => {
    expect(() => parseWireValue(true, field('string'), ctx, limits)).toThrow(/fam\.tbl\.f \(mutation 3\)/);
  });
});

describe('ledger encoding', () => {
  it('round-trips every type exactly', () => {
    const fields: FieldDef[] = [
      { name: 'i', type: 'integer' },
      { name: 'd', type: 'decimal' },
      { name: 'b', type: 'binary' },
      { name: 's', type: 'string' },
      { name: 'n', type: 'text' },
    ];
    const row = { i: INT64_MIN, d: '-1.5', b: Buffer.from([0, 0xff]), s: 'Zoë 🦑', n: null };
    const encoded = JSON.parse(JSON.stringify(encodeRow(row, fields))) as Record<string, string | null>;
    expect(decodeRow(encoded, fields)).toEqual(row);
  });

  it('answers JSON with numbers only when they are safe', () => {
    expect(valueToJson(12n)).toBe(12);
    expect(valueToJson(2n ** 60n)).toBe('1152921504606846976');
  });

  it('canonicalDecimal keeps the sign of non-zero values', () => {
    expect(canonicalDecimal('-000.100')).toBe('-0.1');
    expect(canonicalDecimal('0')).toBe('0');
  });
});
