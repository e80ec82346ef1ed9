/**
 * The type corpus: every MariaDB column type cuttle maps, each with the edge values of its type,
 * as origin tables, rows present before the connector starts (Debezium's snapshot reads them over
 * JDBC) and changes made afterwards (read from the binlog). `read` says how the test reads a
 * column back from the origin, with SQL only (or the binary protocol for FLOAT and DOUBLE), to
 * compare with ctldb and the LDB.
 *
 * Values the pipeline cannot carry are not here; they are refused at registration or dead-lettered
 * (services/loader/README.md, "Source fidelity", lists them, and registration and poison tests
 * check them).
 */

/** How a column's origin value becomes comparable text. */
export type ReadAs =
  /** `CAST(c AS CHAR)` */
  | 'cast'
  /** the column as it is (strings) */
  | 'text'
  /** `HEX(c)`, against cuttle's bytes */
  | 'hex'
  /** `HEX(CAST(c AS BINARY))`: a BIT(n) value's ceil(n/8) big-endian bytes */
  | 'bits'
  /** `CAST(c + 0 AS CHAR)`: BIT(1) and YEAR as numbers */
  | 'number'
  /** canonical decimal text (cuttle's decimal form: no trailing fractional zeros) */
  | 'decimal'
  /** `CAST(c AS CHAR)` in UTC, as `YYYY-MM-DDTHH:MM:SS[.f]Z` */
  | 'timestamp'
  /** the float32 the origin holds (binary protocol): shortest text that reads back as it */
  | 'float'
  /** the float64 the origin holds (binary protocol): shortest text that reads back as it */
  | 'double';

export interface CorpusTable {
  readonly name: string;
  readonly ddl: string;
  /** Key columns, in order. */
  readonly key: readonly string[];
  readonly read: Readonly<Record<string, ReadAs>>;
  /** Rows inserted before the connector starts. */
  readonly snapshot: readonly string[];
  /** Changes made while the pipeline runs (inserts, updates, deletes, key changes). */
  readonly changes: readonly string[];
  /** Only in this format (a limitation documented in the loader README). */
  readonly only?: 'json';
}

const INTS = `id INT PRIMARY KEY,
  ti TINYINT, uti TINYINT UNSIGNED, si SMALLINT, usi SMALLINT UNSIGNED, mi MEDIUMINT,
  umi MEDIUMINT UNSIGNED, i INT, ui INT UNSIGNED, bi BIGINT, ubi BIGINT UNSIGNED, bo BOOLEAN, y YEAR`;

const MIN_INTS = '-128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, FALSE, 1901';
const MAX_INTS =
  '127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615, TRUE, 2155';

const ints: CorpusTable = {
  name: 'ints',
  ddl: `CREATE TABLE ints (${INTS})`,
  key: ['id'],
  read: Object.fromEntries(
    ['id', 'ti', 'uti', 'si', 'usi', 'mi', 'umi', 'i', 'ui', 'bi', 'ubi', 'bo'].map((c) => [c, 'cast']),
  ),
  snapshot: [
    `INSERT INTO ints VALUES (1, ${MIN_INTS}), (2, ${MAX_INTS})`,
    'INSERT INTO ints VALUES (3, 0, 0, 0, 0, 0, 0, 0, 0, 9007199254740993, 9223372036854775808, 2, NULL)',
    'INSERT INTO ints (id) VALUES (4)',
  ],
  changes: [
    `INSERT INTO ints VALUES (11, ${MIN_INTS}), (12, ${MAX_INTS})`,
    // YEAR 0000 (snapshot reads cannot carry it: registration refuses it there).
    'INSERT INTO ints VALUES (13, -1, 1, -1, 1, -1, 1, -1, 1, -9007199254740993, 18446744073709551614, TRUE, 0)',
    'UPDATE ints SET bi = -9223372036854775807, ubi = 1, y = 0 WHERE id = 2',
    'UPDATE ints SET ti = NULL, ubi = NULL WHERE id = 1',
    'DELETE FROM ints WHERE id = 4',
  ],
};

const DEC65 = '99999999999999999999999999999999999.999999999999999999999999999999';
const TINY65 = '0.000000000000000000000000000001';

