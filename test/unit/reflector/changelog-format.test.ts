import { describe, expect, it } from 'vitest';
import { eventOfLine, formatLine, parseLine } from '../../../lib/changelog/format.ts';
import type { RowChange } from '../../../lib/ldb/changes.ts';

const change: RowChange = {
  seq: 12,
  committedAt: 1700000000000,
  family: 'shop',
  table: 'prices',
  op: 'upsert',
  key: { id: '9223372036854775807', tag: 'AAE=' },
  values: { id: '9223372036854775807', tag: 'AAE=', price: '12.50', note: null },
  types: { id: 'integer', tag: 'bytestring', price: 'decimal', note: 'text' },
};

describe('changelog lines', () => {
  it('is one JSON line that decodes to typed values', () => {
    const line = formatLine(change, 9);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    const parsed = parseLine(line.trimEnd());
    expect(parsed).toMatchObject({ seq: 12, prev: 9 });
    expect(eventOfLine(parsed)).toEqual({
      seq: 12,
      committedAt: 1700000000000,
      family: 'shop',
      table: 'prices',
      op: 'upsert',
      key: { id: 9223372036854775807n, tag: Buffer.from([0, 1]) },
      values: { id: 9223372036854775807n, tag: Buffer.from([0, 1]), price: '12.50', note: null },
    });
  });

  it('rejects a line that is not a change', () => {
    expect(() => parseLine('{"seq":1}')).toThrowError(/changelog line is invalid/);
    expect(() => parseLine('{"seq":1,"prev":0,"op":"up')).toThrowError(/changelog line is invalid/);
  });
});
