/**
 * Smoke: the same change stream through the Apicurio Avro converter. Records carry the Confluent
 * wire format (magic byte 0, 4-byte schema id) and decode through the registry's
 * Confluent-compatible API with @kafkajs/confluent-schema-registry.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createOriginDatabase,
  mariaDbConnectorConfig,
  registerConnector,
  type OriginDatabase,
  type RegisteredConnector,
} from '../../support/debezium.ts';
import { consumeMessages, testSchemaRegistry, waitForTopic } from '../../support/kafka.ts';
import { stackEnv } from '../../support/stack-env.ts';

describe('Debezium MariaDB → Kafka (Avro through Apicurio)', () => {
  let db: OriginDatabase | undefined;
  let connector: RegisteredConnector | undefined;

  afterEach(async () => {
    await connector?.delete();
    await db?.drop();
  });

  it('writes Confluent-framed Avro that decodes through the ccompat API', async () => {
    db = await createOriginDatabase('smoke');
    await db.execute('CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL)');
    await db.execute('INSERT INTO item VALUES (1, ?)', ['snapshotted']);
    connector = await registerConnector(mariaDbConnectorConfig({ database: db.name, converter: 'avro' }));
    const topic = connector.topicFor(db.name, 'item');
    await waitForTopic(topic);
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
