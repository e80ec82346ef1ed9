import { describe, expect, it } from 'vitest';
import { dataEnvelopeSchema, plainDataEnvelope } from '../../../services/loader/decode/envelope.ts';
import { ExactNumber } from '../../../services/loader/decode/exact-json.ts';
import { envelope } from '../../fixtures/debezium/envelopes.ts';

const valid = envelope({ op: 'u', after: { id: 1 }, before: { id: 1 }, pos: 90, row: 1, txOrder: 3 });
const withSource = (patch: Record<string, unknown>) => ({
  ...valid,
  source: { ...(valid.source as object), ...patch },
});

describe('plainDataEnvelope', () => {
  it('accepts what the schema accepts, unchanged, for plain envelopes', () => {
    for (const value of [
      valid,
      envelope({ op: 'c', after: { id: 2 } }),
      envelope({ op: 'd', before: { id: 2 } }),
      envelope({ op: 't' }),
      withSource({ snapshot: true, table: null, file: undefined }),
    ]) {
      const plain = plainDataEnvelope(value);
      expect(plain).toBe(value);
      expect(dataEnvelopeSchema.parse(value)).toEqual(plain);
    }
  });

  it('leaves malformed envelopes and exact numbers to the schema', () => {
    const cases: Record<string, unknown>[] = [
      { ...valid, op: 'x' },
      { ...valid, op: undefined },
      { ...valid, after: 'row' },
      { ...valid, before: [1] },
      { ...valid, source: null },
      { ...valid, transaction: { id: 7, total_order: 1 } },
      { ...valid, transaction: { id: 'tx', total_order: 1.5 } },
      withSource({ db: 1 }),
      withSource({ ts_ms: '1732230353000' }),
      withSource({ ts_ms: 2 ** 53 }),
      withSource({ pos: -0.5 }),
      withSource({ snapshot: 1 }),
      withSource({ gtid: 5 }),
      // Valid, but needs the schema's conversion to a number.
      withSource({ pos: new ExactNumber('1140') }),
    ];
    for (const value of cases) expect(plainDataEnvelope(value)).toBeUndefined();
    expect(dataEnvelopeSchema.parse(cases.at(-1)).source.pos).toBe(1140);
  });
});
