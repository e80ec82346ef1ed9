import type * as Avsc from 'avsc';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  avroTypeHook,
  ConfluentRegistryAdapter,
  isUnreachable,
  longHook,
} from '../../../services/loader/adapters/confluent-registry-adapter.ts';

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

describe('avroTypeHook strings', () => {
  const row: Avsc.Schema = {
    type: 'record',
    name: 'Row',
    fields: [
      { name: 'name', type: ['null', 'string'] },
      { name: 'note', type: { type: 'string', 'connect.name': 'io.debezium.data.Json' } },
      { name: 'n', type: 'long' },
    ],
  };
  const strict = avro.Type.forSchema(row, { typeHook: avroTypeHook });
  const bytes = (name: string) => strict.toBuffer({ name, note: '{}', n: 5 });

  it('decodes valid UTF-8, 4-byte characters and NUL included, unchanged', () => {
    expect(strict.fromBuffer(bytes('a\u0000😀é'))).toMatchObject({ name: 'a\u0000😀é', note: '{}', n: 5 });
  });

  it('refuses invalid UTF-8 instead of repairing it with U+FFFD', () => {
    const corrupted = bytes('abc');
    corrupted.writeUInt8(0xff, corrupted.indexOf('b'));
    expect(() => strict.fromBuffer(corrupted) as unknown).toThrow(/not valid UTF-8/);
    // What avsc alone would have loaded:
    expect(avro.Type.forSchema(row).fromBuffer(corrupted)).toMatchObject({ name: 'a\ufffdc' });
  });
});

describe('registry failures', () => {
  it('takes a refused connection for an outage, as the client really reports it (status 400)', async () => {
    // Nothing listens on port 9 (discard) on loopback here: the client's real error, not a fake.
    const adapter = new ConfluentRegistryAdapter({ url: 'http://127.0.0.1:9/apis/ccompat/v7' });
    const failure = await adapter.decode(Buffer.from([0, 0, 0, 0, 7, 2, 4])).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toMatchObject({ code: 'UNAVAILABLE', retriable: true });
  });

  it('tells outages from refusals', () => {
    const responseError = (status: number, message: string) => Object.assign(new Error(message), { status });
    expect(isUnreachable(responseError(400, 'Error, status 400: connect ECONNREFUSED 127.0.0.1:8081'))).toBe(
      true,
    );
    expect(isUnreachable(responseError(400, 'Error, status 400: socket hang up'))).toBe(true);
    expect(isUnreachable(responseError(503, 'Service Unavailable'))).toBe(true);
    expect(isUnreachable(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNRESET' } }))).toBe(
      true,
    );
    expect(isUnreachable(responseError(404, 'Schema 7 not found'))).toBe(false);
    expect(isUnreachable(responseError(422, 'Invalid schema'))).toBe(false);
    expect(isUnreachable(new Error('invalid union index: 9'))).toBe(false);
  });
});
