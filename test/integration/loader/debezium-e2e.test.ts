/**
 * End to end on the real stack: DML on the origin MariaDB → Debezium (Kafka Connect, JSON
 * converter) → Kafka → loader → executive → ctldb on MariaDB. Every column type the loader maps,
 * at its extremes (integers beyond 2^53, unsigned 2^64-1, 65-digit decimals, 4-byte characters,
 * NUL bytes, reserved-word column names, NULLs, dates before the epoch), through the snapshot and
 * through streaming inserts, updates, deletes and a primary-key change, ends up in ctldb equal
 * to the origin. The origin side is read back with SQL casts, independently of the loader's code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldType } from '../../../lib/schema/types.ts';
import { canonicalDecimal } from '../../../lib/schema/values.ts';
import { DEFAULT_ENCODINGS } from '../../../services/loader/mapping/encodings.ts';
import type { SourceConfigInput } from '../../../services/loader/mapping/source-config.ts';
import { sourceConfigSchema } from '../../../services/loader/mapping/source-config.ts';
import { SourceMapper } from '../../../services/loader/mapping/source-mapper.ts';
import { waitForTopic } from '../../support/kafka.ts';
import { stackEnv } from '../../support/stack-env.ts';
import { LoaderHarness, eventually } from './harness.ts';
import { DebeziumConnector, Origin, avroConverters } from './origin.ts';

const encodings = {
  ...DEFAULT_ENCODINGS,
  decimalHandlingMode: 'string',
  binaryHandlingMode: 'base64',
} as const;

const DDL = `CREATE TABLE widgets (
  id BIGINT NOT NULL PRIMARY KEY,
  \`order\` INT, \`select\` VARCHAR(20),
  ti TINYINT, si SMALLINT UNSIGNED, mi MEDIUMINT, i INT UNSIGNED, bi BIGINT, ubi BIGINT UNSIGNED,
  dec1 DECIMAL(10,2), dec2 DECIMAL(65,30),
  d DATE, t TIME(3), dt0 DATETIME, dt3 DATETIME(3), dt6 DATETIME(6), ts TIMESTAMP(6) NULL DEFAULT NULL, y YEAR,
  b1 BIT(1), b10 BIT(10), bo BOOLEAN,
  c CHAR(10), vc VARCHAR(191), vlong VARCHAR(500), tx TEXT,
  bin BINARY(4), vb VARBINARY(32), bl BLOB,
  e ENUM('s','m','l'), st SET('r','w','x'), j JSON,
  f FLOAT, dbl DOUBLE
)`;

/** How each origin column is read back as text, with SQL only. */
const ORIGIN_TEXT: Record<string, string> = {
  t: 'CAST(t AS CHAR)',
  ts: "DATE_FORMAT(ts, '%Y-%m-%dT%H:%i:%s.%fZ')",
  b1: 'CAST(CAST(b1 AS UNSIGNED) AS CHAR)',
  b10: 'HEX(CAST(b10 AS BINARY))',
  bin: 'HEX(bin)',
  vb: 'HEX(vb)',
  bl: 'HEX(bl)',
};
const RAW_TEXT = new Set(['select', 'c', 'vc', 'vlong', 'tx', 'e', 'st']);

async function originRows(
  origin: Origin,
  columns: readonly string[],
): Promise<Record<string, string | null>[]> {
  const select = columns
    .map((c) => `${ORIGIN_TEXT[c] ?? (RAW_TEXT.has(c) ? `\`${c}\`` : `CAST(\`${c}\` AS CHAR)`)} AS \`${c}\``)
    .join(', ');
  const rows = await origin.all(`SELECT ${select} FROM widgets ORDER BY id`);
  return rows.map((row) => Object.fromEntries(columns.map((c) => [c, normaliseOrigin(c, row[c])])));
}

function scalarText(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint')
    return String(value);
  throw new Error(`expected a scalar, got ${JSON.stringify(value)}`);
}

function normaliseOrigin(column: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : scalarText(value);
  if (column === 'dec1' || column === 'dec2') return canonicalDecimal(text);
  if (column === 'f') return String(Math.fround(Number(text)));
  if (column === 'dbl') return String(Number(text));
  return text;
}

function normaliseCuttle(column: string, type: FieldType, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = scalarText(value);
  if (type === 'binary' || type === 'bytestring')
    return Buffer.from(text, 'base64').toString('hex').toUpperCase();
  if (column === 'f') return String(Math.fround(Number(text)));
  if (column === 'dbl') return String(Number(text));
  return text;
}

/** Rows keyed by id, so that a difference shows as one row rather than a shifted list. */
function byId(rows: readonly Record<string, string | null>[]): Record<string, Record<string, string | null>> {
  return Object.fromEntries(rows.map((r) => [r.id ?? '', r]));
}

async function cuttleRows(
  harness: LoaderHarness,
  mapper: SourceMapper,
): Promise<Record<string, string | null>[]> {
  const table = mapper.tables[0];
  if (table === undefined) throw new Error('no table');
  const rows = await harness.rows(table.schema.family, table.schema.table);
  return rows.map((row) =>
    Object.fromEntries(
      table.columns.map((c) => [c.source, normaliseCuttle(c.source, c.field.type, row[c.field.name])]),
    ),
  );
}

