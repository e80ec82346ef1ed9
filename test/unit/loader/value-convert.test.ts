import { describe, expect, it } from 'vitest';
import type { UpsertRecord } from '../../../services/loader/decode/change-record.ts';
import type { ConnectField } from '../../../services/loader/decode/connect-schema.ts';
import { ExactNumber } from '../../../services/loader/decode/exact-json.ts';
import type { DebeziumEncodings } from '../../../services/loader/mapping/encodings.ts';
import { sourceConfigSchema } from '../../../services/loader/mapping/source-config.ts';
import { SourceMapper } from '../../../services/loader/mapping/source-mapper.ts';
import { thrownBy } from './helpers.ts';

/** Maps one value of a column `v` of the given origin type, the way the loader does. */
function mapValue(
  type: string,
  raw: unknown,
  encodings: Partial<DebeziumEncodings> = {},
  field?: ConnectField,
  snapshot = false,
): unknown {
  const config = sourceConfigSchema.parse({
    name: 'origin',
    encodings,
    tables: [
      {
        source: { database: 'ctl', table: 'widgets' },
        target: { family: 'shop', table: 'widgets' },
        columns: [
          { name: 'id', type: 'int(11)' },
          { name: 'v', type },
        ],
        keyColumns: ['id'],
      },
    ],
  });
  const record: UpsertRecord = {
    kind: 'upsert',
    op: 'c',
    sourceTable: { database: 'ctl', table: 'widgets' },
    position: { file: null, pos: null, row: null, gtid: null, snapshot, txOrder: null },
    sourceTsMs: 0,
    key: { id: 1 },
    values: { id: 1, v: raw },
    columns: field === undefined ? null : new Map([['v', field]]),
    primaryKeyChange: false,
  };
  const outcome = new SourceMapper(config).map(record);
  if (outcome.kind !== 'mutations') throw new Error(`unexpected outcome ${outcome.kind}`);
  const [mutation] = outcome.mutations;
  if (mutation?.op !== 'upsert') throw new Error('expected an upsert');
  return mutation.values.v;
}

const precise = { decimalHandlingMode: 'precise', bigintUnsignedHandlingMode: 'precise' } as const;
const asString = { decimalHandlingMode: 'string', binaryHandlingMode: 'base64' } as const;

describe('integers', () => {
  it('keeps every width exact, as numbers when safe and strings beyond 2^53', () => {
    expect(mapValue('tinyint(4)', -128)).toBe(-128);
    expect(mapValue('int(10) unsigned', 4294967295)).toBe(4294967295);
    expect(mapValue('bigint(20)', 9007199254740991)).toBe(9007199254740991);
    expect(mapValue('bigint(20)', new ExactNumber('9223372036854775807'))).toBe('9223372036854775807');
    expect(mapValue('bigint(20)', new ExactNumber('-9223372036854775808'))).toBe('-9223372036854775808');
    expect(mapValue('bigint(20)', 2n ** 63n - 1n)).toBe('9223372036854775807');
  });

  it('unwraps unsigned BIGINT from Debezium long mode (values above 2^63 arrive negative)', () => {
    expect(mapValue('bigint(20) unsigned', -1)).toBe('18446744073709551615');
    expect(mapValue('bigint(20) unsigned', new ExactNumber('-9223372036854775808'))).toBe(
      '9223372036854775808',
    );
    expect(mapValue('bigint(20) unsigned', 42)).toBe('42');
  });

  it('reads unsigned BIGINT from precise mode (Decimal bytes, scale 0)', () => {
    const max = Buffer.from('00ffffffffffffffff', 'hex');
    expect(mapValue('bigint(20) unsigned', max.toString('base64'), precise)).toBe('18446744073709551615');
    expect(mapValue('bigint(20) unsigned', max, precise)).toBe('18446744073709551615');
    const field = {
      type: 'bytes',
      optional: true,
      name: 'org.apache.kafka.connect.data.Decimal',
      parameters: { scale: '0' },
    };
    expect(mapValue('bigint(20) unsigned', max.toString('base64'), {}, field)).toBe('18446744073709551615');
  });

  it('reads YEAR, BOOLEAN and BIT(1)', () => {
    expect(mapValue('year(4)', 2024)).toBe(2024);
    expect(mapValue('tinyint(1)', 1)).toBe(1);
    expect(mapValue('bit(1)', true)).toBe(1);
    expect(mapValue('bit(1)', false)).toBe(0);
  });

  it('reads YEAR 0000, which the binlog reader turns into 1900 (no YEAR holds 1900)', () => {
    expect(mapValue('year(4)', 1900)).toBe(0);
    expect(mapValue('year(4)', 1901)).toBe(1901);
    expect(mapValue('year(4)', 2155)).toBe(2155);
  });

  it('rejects what is not an integer', () => {
    expect(() => mapValue('int(11)', '12')).toThrow(
      /shop\.widgets\.v from ctl\.widgets\.v \(int\(11\)\): expected an integer/,
    );
    expect(thrownBy(() => mapValue('int(11)', new ExactNumber('1.5')))).toMatchObject({
      code: 'WRONG_VALUE_TYPE',
    });
  });
});

