/**
 * Schema changes on the real stack: with `schemaChanges: add-columns` and the admin token, an
 * `ALTER TABLE … ADD COLUMN` at the origin adds the fields to the cuttle table (from the
 * schema-change topic), rows written after it carry the new values, and rows written before keep
 * NULL there; data events that arrive before the schema change wait for it instead of failing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceConfigInput } from '../../../services/loader/mapping/source-config.ts';
import { waitForTopic } from '../../support/kafka.ts';
import { LoaderHarness, eventually } from './harness.ts';
import { DebeziumConnector, Origin } from './origin.ts';

const harness = new LoaderHarness();
const origin = new Origin();
const encodings = {
  decimalHandlingMode: 'string',
  binaryHandlingMode: 'base64',
  timePrecisionMode: 'adaptive_time_microseconds',
  bigintUnsignedHandlingMode: 'long',
} as const;
let connector: DebeziumConnector;

describe('loader following origin schema changes', () => {
  beforeAll(async () => {
    await origin.open();
    await harness.open();
    await origin.exec('CREATE TABLE things (id INT NOT NULL PRIMARY KEY, name VARCHAR(20))');
    await origin.exec("INSERT INTO things VALUES (1, 'one')");
    connector = new DebeziumConnector({ prefix: harness.prefix, database: origin.database, encodings });
    await connector.create();
    await waitForTopic(harness.prefix, 120_000);
  });

  afterAll(async () => {
    await connector?.remove();
    await harness.close();
    await origin.close();
  });

  it('adds the new columns as fields and loads their values', async () => {
    const source: SourceConfigInput = {
      name: harness.prefix,
      topicPrefix: harness.prefix,
      schemaChanges: 'add-columns',
      encodings,
      tables: [await origin.tableMapping({ table: 'things', family: 'evolving' })],
    };
    await harness.createTables(source);
    const loader = await harness.startLoader([source], { adminToken: harness.ex.adminToken });
    await eventually(
      async () => expect(await harness.rows('evolving', 'things')).toEqual([{ id: 1, name: 'one' }]),
      120_000,
    );

    await origin.exec('ALTER TABLE things ADD COLUMN colour VARCHAR(20) NULL, ADD COLUMN size INT NULL');
    await origin.exec("INSERT INTO things VALUES (2, 'two', 'red', 3)");
    await origin.exec("UPDATE things SET name = 'uno' WHERE id = 1");
    await eventually(async () => {
      expect(await harness.rows('evolving', 'things')).toEqual([
        { id: 1, name: 'uno', colour: null, size: null },
        { id: 2, name: 'two', colour: 'red', size: 3 },
      ]);
    }, 120_000);
    const schema = await harness.ex.admin<{ fields: { name: string; type: string }[] }>(
      'GET',
      '/families/evolving/tables/things',
    );
    expect(schema.body.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'id:integer',
      'name:string',
      'colour:string',
      'size:integer',
    ]);
    expect(loader.statuses.every((s) => s.halted === null)).toBe(true);
  });
});
