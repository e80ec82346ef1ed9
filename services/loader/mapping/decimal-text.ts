/**
 * Exact decimal text from the encodings Debezium uses: Connect `Decimal` bytes (big-endian two's
 * complement of the unscaled value, scale from the schema), JSON number text (possibly with an
 * exponent, from `decimal.format=NUMERIC` or Java's Double.toString), and float/double values.
 * Everything is done on text and bigints; no double ever holds a decimal's digits.
 */

/** Big-endian two's-complement bytes to a bigint. */
export function bigIntFromTwosComplement(bytes: Buffer): bigint {
  if (bytes.length === 0) return 0n;
  let value = BigInt(`0x${bytes.toString('hex')}`);
  if ((bytes[0] ?? 0) & 0x80) value -= 1n << BigInt(8 * bytes.length);
  return value;
}

/** `unscaled × 10^-scale` as plain decimal text, e.g. (1234n, 2) → "12.34", (-5n, 3) → "-0.005". */
export function decimalFromUnscaled(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  let text: string;
  if (scale <= 0) {
    text = digits + '0'.repeat(-scale);
  } else {
    const padded = digits.padStart(scale + 1, '0');
    text = `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
  }
  return negative ? `-${text}` : text;
}

const NUMBER_TEXT = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** JSON/Java number text (`1.5E-7`, `12.340`, `-3`) as plain decimal text without an exponent. */
export function plainDecimalText(text: string): string | undefined {
  const match = NUMBER_TEXT.exec(text);
  if (match === null) return undefined;
  const [, sign = '', intPart = '', fracPart = '', exponent = '0'] = match;
  const digits = intPart + fracPart;
  const point = intPart.length + Number(exponent);
  let plain: string;
  if (point <= 0) plain = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) plain = digits + '0'.repeat(point - digits.length);
  else plain = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return sign + plain;
}

/** The shortest decimal text that reads back as the same double (what MariaDB prints for DOUBLE). */
export function doubleText(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  return plainDecimalText(String(value));
}

/**
 * A FLOAT column arrives widened to a double (Avro `float`, or a JS number): 1.1f reads as
 * 1.100000023841858. The shortest text that rounds to the same float32 is what the origin holds.
 */
export function floatText(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  const single = Math.fround(value);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(single.toPrecision(digits));
    if (Math.fround(candidate) === single) return plainDecimalText(String(candidate));
  }
  return plainDecimalText(String(single));
}