const NASTY = `INSERT INTO widgets VALUES (
  9007199254740993, 2147483647, 'from',
  -128, 65535, -8388608, 4294967295, 9223372036854775807, 18446744073709551615,
  -12345678.90, '12345678901234567890123456789012345.123456789012345678901234567891',
  '1000-01-01', '-838:59:59.000', '9999-12-31 23:59:59', '1970-01-01 00:00:00.001', '1969-12-31 23:59:59.999999',
  '2038-01-19 03:14:07.999999', 2155,
  b'1', b'1111111111', TRUE,
  'abc', '🦑 cuttle 𝒳 ü', REPEAT('x', 500), 'line1\\nline2 "quoted" \\\\ back',
  x'0100', x'00FF00', x'00000000',
  'l', 'r,x', '{"a": 18446744073709551615, "b": [1.50]}',
  1.1, 0.1)`;

describe.each(['json', 'avro'] as const)(
  'loader end to end (%s): origin MariaDB → Debezium → Kafka → ctldb',
  (format) => {
    const harness = new LoaderHarness();
    const origin = new Origin();
    let connector: DebeziumConnector;
    let source: SourceConfigInput;

    beforeAll(async () => {
      await origin.open();
      await harness.open();
      await origin.exec(DDL);
      // Rows present before the connector starts arrive as snapshot reads (op "r").
      await origin.exec(`INSERT INTO widgets (id, \`order\`, \`select\`, vc, dec1, dt6) VALUES
      (1, 1, 'one', 'snap', 1.10, '2024-01-02 03:04:05.678901'), (2, 2, 'two', NULL, -0.01, NULL), (3, 3, 'three', 'x', 0, '2000-02-29 00:00:00')`);
      source = {
        name: harness.prefix,
        topicPrefix: harness.prefix,
        format,
        encodings,
        tables: [await origin.tableMapping({ table: 'widgets', family: 'shop' })],
      };
      await harness.createTables(source);
      connector = new DebeziumConnector({
        prefix: harness.prefix,
        database: origin.database,
        encodings,
        ...(format === 'avro' ? { extra: avroConverters() } : {}),
      });
      await connector.create();
      await waitForTopic(`${harness.prefix}.${origin.database}.widgets`, 120_000);
      await waitForTopic(harness.prefix, 120_000);
    });

    afterAll(async () => {
      await connector?.remove();
      await harness.close();
      await origin.close();
    });

    it('maps every column type of the origin table', () => {
      const mapper = new SourceMapper(sourceConfigSchema.parse(source));
      expect(mapper.tables[0]?.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
        'id:integer',
        'order:integer',
        'select:string',
        'ti:integer',
        'si:integer',
        'mi:integer',
        'i:integer',
        'bi:integer',
        'ubi:decimal',
        'dec1:decimal',
        'dec2:decimal',
        'd:string',
        't:string',
        'dt0:string',
        'dt3:string',
        'dt6:string',
        'ts:string',
        'y:integer',
        'b1:integer',
        'b10:bytestring',
        'bo:integer',
        'c:string',
        'vc:string',
        'vlong:text',
        'tx:text',
        'bin:bytestring',
        'vb:bytestring',
        'bl:binary',
        'e:string',
        'st:string',
        'j:text',
        'f:decimal',
        'dbl:decimal',
      ]);
    });

    it('arrives in ctldb equal to the origin, through snapshot and streaming', async () => {
      const loader = await harness.startLoader([source], { registryUrl: stackEnv.registryUrl });
      await origin.exec(NASTY);
      await origin.exec(`INSERT INTO widgets (id) VALUES (4)`);
      await origin.exec(
        `INSERT INTO widgets (id, bi, ubi, i, ti, dec2, dt0, vb) VALUES (-9223372036854775808, -9223372036854775808, 0, 0, 127, '-0.000000000000000000000000000001', '1000-01-01 00:00:00', x'')`,
      );
      // One transaction of many rows, then updates, a delete and a primary-key change.
      const many = Array.from(
        { length: 60 },
        (_, n) => `(${100 + n}, ${n}, 'bulk ${n}', ${n}.25, x'${(n % 256).toString(16).padStart(2, '0')}00')`,
      ).join(', ');
      await origin.exec(
        `START TRANSACTION; INSERT INTO widgets (id, \`order\`, vc, dec1, vb) VALUES ${many}; COMMIT`,
      );
      await origin.exec(
        `UPDATE widgets SET vc = CONCAT(vc, ' ✓'), dec1 = dec1 * 2 WHERE id BETWEEN 100 AND 130`,
      );
      await origin.exec(`UPDATE widgets SET vc = NULL, tx = 'now text' WHERE id = 1`);
      await origin.exec(`DELETE FROM widgets WHERE id IN (2, 101, 102)`);
      await origin.exec(`UPDATE widgets SET id = 5 WHERE id = 3`);
      const mapper = new SourceMapper(sourceConfigSchema.parse(source));
      const columns = mapper.tables[0]?.columns.map((c) => c.source) ?? [];
      await eventually(async () => {
        expect(byId(await cuttleRows(harness, mapper))).toEqual(byId(await originRows(origin, columns)));
      }, 120_000);
      const status = await fetch(`${loader.statusUrl ?? ''}/status`).then(
        (r) => r.json() as Promise<{ partitions: { halted: unknown }[] }>,
      );
      expect(status.partitions.every((p) => p.halted === null)).toBe(true);
    });
  },
);