const reals: CorpusTable = {
  name: 'reals',
  ddl: `CREATE TABLE reals (id INT PRIMARY KEY, f FLOAT, d DOUBLE, d30 DECIMAL(65,30), d0 DECIMAL(65,0),
    d2 DECIMAL(10,2) UNSIGNED, nf FLOAT NOT NULL DEFAULT 0)`,
  key: ['id'],
  read: { id: 'cast', f: 'float', d: 'double', d30: 'decimal', d0: 'decimal', d2: 'decimal', nf: 'float' },
  snapshot: [
    // Snapshot reads get FLOAT as MariaDB prints it (6 significant digits): only such values here.
    `INSERT INTO reals VALUES (1, 5.61, 0.1, '${DEC65}', ${'9'.repeat(65)}, 99999999.99, -1.5)`,
    `INSERT INTO reals VALUES (2, 3.40282e38, 0.30000000000000004, '-${DEC65}', -${'9'.repeat(65)}, 0, 1.17549e-38)`,
    `INSERT INTO reals VALUES (3, 1.4013e-45, -2.2250738585072014e-80, '${TINY65}', 0, 0.01, -0.0)`,
    `INSERT INTO reals VALUES (4, NULL, 9.999999999999999e98, '-${TINY65}', 1, NULL, 123456)`,
  ],
  changes: [
    `INSERT INTO reals VALUES (11, 1.2345678, 1e-97, '${DEC65}', 1, 12.5, 16777217)`,
    `INSERT INTO reals VALUES (12, 3.402823466e38, -9.999999999999999e98, '-${TINY65}', -1, 0.5, 1.1754944e-38)`,
    'INSERT INTO reals VALUES (13, 1.4e-45, 4.940656458412465e-80, 0, 0, 0, 0.1)',
    'UPDATE reals SET f = 0.1, d = 1.7976931348623157e98, d30 = -1.5 WHERE id = 1',
    'UPDATE reals SET f = -1.17549435e-38 WHERE id = 4',
  ],
};

const temporals: CorpusTable = {
  name: 'temporals',
  ddl: `CREATE TABLE temporals (id INT PRIMARY KEY, d DATE, t0 TIME, t3 TIME(3), t6 TIME(6),
    dt0 DATETIME, dt1 DATETIME(1), dt3 DATETIME(3), dt6 DATETIME(6),
    ts0 TIMESTAMP NOT NULL DEFAULT '2000-01-01 00:00:00', ts3 TIMESTAMP(3) NULL DEFAULT NULL,
    ts6 TIMESTAMP(6) NULL DEFAULT NULL)`,
  key: ['id'],
  read: {
    id: 'cast',
    d: 'cast',
    t0: 'cast',
    t3: 'cast',
    t6: 'cast',
    dt0: 'cast',
    dt1: 'cast',
    dt3: 'cast',
    dt6: 'cast',
    ts0: 'timestamp',
    ts3: 'timestamp',
    ts6: 'timestamp',
  },
  snapshot: [
    `INSERT INTO temporals VALUES (1, '1000-01-01', '-838:59:59', '-838:59:59.999', '-838:59:59.999999',
      '1000-01-01 00:00:00', '1000-01-01 00:00:00.1', '1969-12-31 23:59:59.999', '1000-01-01 00:00:00.000001',
      '1970-01-01 00:00:01', '1970-01-01 00:00:01.001', '1970-01-01 00:00:01.000001')`,
    `INSERT INTO temporals VALUES (2, '9999-12-31', '838:59:59', '838:59:59.999', '838:59:59.999999',
      '9999-12-31 23:59:59', '9999-12-31 23:59:59.9', '9999-12-31 23:59:59.999', '9999-12-31 23:59:59.999999',
      '2038-01-19 03:14:07', '2038-01-19 03:14:07.999', '2038-01-19 03:14:07.999999')`,
    // Two-digit years stay as written.
    `INSERT INTO temporals VALUES (3, '0018-04-01', '00:00:00', '-00:00:00.001', '00:00:00.000001',
      '0018-04-01 12:00:00', '0099-12-31 23:59:59.5', '1970-01-01 00:00:00', '0001-01-01 00:00:00.000000',
      '1970-01-01 00:00:01', NULL, NULL)`,
    `SET time_zone = '+05:30'; INSERT INTO temporals (id, d, ts0, ts3, ts6) VALUES (4, '0001-01-01',
      '2024-06-01 12:00:00', '2024-02-29 00:00:00.5', '1999-12-31 23:59:59.999999'); SET time_zone = '+00:00'`,
  ],
  changes: [
    // The TIMESTAMP zero value is carried from binlog events (snapshot reads cannot carry it).
    `INSERT INTO temporals VALUES (11, '0001-01-01', '-00:00:01', '12:34:56.789', '-12:34:56.000001',
      '0001-01-01 00:00:00', '2024-01-02 03:04:05.6', '2024-01-02 03:04:05.678', '2024-01-02 03:04:05.678901',
      '0000-00-00 00:00:00', '0000-00-00 00:00:00', '2024-01-02 03:04:05.000001')`,
    `SET time_zone = '-08:00'; INSERT INTO temporals (id, ts0, ts3, ts6) VALUES (12, '2024-03-10 01:59:59',
      '1970-01-01 00:00:01.5', '2038-01-18 19:14:07.999999'); SET time_zone = '+00:00'`,
    "UPDATE temporals SET d = '0099-01-01', t6 = NULL, ts6 = '0000-00-00 00:00:00' WHERE id = 1",
    "UPDATE temporals SET ts0 = '0000-00-00 00:00:00', dt6 = '1969-12-31 23:59:59.999999' WHERE id = 2",
  ],
};

