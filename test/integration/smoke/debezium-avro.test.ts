/**
 * Smoke: the same change stream through the Apicurio Avro converter. Records carry the Confluent
 * wire format (magic byte 0, 4-byte schema id) and decode through the registry's
 * Confluent-compatible API with @kafkajs/confluent-schema-registry.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { captureTable, type CapturedTable } from '../../support/debezium.ts';
import { consumeMessages, testSchemaRegistry } from '../../support/kafka.ts';
import { stackEnv } from '../../support/stack-env.ts';

describe('Debezium MariaDB → Kafka (Avro through Apicurio)', () => {
  let captured: CapturedTable | undefined;

  afterEach(async () => {
    await captured?.remove();
  });

  it('writes Confluent-framed Avro that decodes through the ccompat API', async () => {
    captured = await captureTable({
      area: 'smoke',
      table: 'item',
      converter: 'avro',
      setup: [
        'CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL)',
        "INSERT INTO item VALUES (1, 'snapshotted')",
      ],
    });
    const { db, topic } = captured;
    await consumeMessages(topic, { count: 1 });

    await db.execute('INSERT INTO item VALUES (2, ?)', ['streamed']);
    const [, message] = await consumeMessages(topic, { count: 2 });
    const value = message?.value ?? null;
    expect(value).not.toBeNull();
    expect(value?.[0]).toBe(0); // Confluent magic byte, then the schema id
    const registry = testSchemaRegistry(); // longs as BigInt: source.ts_ns exceeds 2^53
    expect(await registry.decode(message?.key ?? Buffer.alloc(0))).toEqual({ id: 2 });
    const decoded: unknown = await registry.decode(value ?? Buffer.alloc(0));
    expect(decoded).toMatchObject({
      op: 'c',
      before: null,
      after: { id: 2, name: 'streamed' },
      source: { connector: 'mariadb', db: db.name, table: 'item' },
    });
    expect(typeof (decoded as { ts_ms: unknown }).ts_ms).toBe('bigint');

    // The converter registered key and value schemas under TopicNameStrategy subjects.
    const subjects = (await (await fetch(`${stackEnv.registryUrl}/subjects`)).json()) as string[];
    expect(subjects).toEqual(expect.arrayContaining([`${topic}-key`, `${topic}-value`]));
  });
});
