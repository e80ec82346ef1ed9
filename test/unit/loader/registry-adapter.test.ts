import type * as Avsc from 'avsc';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { longHook } from '../../../services/loader/adapters/confluent-registry-adapter.ts';

// The avsc instance the registry client uses (the adapter resolves it the same way).
const fromClient = createRequire(
  createRequire(import.meta.url).resolve('@kafkajs/confluent-schema-registry'),
);
const avro = fromClient('avsc') as typeof Avsc;

const envelope = (name: string): Avsc.Schema => ({
  type: 'record',
  name,
  fields: [
    { name: 'ubi', type: ['null', { type: 'long', 'connect.name': 'int64' }] },
    { name: 'ts_ns', type: 'long' },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
    {
      name: 'source',
      type: {
        type: 'record',
        name: 'Source',
        namespace: 'io.debezium.connector.mariadb',
        fields: [{ name: 'pos', type: 'long' }],
      },
    },
  ],
});

describe('longHook', () => {
  it('decodes longs beyond 2^53 as bigints and the rest as numbers, wherever they appear', () => {
    const type = avro.Type.forSchema(envelope('Envelope'), { typeHook: longHook });
    const decoded = type.fromBuffer(
      type.toBuffer({ ubi: -1n, ts_ns: 1732230353000000000n, ts: 5, source: { pos: 1140 } }),
    ) as Record<string, unknown>;
    expect(decoded).toMatchObject({ ubi: -1, ts_ns: 1732230353000000000n, ts: 5, source: { pos: 1140 } });
    const max = type.fromBuffer(
      type.toBuffer({ ubi: 2n ** 63n - 1n, ts_ns: -(2n ** 63n), ts: 0, source: { pos: 0 } }),
    ) as Record<string, unknown>;
    expect(max).toMatchObject({ ubi: 2n ** 63n - 1n, ts_ns: -(2n ** 63n) });
  });

  it('lets two schemas share record names (the client builds every schema with fresh options)', () => {
    expect(() => {
      avro.Type.forSchema(envelope('A'), { typeHook: longHook });
      avro.Type.forSchema(envelope('B'), { typeHook: longHook });
    }).not.toThrow();
  });
});