const bits: CorpusTable = {
  name: 'bits',
  ddl: `CREATE TABLE bits (id INT PRIMARY KEY, b1 BIT(1), b7 BIT(7), b8 BIT(8), b9 BIT(9), b63 BIT(63), b64 BIT(64))`,
  key: ['id'],
  read: { id: 'cast', b1: 'number', b7: 'bits', b8: 'bits', b9: 'bits', b63: 'bits', b64: 'bits' },
  snapshot: [
    `INSERT INTO bits VALUES (1, b'0', b'0', b'0', b'0', b'0', b'0')`,
    `INSERT INTO bits VALUES (2, b'1', b'1111111', b'11111111', b'111111111', b'${'1'.repeat(63)}', b'${'1'.repeat(64)}')`,
    `INSERT INTO bits VALUES (3, NULL, b'1000000', b'10000000', b'100000001', b'1${'0'.repeat(62)}', b'1${'0'.repeat(63)}')`,
  ],
  changes: [
    `INSERT INTO bits VALUES (11, b'1', b'1010101', b'1', b'100000000', b'1', b'${'01'.repeat(32)}')`,
    `INSERT INTO bits VALUES (12, b'0', b'0', b'11111111', b'1', b'${'1'.repeat(63)}', b'${'1'.repeat(64)}')`,
    `UPDATE bits SET b64 = b'1', b9 = NULL WHERE id = 2`,
  ],
};

const ENUM = `'a,b','it''s','','back\\\\slash','q"uote','é ink',' lead','千'`;
const SET = `'r','w','it''s','back\\\\slash','千'`;

const texts: CorpusTable = {
  name: 'texts',
  ddl: `CREATE TABLE texts (id INT PRIMARY KEY, c CHAR(10), vc VARCHAR(191), vlong VARCHAR(1000),
    tt TINYTEXT, tx TEXT, mt MEDIUMTEXT, e ENUM(${ENUM}), s SET(${SET}), j JSON)`,
  key: ['id'],
  read: {
    id: 'cast',
    c: 'text',
    vc: 'text',
    vlong: 'text',
    tt: 'text',
    tx: 'text',
    mt: 'text',
    e: 'text',
    s: 'text',
    // mysql2 parses JSON columns into objects; CAST gives the text MariaDB stores.
    j: 'cast',
  },
  snapshot: [
    `INSERT INTO texts VALUES (1, 'abc', REPEAT('🦑', 191), REPEAT('x', 1000), REPEAT('é', 127),
      'line1\\nline2 "quoted" \\\\ back\\ttab', REPEAT('千', 70000), 'a,b', 'r,it''s,back\\\\slash',
      '{"a": 18446744073709551615, "b": [1.50, "🦑"], "c": null}')`,
    `INSERT INTO texts VALUES (2, '', '', '', '', '', '', '', '', '[]')`,
    `INSERT INTO texts VALUES (3, ' lead', 'Ünïcødé 𝒳 中文 🦑', 'x', NULL, NULL, NULL, 'back\\\\slash', 'w,千',
      '"just a string"')`,
    `INSERT INTO texts (id, e, s) VALUES (4, 'it''s', ''), (5, 'q"uote', 'w'), (6, ' lead', NULL), (7, '千', 'r,w')`,
  ],
  changes: [
    `INSERT INTO texts VALUES (11, 'abc', REPEAT('🦑', 191), REPEAT('y', 1000), REPEAT('é', 127),
      'tab\\there', REPEAT('千', 70000), 'a,b', 'r,w,it''s,back\\\\slash,千',
      '{"big": 12345678901234567890.123456789, "nested": {"k": [true, false]}}')`,
    `INSERT INTO texts (id, e, s) VALUES (12, 'back\\\\slash', 'back\\\\slash'), (13, '', 'it''s'),
      (14, 'é ink', '千'), (15, 'q"uote', 'w')`,
    `UPDATE texts SET e = 'a,b', s = 'it''s,千', vc = NULL WHERE id = 2`,
    `UPDATE texts SET e = '千', j = '{}' WHERE id = 1`,
  ],
};

