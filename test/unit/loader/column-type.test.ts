import { describe, expect, it } from 'vitest';
import {
  columnTypeFromSchemaColumn,
  describeColumnType,
  parseColumnType,
} from '../../../services/loader/mapping/column-type.ts';
import { planColumn } from '../../../services/loader/mapping/field-type.ts';
import { thrownBy } from './helpers.ts';

const ref = { database: 'ctl', table: 'widgets', column: 'c' };
const plan = (type: string, isKey = false) => planColumn(parseColumnType(type), ref, isKey);

describe('parseColumnType', () => {
  it('reads information_schema COLUMN_TYPE strings', () => {
    expect(parseColumnType('bigint(20) unsigned')).toEqual({
      base: 'bigint',
      unsigned: true,
      length: 20,
      scale: null,
      members: [],
    });
    expect(parseColumnType('decimal(65,30) unsigned zerofill')).toMatchObject({
      base: 'decimal',
      unsigned: true,
      length: 65,
      scale: 30,
    });
    expect(parseColumnType('DATETIME(6)')).toMatchObject({ base: 'datetime', length: 6 });
    expect(parseColumnType('double precision')).toMatchObject({ base: 'double' });
    expect(parseColumnType('numeric(5,2)')).toMatchObject({ base: 'decimal', length: 5, scale: 2 });
    expect(parseColumnType('longtext')).toMatchObject({ base: 'longtext', length: null });
  });

  it('reads ENUM and SET members with quotes, commas and parentheses inside', () => {
    expect(parseColumnType("enum('a','it''s','x,y','(z)')").members).toEqual(['a', "it's", 'x,y', '(z)']);
    expect(parseColumnType("set('read','write')")).toMatchObject({ base: 'set', members: ['read', 'write'] });
  });

  it('reads Debezium schema-change columns', () => {
    const column = {
      name: 'n',
      typeName: 'INT UNSIGNED',
      typeExpression: 'INT UNSIGNED',
      length: 10,
      scale: null,
      optional: true,
      enumValues: null,
    };
    expect(columnTypeFromSchemaColumn(column)).toEqual({
      base: 'int',
      unsigned: true,
      length: 10,
      scale: null,
      members: [],
    });
    const e = {
      ...column,
      typeName: 'ENUM',
      typeExpression: 'ENUM',
      length: 1,
      enumValues: ["'s'", "'it''s'"],
    };
    expect(describeColumnType(columnTypeFromSchemaColumn(e))).toBe("enum('s','it''s')");
  });
});

describe('planColumn', () => {
  it.each([
    ['tinyint(4)', 'integer', 'integer'],
    ['smallint(5) unsigned', 'integer', 'integer'],
    ['mediumint(9)', 'integer', 'integer'],
    ['int(10) unsigned', 'integer', 'integer'],
    ['bigint(20)', 'integer', 'integer'],
    ['bigint(20) unsigned', 'unsigned-bigint', 'decimal'],
    ['tinyint(1)', 'integer', 'integer'],
    ['year(4)', 'year', 'integer'],
    ['bit(1)', 'bit', 'integer'],
    ['bit(12)', 'bits', 'bytestring'],
    ['decimal(10,2)', 'decimal', 'decimal'],
    ['float', 'float', 'decimal'],
    ['double', 'double', 'decimal'],
    ['date', 'date', 'string'],
    ['time(3)', 'time', 'string'],
    ['datetime', 'datetime', 'string'],
    ['timestamp(6)', 'timestamp', 'string'],
    ['char(10)', 'text', 'string'],
    ['varchar(191)', 'text', 'string'],
    ['varchar(192)', 'text', 'text'],
    ['text', 'text', 'text'],
    ['longtext', 'text', 'text'],
    ['json', 'text', 'text'],
    ["enum('a','b')", 'enum', 'string'],
    ["set('a','b')", 'set', 'string'],
    ['binary(16)', 'bytes', 'bytestring'],
    ['varbinary(255)', 'bytes', 'bytestring'],
    ['varbinary(256)', 'bytes', 'binary'],
    ['tinyblob', 'bytes', 'bytestring'],
    ['blob', 'bytes', 'binary'],
    ['longblob', 'bytes', 'binary'],
  ])('%s reads as %s into a %s field', (type, kind, fieldType) => {
    expect(plan(type)).toMatchObject({ kind, fieldType });
  });

  it('keeps the details a converter needs', () => {
    expect(plan('binary(16)').fixedBytes).toBe(16);
    expect(plan('bit(12)').fixedBytes).toBe(2);
    expect(plan('datetime(3)').fsp).toBe(3);
    expect(plan('decimal(20,6)').scale).toBe(6);
  });

  it('maps an ENUM or SET to text when its values can exceed 191 characters', () => {
    expect(plan(`enum('${'x'.repeat(192)}')`).fieldType).toBe('text');
    expect(plan(`set('${'x'.repeat(100)}','${'y'.repeat(100)}')`).fieldType).toBe('text');
  });

  it('keeps key columns keyable, with a warning where values may not fit', () => {
    expect(plan('bigint(20) unsigned', true)).toMatchObject({
      fieldType: 'integer',
      warnings: [expect.stringContaining('2^63-1')],
    });
    expect(plan('varchar(255)', true)).toMatchObject({
      fieldType: 'string',
      warnings: [expect.stringContaining('191')],
    });
    expect(plan('varbinary(16)', true)).toMatchObject({ fieldType: 'bytestring', warnings: [] });
  });

  it('says clearly which source types cannot be mapped', () => {
    expect(() => plan('geometry')).toThrow(/ctl\.widgets\.c \(geometry\) cannot be mapped: spatial types/);
    expect(() => plan('point')).toThrow(/spatial/);
    expect(() => plan('inet6')).toThrow(/INET6/);
    expect(() => plan('uuid')).toThrow(/UUID/);
    expect(() => plan('vector(3)')).toThrow(/unknown source type "vector"/);
    expect(() => plan('decimal(10,2)', true)).toThrow(
      /key column, and a decimal field cannot be part of a cuttle key/,
    );
    expect(() => plan('text', true)).toThrow(/key column/);
    expect(thrownBy(() => plan('geometry'))).toMatchObject({
      code: 'INVALID_FIELD_TYPE',
      details: { ...ref, sourceType: 'geometry' },
    });
  });
});
