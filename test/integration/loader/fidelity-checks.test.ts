/**
 * Registration's fidelity checks (services/loader/sources/origin-checks.ts) against the real origin
 * MariaDB: every column whose values Debezium cannot carry exactly is refused, naming the column
 * and what to do; columns that may later hold values cuttle refuses get a warning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MysqlOriginSchemaReader } from '../../../services/loader/adapters/origin-schema-adapter.ts';
import { sourceConfigSchema } from '../../../services/loader/mapping/source-config.ts';
import { SourceMapper } from '../../../services/loader/mapping/source-mapper.ts';
import { checkFidelity, requireCarriable } from '../../../services/loader/sources/origin-checks.ts';
import type { OriginColumn } from '../../../services/loader/sources/origin-schema.ts';
import { thrownCuttleError } from '../../support/errors.ts';
import { Origin, openOriginReader } from './origin.ts';

const origin = new Origin();
let probe: MysqlOriginSchemaReader;

async function check(tables: readonly string[], format: 'json' | 'avro' = 'json') {
  const mappings = [];
  const columns: OriginColumn[][] = [];
  for (const table of tables) {
    mappings.push(await origin.tableMapping({ table, family: 'fidelity' }));
    columns.push(await origin.columns(table));
  }
  const mapper = new SourceMapper(sourceConfigSchema.parse({ name: 'fidelity', format, tables: mappings }));
  return checkFidelity(
    mapper.tables.map((table, i) => ({ table, columns: columns[i] ?? [] })),
    format,
    probe,
  );
}

beforeAll(async () => {
  await origin.open();
  probe = await openOriginReader();
  // Zero dates need a permissive session; the origin's own sql_mode allows them in DATE columns.
  await origin.exec("SET SESSION sql_mode = ''");
  await origin.exec(`CREATE TABLE dates (id INT PRIMARY KEY, d DATE, dt DATETIME, ts TIMESTAMP NULL,
    ok DATE, y YEAR, oky YEAR)`);
  await origin.exec(`INSERT INTO dates VALUES (1, '0000-00-00', '2024-00-10 00:00:00', '0000-00-00 00:00:00',
    '2024-01-01', 0, 2000), (2, '2024-05-00', '0000-01-01 00:00:00', NULL, '0018-04-01', NULL, 1901)`);
  await origin.exec(
    `CREATE TABLE numbers (id BIGINT UNSIGNED PRIMARY KEY, f FLOAT, okf FLOAT, d DOUBLE, okd DOUBLE)`,
  );
  await origin.exec(`INSERT INTO numbers VALUES (1, 1.2345678, 5.61, 1e-300, 0.1),
    (18446744073709551615, 1.5, 3.40282e38, 1e150, 9.999999999999999e98)`);
  await origin.exec(`CREATE TABLE members (id INT PRIMARY KEY, e ENUM('a', 'x?y'), s SET('🦑', 'b'),
    ok ENUM('a,b', 'it''s', ''))`);
  await origin.exec(`CREATE TABLE defaults (id INT PRIMARY KEY, nd VARCHAR(5) DEFAULT 'x', nn INT DEFAULT NULL,
    nnd INT NOT NULL DEFAULT 7, n INT)`);
  await origin.exec('SET SESSION sql_mode = DEFAULT');
});

afterAll(async () => {
  await probe?.close();
  await origin.close();
});

describe('registration fidelity checks', () => {
  it('refuses zero and partial dates, year 0000 dates, and YEAR 0000 in the table', async () => {
    const report = await check(['dates']);
    const db = origin.database;
    expect(report.refusals).toEqual([
      expect.stringMatching(
        new RegExp(
          `^column ${db}\\.dates\\.d \\(date\\): 2 row\\(s\\) hold a zero or partial date.*e\\.g\\. 0000-00-00.*set them to NULL or a real date`,
        ),
      ),
      expect.stringMatching(new RegExp(`^column ${db}\\.dates\\.dt \\(datetime\\): 2 row\\(s\\)`)),
      expect.stringMatching(new RegExp(`^column ${db}\\.dates\\.ts \\(timestamp\\): 1 row\\(s\\)`)),
      expect.stringMatching(
        new RegExp(`^column ${db}\\.dates\\.y \\(year\\(4\\)\\): 1 row\\(s\\) hold YEAR 0000`),
      ),
    ]);
    // MariaDB's default sql_mode lets zero dates in later: a warning names every date column.
    expect(report.warnings).toEqual([expect.stringContaining(`${db}.dates.ok (date)`)]);
    expect(report.warnings[0]).toContain('NO_ZERO_DATE,NO_ZERO_IN_DATE');
  });

  it('refuses FLOAT values the snapshot rounds, DOUBLE values cuttle refuses, and key values above 2^63-1', async () => {
    const report = await check(['numbers']);
    expect(report.refusals).toEqual([
      expect.stringMatching(
        /\.numbers\.id \(bigint\(20\) unsigned\): 1 key value\(s\) are above 2\^63-1 \(e\.g\. 18446744073709551615\)/,
      ),
      expect.stringMatching(
        /\.numbers\.f \(float\): 1 row\(s\) hold FLOAT values with more than 6 significant digits.*change the column to DOUBLE/,
      ),
      expect.stringMatching(/\.numbers\.d \(double\): 2 row\(s\) hold DOUBLE values cuttle refuses/),
    ]);
    expect(report.warnings.filter((w) => w.includes('DOUBLE values whose exact decimal text'))).toHaveLength(
      2,
    );
  });

  it('refuses ENUM and SET members with "?", which may be a 4-byte character MariaDB shows as "?"', async () => {
    const report = await check(['members']);
    expect(report.refusals).toEqual([
      expect.stringMatching(/\.members\.e \(enum\('a','x\?y'\)\): member\(s\) 'x\?y' contain "\?"/),
      expect.stringMatching(/\.members\.s \(set\('\?','b'\)\): member\(s\) '\?' contain/),
    ]);
  });

  it('refuses nullable columns with a default for Avro sources only, and throws one error for all', async () => {
    expect((await check(['defaults'], 'json')).refusals).toEqual([]);
    const avro = await check(['defaults'], 'avro');
    expect(avro.refusals).toEqual([
      expect.stringMatching(
        /\.defaults\.nd \(varchar\(5\)\): it is nullable with DEFAULT 'x'.*register the source as json/,
      ),
    ]);
    const error = thrownCuttleError(() => requireCarriable('shop', avro));
    expect(error.code).toBe('UNCARRIABLE_VALUE');
    expect(error.message).toContain('source shop cannot be carried exactly');
  });
});
