import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExactNumber, parseExactJson, toBigInt } from '../../../services/loader/decode/exact-json.ts';

describe('parseExactJson', () => {
  it('keeps integers beyond 2^53 exact', () => {
    const parsed = parseExactJson(
      '{"u":18446744073709551615,"s":-9223372036854775808,"m":9223372036854775807}',
    ) as Record<string, unknown>;
    expect(parsed.u).toEqual(new ExactNumber('18446744073709551615'));
    expect(toBigInt(parsed.s)).toBe(-(2n ** 63n));
    expect(toBigInt(parsed.m)).toBe(2n ** 63n - 1n);
  });

  it('turns long but safe integers back into numbers', () => {
    const parsed = parseExactJson('{"us":1704164645678000,"n":9007199254740991}') as Record<string, unknown>;
    expect(parsed.us).toBe(1704164645678000);
    expect(parsed.n).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('keeps every fractional or exponent number as its text', () => {
    const parsed = parseExactJson('[12.340, 0.1, 1.5E-7, 123456789012345678901234.5]') as unknown[];
    expect(parsed).toEqual([
      new ExactNumber('12.340'),
      new ExactNumber('0.1'),
      new ExactNumber('1.5E-7'),
      new ExactNumber('123456789012345678901234.5'),
    ]);
  });

  it('leaves digits inside strings alone, including escaped quotes', () => {
    const text = '{"a":"12345678901234567890","b":"say \\"1.5\\" 99999999999999999","c":3}';
    expect(parseExactJson(text)).toEqual({
      a: '12345678901234567890',
      b: 'say "1.5" 99999999999999999',
      c: 3,
    });
  });

  it('cannot confuse a real string starting with NUL with a tagged number', () => {
    const text = '{"x":"\\u0000#123","y":"\\u0000$z","big":12345678901234567890,"\\u0000k":1}';
    expect(parseExactJson(text)).toEqual({
      x: '\u0000#123',
      y: '\u0000$z',
      big: new ExactNumber('12345678901234567890'),
      '\u0000k': 1,
    });
  });

  it('parses plain documents exactly like JSON.parse', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        const exact = JSON.stringify(parseExactJson(text));
        // ExactNumber serialises as its text in a string; compare through the same lens.
        const plain = JSON.stringify(
          JSON.parse(text, (_k, v: unknown) =>
            typeof v === 'number' && !Number.isSafeInteger(v) ? String(v) : v,
          ),
        );
        expect(exact.replaceAll('"', '')).toBe(plain.replaceAll('"', ''));
      }),
    );
  });

  it('keeps any 64-bit integer exact', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }), (n) => {
        expect(toBigInt((parseExactJson(`{"v":${n}}`) as { v: unknown }).v)).toBe(n);
      }),
    );
  });

  it('keeps a "__proto__" key an own property, as JSON.parse does, when its value is rewritten', () => {
    const parsed = parseExactJson('{"__proto__":12345678901234567890,"a":[1.50,{"b":"x"}]}') as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__', 'a']);
    expect(parsed.__proto__).toEqual(new ExactNumber('12345678901234567890'));
    expect(parsed.a).toEqual([new ExactNumber('1.50'), { b: 'x' }]);
  });

  it('rejects malformed JSON', () => {
    expect(() => parseExactJson('{"a":12345678901234567890')).toThrow(SyntaxError);
  });
});