describe('decimals', () => {
  it('decodes precise Connect Decimal bytes with the scale of the column', () => {
    expect(mapValue('decimal(10,2)', 'BNI=', precise)).toBe('12.34');
    expect(mapValue('decimal(10,2)', '+y4=', precise)).toBe('-12.34');
    expect(mapValue('decimal(10,3)', Buffer.from([0x01]), precise)).toBe('0.001');
    expect(mapValue('decimal(10,2)', 'AA==', precise)).toBe('0');
  });

  it('prefers the scale the event schema declares', () => {
    const field = {
      type: 'bytes',
      optional: true,
      name: 'org.apache.kafka.connect.data.Decimal',
      parameters: { scale: '3' },
    };
    expect(mapValue('decimal(10,2)', 'BNI=', asString, field)).toBe('1.234');
  });

  it('keeps 65-digit decimals exact from string mode and from NUMERIC JSON numbers', () => {
    const big = '12345678901234567890123456789012345.123456789012345678901234567891';
    expect(mapValue('decimal(65,30)', big, asString)).toBe(big);
    expect(mapValue('decimal(65,30)', `-${big}`, asString)).toBe(`-${big}`);
    expect(mapValue('decimal(65,30)', new ExactNumber(big), precise)).toBe(big);
    expect(mapValue('decimal(65,30)', `${big.slice(0, -1)}0`, asString)).toBe(big.slice(0, -1));
    expect(mapValue('decimal(10,2)', '0012.50', asString)).toBe('12.5');
    expect(mapValue('decimal(10,2)', '-0.00', asString)).toBe('0');
  });

  it('rejects text that is not a decimal', () => {
    expect(() => mapValue('decimal(10,2)', '1e5', asString)).toThrow(/expected decimal text/);
  });

  it('writes FLOAT and DOUBLE as the shortest exact text', () => {
    expect(mapValue('double', 0.1)).toBe('0.1');
    expect(mapValue('double', new ExactNumber('1.0E10'))).toBe('10000000000');
    expect(mapValue('double', new ExactNumber('-2.5E-7'))).toBe('-0.00000025');
    expect(mapValue('float', 1.100000023841858)).toBe('1.1');
    expect(mapValue('float', new ExactNumber('3.4028235E38'))).toBe(
      '340282350000000000000000000000000000000',
    );
  });

  it('writes FLOAT at float32 precision whatever text the converter wrote', () => {
    // A float widened to a double, as JSON text or an Avro float.
    expect(mapValue('float', new ExactNumber('5.610000133514404'))).toBe('5.61');
    expect(mapValue('float', 5.610000133514404)).toBe('5.61');
    expect(mapValue('float', new ExactNumber('1.2345678'))).toBe('1.2345678');
    expect(mapValue('float', new ExactNumber('1.4E-45'))).toBe(`0.${'0'.repeat(44)}1`);
    expect(mapValue('float', new ExactNumber('-0.0'))).toBe('0');
  });

  it('writes DOUBLE as the shortest text that reads back as the same double', () => {
    expect(mapValue('double', new ExactNumber('0.30000000000000004'))).toBe('0.30000000000000004');
    expect(mapValue('double', new ExactNumber('1.0E23'))).toBe('100000000000000000000000');
    // Digits the double does not hold are not kept: the text is the double's own shortest.
    expect(mapValue('double', new ExactNumber('0.1000000000000000055511151231257827'))).toBe('0.1');
    // A value whose decimal text is over 100 characters is refused (poison), never rounded.
    expect(thrownBy(() => mapValue('double', new ExactNumber('4.9E-324')))).toMatchObject({
      code: 'VALUE_TOO_LARGE',
    });
  });
});

