import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeValue, detailValue } from '../../../lib/errors.ts';
import { LossyNumber, numberTextIsExact, parseWireJson } from '../../../lib/json/wire-json.ts';
import { codeOf } from '../../support/errors.ts';

const nested = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

describe('parseWireJson', () => {
  it('parses ordinary JSON exactly as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        expect(parseWireJson(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps numbers a double cannot carry as LossyNumbers with their text', () => {
    const parsed = parseWireJson(
      '{"a":0.12345678901234567890123,"b":[12345678901234567890,1.0000000000000001],"c":"12345678901234567890"}',
    ) as { a: unknown; b: unknown[]; c: unknown };
    expect(parsed.a).toEqual(new LossyNumber('0.12345678901234567890123'));
    expect(parsed.b).toEqual([
      new LossyNumber('12345678901234567890'),
      new LossyNumber('1.0000000000000001'),
    ]);
    expect(parsed.c).toBe('12345678901234567890');
  });

  it('leaves numbers that survive a double alone, whatever their spelling', () => {
    expect(parseWireJson('[0.1, 1e3, 1.50, -0, 9007199254740993e-16, 5e-324]')).toEqual([
      0.1, 1000, 1.5, -0, 0.9007199254740993, 5e-324,
    ]);
    expect(parseWireJson('[1e400, 1e-400, 123456789012345678e2]')).toEqual([
      new LossyNumber('1e400'),
      new LossyNumber('1e-400'),
      new LossyNumber('123456789012345678e2'),
    ]);
  });

  it('never mistakes a client string for a tag', () => {
    expect(parseWireJson('["\\u0000abc:0", 1.0000000000000001]')).toEqual([
      '\u0000abc:0',
      new LossyNumber('1.0000000000000001'),
    ]);
  });

  it('refuses bodies nested deeper than the bound before walking them', () => {
    expect(codeOf(() => parseWireJson(nested(10_000)))).toBe('JSON_TOO_DEEP');
    expect(codeOf(() => parseWireJson(nested(33)))).toBe('JSON_TOO_DEEP');
    expect(parseWireJson(nested(32))).toBeDefined();
    // Brackets inside strings do not count.
    expect(parseWireJson(JSON.stringify(['['.repeat(100)]))).toEqual(['['.repeat(100)]);
  });

  it('refuses malformed JSON as BAD_REQUEST', () => {
    expect(codeOf(() => parseWireJson('{"a":'))).toBe('BAD_REQUEST');
    expect(codeOf(() => parseWireJson('[1.0000000000000001,'))).toBe('BAD_REQUEST');
  });
});

describe('numberTextIsExact', () => {
  it('agrees with the round trip of every double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        expect(numberTextIsExact(JSON.stringify(d))).toBe(true);
      }),
    );
  });
  it('refuses any extra significant digit beyond a double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: 1e-300 }), (d) => {
        const text = String(d);
        if (text.includes('e')) return;
        const longer = `${text}${text.includes('.') ? '' : '.'}00000000000000000000001`;
        expect(numberTextIsExact(longer)).toBe(false);
      }),
    );
  });
});

describe('describeValue and detailValue', () => {
  it('describe any value briefly, however large or deep', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(describeValue(deep)).toBe('an array of 1');
    expect(describeValue('x'.repeat(1_000_000)).length).toBeLessThan(100);
    expect(describeValue({ a: 1 })).toBe('an object');
    expect(describeValue(new LossyNumber('1.0000000000000001'))).toContain('cannot carry exactly');
    expect(detailValue(deep)).toBe('an array of 1');
    expect(detailValue('short')).toBe('short');
  });
});
