import { describe, expect, it } from 'vitest';
import { CuttleError } from '../../../lib/errors.ts';
import { AvroEventDecoder } from '../../../services/loader/decode/avro-decoder.ts';
import type { SchemaRegistry } from '../../../services/loader/decode/schema-registry.ts';
import type { InboundMessage } from '../../../services/loader/message.ts';
import { envelope } from '../../fixtures/debezium/envelopes.ts';

/** Stands in for the registry: bytes 1-4 name an object registered under that id. */
class FakeRegistry implements SchemaRegistry {
  readonly #byId = new Map<number, unknown>();
  failWith: Error | undefined;

  encode(id: number, value: unknown): Buffer {
    this.#byId.set(id, value);
    const header = Buffer.alloc(5);
    header.writeUInt32BE(id, 1);
    return Buffer.concat([header, Buffer.from([0x02])]);
  }

  decode(buffer: Buffer): Promise<unknown> {
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    const id = buffer.readUInt32BE(1);
    return this.#byId.has(id)
      ? Promise.resolve(this.#byId.get(id))
      : Promise.reject(new Error(`schema ${id} not found`));
  }
}

function avroMessage(key: Buffer | null, value: Buffer | null): InboundMessage {
  return { topic: 'ctl.ctl.widgets', partition: 1, offset: '9', key, value, headers: {}, timestampMs: 0 };
}

describe('AvroEventDecoder', () => {
  it('decodes Confluent wire-format key and value through the registry, keeping bigint longs', async () => {
    const registry = new FakeRegistry();
    const after = { id: 2n ** 63n - 1n, blob: Buffer.from([0, 1, 0]), name: '🦑' };
    const value = {
      ...envelope({ op: 'c', after }),
      source: {
        db: 'ctl',
        table: 'widgets',
        ts_ms: 5,
        snapshot: 'false',
        file: 'f.000001',
        pos: 4n,
        row: 0,
        gtid: null,
      },
    };
    const records = await new AvroEventDecoder(registry).decode(
      avroMessage(registry.encode(1, { id: 2n ** 63n - 1n }), registry.encode(2, value)),
    );
    expect(records).toMatchObject([
      {
        kind: 'upsert',
        op: 'c',
        key: { id: 2n ** 63n - 1n },
        values: after,
        position: { pos: 4 },
        columns: null,
      },
    ]);
  });

  it('treats a null value as a tombstone without asking the registry', async () => {
    const registry = new FakeRegistry();
    registry.failWith = new Error('must not be called');
    await expect(
      new AvroEventDecoder(registry).decode(avroMessage(Buffer.from([0, 0, 0, 0, 1, 2]), null)),
    ).resolves.toEqual([]);
  });

  it('rejects a value without the magic byte as a permanent decoding failure', async () => {
    const decoder = new AvroEventDecoder(new FakeRegistry());
    await expect(decoder.decode(avroMessage(null, Buffer.from('{"op":"c"}')))).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      retriable: false,
    });
  });

  it('wraps a schema the registry cannot decode as permanent, but passes retriable registry errors through', async () => {
    const registry = new FakeRegistry();
    const decoder = new AvroEventDecoder(registry);
    await expect(decoder.decode(avroMessage(null, Buffer.from([0, 0, 0, 0, 77, 1])))).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      retriable: false,
    });
    registry.failWith = new CuttleError('UNAVAILABLE', 'registry down');
    await expect(decoder.decode(avroMessage(null, Buffer.from([0, 0, 0, 0, 1, 1])))).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      retriable: true,
    });
  });
});