describe('temporal types', () => {
  it('formats DATE from epoch days', () => {
    expect(mapValue('date', 19724)).toBe('2024-01-02');
    expect(mapValue('date', -1)).toBe('1969-12-31');
    expect(mapValue('date', -354285)).toBe('1000-01-01');
    expect(mapValue('date', 2932896)).toBe('9999-12-31');
  });

  it('formats TIME from microseconds, including negative and beyond 24 hours', () => {
    expect(mapValue('time', 45296000000)).toBe('12:34:56');
    expect(mapValue('time(3)', 45296789000)).toBe('12:34:56.789');
    expect(mapValue('time(6)', 45296000001)).toBe('12:34:56.000001');
    expect(mapValue('time', -3600000000)).toBe('-01:00:00');
    expect(mapValue('time', 3020399000000)).toBe('838:59:59');
  });

  it('formats DATETIME(0-3) from epoch ms and DATETIME(4-6) from epoch µs', () => {
    expect(mapValue('datetime', 1704164645000)).toBe('2024-01-02 03:04:05');
    expect(mapValue('datetime(3)', 1704164645678)).toBe('2024-01-02 03:04:05.678');
    expect(mapValue('datetime(2)', 1704164645670)).toBe('2024-01-02 03:04:05.67');
    expect(mapValue('datetime(6)', 1704164645678901)).toBe('2024-01-02 03:04:05.678901');
    expect(mapValue('datetime(6)', 1704164645000000)).toBe('2024-01-02 03:04:05.000000');
    expect(mapValue('datetime(3)', -1)).toBe('1969-12-31 23:59:59.999');
  });

  it('follows the schema name when the event carries one', () => {
    const micro = { type: 'int64', optional: true, name: 'io.debezium.time.MicroTimestamp', parameters: {} };
    expect(mapValue('datetime(3)', 1704164645678000, {}, micro)).toBe('2024-01-02 03:04:05.678');
  });

  it('reads milliseconds in connect mode and refuses columns it would truncate', () => {
    expect(mapValue('time(3)', 45296789, { timePrecisionMode: 'connect' })).toBe('12:34:56.789');
    expect(() => mapValue('datetime(6)', 1, { timePrecisionMode: 'connect' })).toThrow(
      /keeps milliseconds only/,
    );
  });

  it('normalises TIMESTAMP to UTC ISO-8601 with the column’s fractional digits', () => {
    expect(mapValue('timestamp', '2018-06-20T13:37:03Z')).toBe('2018-06-20T13:37:03Z');
    expect(mapValue('timestamp(3)', '2024-01-02T03:04:05.6Z')).toBe('2024-01-02T03:04:05.600Z');
    expect(mapValue('timestamp(6)', '2024-01-02T03:04:05.123456Z')).toBe('2024-01-02T03:04:05.123456Z');
    expect(mapValue('timestamp', '2024-01-02T03:04:05+02:00')).toBe('2024-01-02T01:04:05Z');
    expect(() => mapValue('timestamp', 1704164645000)).toThrow(/ISO-8601/);
  });
});