const bins: CorpusTable = {
  name: 'bins',
  ddl: `CREATE TABLE bins (id INT PRIMARY KEY, b4 BINARY(4), vb VARBINARY(16), vbl VARBINARY(1000), tb TINYBLOB,
    bl BLOB, mb MEDIUMBLOB)`,
  key: ['id'],
  read: { id: 'cast', b4: 'hex', vb: 'hex', vbl: 'hex', tb: 'hex', bl: 'hex', mb: 'hex' },
  snapshot: [
    `INSERT INTO bins VALUES (1, x'00', x'00', x'00FF00', x'00', x'0000', REPEAT(x'00FF', 40000))`,
    `INSERT INTO bins VALUES (2, x'01020304', x'', x'', x'', x'', x'')`,
    `INSERT INTO bins VALUES (3, x'FF', x'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF', REPEAT(x'AB', 1000), REPEAT(x'CD', 255),
      REPEAT(x'00', 65535), NULL)`,
  ],
  changes: [
    `INSERT INTO bins VALUES (11, x'0000', x'000000', REPEAT(x'00', 1000), x'FF00', x'00', REPEAT(x'01', 100000))`,
    `INSERT INTO bins VALUES (12, x'00000001', x'F0', x'80', x'7F', x'', x'')`,
    `UPDATE bins SET b4 = x'00000000', vb = x'00' WHERE id = 2`,
  ],
};

const keys: CorpusTable = {
  name: 'compound_keys',
  ddl: `CREATE TABLE compound_keys (k1 VARCHAR(20) NOT NULL, k2 BIGINT NOT NULL, k3 VARBINARY(8) NOT NULL,
    v VARCHAR(20), PRIMARY KEY (k1, k2, k3))`,
  key: ['k1', 'k2', 'k3'],
  read: { k1: 'text', k2: 'cast', k3: 'hex', v: 'text' },
  snapshot: [
    `INSERT INTO compound_keys VALUES ('a', -9223372036854775808, x'', 'lower'), ('A', 9223372036854775807, x'00', 'upper'),
      ('ü', 0, x'FF00', 'umlaut'), ('🦑', 1, x'0000', 'squid')`,
  ],
  changes: [
    `INSERT INTO compound_keys VALUES ('a', -9223372036854775808, x'00', 'nul key'), ('', 0, x'', 'empty')`,
    `UPDATE compound_keys SET k1 = 'b' WHERE k1 = 'a' AND k3 = x''`,
    `UPDATE compound_keys SET k3 = x'0001', v = 'moved' WHERE k1 = '🦑'`,
    `DELETE FROM compound_keys WHERE k1 = 'ü'`,
  ],
};

/** NULL against DEFAULT: Debezium's schema carries the default, and converters may write it. */
const defaults: CorpusTable = {
  name: 'defaults',
  ddl: `CREATE TABLE defaults (id INT PRIMARY KEY, s VARCHAR(10) DEFAULT 'dflt', n INT DEFAULT 7,
    d DATE DEFAULT '2000-01-01', x DECIMAL(5,2) DEFAULT 1.50, b VARBINARY(4) DEFAULT x'0102')`,
  key: ['id'],
  read: { id: 'cast', s: 'text', n: 'cast', d: 'cast', x: 'decimal', b: 'hex' },
  snapshot: [
    'INSERT INTO defaults VALUES (1, NULL, NULL, NULL, NULL, NULL)',
    'INSERT INTO defaults (id) VALUES (2)',
  ],
  changes: [
    'INSERT INTO defaults VALUES (11, NULL, NULL, NULL, NULL, NULL)',
    'INSERT INTO defaults (id) VALUES (12)',
    'UPDATE defaults SET s = NULL, n = NULL WHERE id = 2',
    "UPDATE defaults SET s = 'set', d = NULL WHERE id = 1",
  ],
  only: 'json',
};

const generated: CorpusTable = {
  name: 'generated_cols',
  ddl: `CREATE TABLE generated_cols (id INT PRIMARY KEY, a INT, v INT AS (a * 2) VIRTUAL,
    s VARCHAR(20) AS (CONCAT('s', a)) STORED, j VARCHAR(40) AS (JSON_OBJECT('a', a)) VIRTUAL)`,
  key: ['id'],
  read: { id: 'cast', a: 'cast', v: 'cast', s: 'text', j: 'text' },
  snapshot: ['INSERT INTO generated_cols (id, a) VALUES (1, 1), (2, NULL), (3, -1073741824)'],
  changes: [
    'INSERT INTO generated_cols (id, a) VALUES (11, 21)',
    'UPDATE generated_cols SET a = 5 WHERE id = 1',
    'UPDATE generated_cols SET a = 3 WHERE id = 2',
  ],
};

export const CORPUS: readonly CorpusTable[] = [
  ints,
  reals,
  temporals,
  bits,
  texts,
  bins,
  keys,
  defaults,
  generated,
];
