/**
 * Smoke: the origin MariaDB's binlog reaches Kafka through Connect and the Debezium MariaDB
 * connector, as JSON (JsonConverter, schemas off). A snapshot row first, then a streamed insert.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { captureTable, type CapturedTable } from '../../support/debezium.ts';
import { consumeMessages, jsonOf } from '../../support/kafka.ts';

describe('Debezium MariaDB → Kafka (JSON)', () => {
  let captured: CapturedTable | undefined;

  afterEach(async () => {
    await captured?.remove();
  });

  it('emits a snapshot read, then a create event for a row inserted afterwards', async () => {
    captured = await captureTable({
      area: 'smoke',
      table: 'item',
      converter: 'json',
      setup: [
        'CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, price DECIMAL(10,2))',
        "INSERT INTO item VALUES (1, 'snapshotted', 12.34)",
      ],
    });
    const { db, topic } = captured;

    const [read] = await consumeMessages(topic, { count: 1 });
    expect(jsonOf(read?.key ?? null)).toEqual({ id: 1 });
    // DECIMAL with the default decimal.handling.mode=precise: base64 of the unscaled integer 1234.
    expect(jsonOf(read?.value ?? null)).toMatchObject({
      op: 'r',
      before: null,
      after: { id: 1, name: 'snapshotted', price: 'BNI=' },
    });

    await db.execute('INSERT INTO item VALUES (2, ?, NULL)', ['streamed']);
    const events = await consumeMessages(topic, { count: 2 });
    const created = jsonOf(events[1]?.value ?? null);
    expect(jsonOf(events[1]?.key ?? null)).toEqual({ id: 2 });
    expect(created).toMatchObject({
      op: 'c',
      before: null,
      after: { id: 2, name: 'streamed', price: null },
      source: { connector: 'mariadb', db: db.name, table: 'item', snapshot: 'false' },
    });
  });
});