describe('strings and bytes', () => {
  it('unescapes ENUM and SET members from the binlog, and keeps snapshot reads as they are', () => {
    expect(mapValue("enum('a,b','c')", 'a\\,b')).toBe('a,b');
    expect(mapValue("enum('p\\\\,q')", 'p\\\\\\,q')).toBe('p\\,q');
    expect(mapValue("set('p\\\\q','r')", 'p\\\\q,r')).toBe('p\\q,r');
    expect(mapValue("enum('a,b','c')", 'a,b', {}, undefined, true)).toBe('a,b');
    expect(mapValue("enum('p\\\\,q')", 'p\\,q', {}, undefined, true)).toBe('p\\,q');
    expect(mapValue("enum('x?y','')", '')).toBe('');
  });

  it('writes the TIMESTAMP zero value, which Debezium sends as the epoch', () => {
    expect(mapValue('timestamp', '1970-01-01T00:00:00Z')).toBe('0000-00-00T00:00:00Z');
    expect(mapValue('timestamp(3)', '1970-01-01T00:00:00Z')).toBe('0000-00-00T00:00:00.000Z');
    expect(mapValue('timestamp', '1970-01-01T00:00:01Z')).toBe('1970-01-01T00:00:01Z');
  });

  it('passes 4-byte characters, ENUM, SET and JSON through unchanged', () => {
    expect(mapValue('varchar(20)', '🦑 cuttle 𝒳')).toBe('🦑 cuttle 𝒳');
    expect(mapValue("enum('s','m')", 'm')).toBe('m');
    expect(mapValue("set('r','w')", 'r,w')).toBe('r,w');
    expect(mapValue('json', '{"a": [1, 18446744073709551615]}')).toBe('{"a": [1, 18446744073709551615]}');
    expect(mapValue('longtext', 'x'.repeat(70_000))).toHaveLength(70_000);
  });

  it('refuses NUL in text and over-long strings, naming the field', () => {
    expect(thrownBy(() => mapValue('varchar(20)', 'a\u0000b'))).toMatchObject({
      code: 'NUL_IN_TEXT',
      details: expect.objectContaining({ family: 'shop', field: 'v', column: 'v' }),
    });
    expect(thrownBy(() => mapValue('text', '\ud800'))).toMatchObject({ code: 'INVALID_UTF8' });
  });

  it('keeps NUL bytes in binary values and pads BINARY(n) like MariaDB', () => {
    expect(mapValue('varbinary(16)', Buffer.from([0, 1, 0]).toString('base64'))).toBe('AAEA');
    expect(mapValue('varbinary(16)', Buffer.from([0, 1, 0]))).toBe('AAEA');
    expect(mapValue('binary(4)', Buffer.from([1, 2]).toString('base64'))).toBe('AQIAAA==');
    expect(mapValue('blob', '3q2+7w==', asString)).toBe('3q2+7w==');
  });

  it('decodes every binary.handling.mode', () => {
    expect(mapValue('blob', 'deadbeef', { binaryHandlingMode: 'hex' })).toBe('3q2+7w==');
    expect(mapValue('blob', '3q2-7w==', { binaryHandlingMode: 'base64-url-safe' })).toBe('3q2+7w==');
    expect(() => mapValue('blob', 'xyz', { binaryHandlingMode: 'hex' })).toThrow(/expected hex text/);
    expect(() => mapValue('blob', 'not base64!')).toThrow(/expected base64/);
  });

  it('turns little-endian BIT(n) bytes into MariaDB’s big-endian value', () => {
    expect(mapValue('bit(3)', 'BQ==')).toBe('BQ==');
    expect(mapValue('bit(10)', Buffer.from([0x05, 0x02]).toString('base64'))).toBe(
      Buffer.from([0x02, 0x05]).toString('base64'),
    );
    expect(mapValue('bit(16)', Buffer.from([0x05]).toString('base64'))).toBe(
      Buffer.from([0x00, 0x05]).toString('base64'),
    );
    expect(mapValue('bit(64)', Buffer.alloc(8, 0xff))).toBe(Buffer.alloc(8, 0xff).toString('base64'));
    expect(() => mapValue('bit(8)', Buffer.from([1, 1]))).toThrow(/wider than 8 bits/);
  });

  it('maps null to null for every type', () => {
    for (const type of [
      'int(11)',
      'bigint(20) unsigned',
      'decimal(5,2)',
      'datetime(6)',
      'timestamp',
      'blob',
      'bit(4)',
      'json',
    ]) {
      expect(mapValue(type, null)).toBeNull();
    }
  });
});
