import { describe, expect, it } from 'vitest';
import { parseColumnType } from '../../../services/loader/mapping/column-type.ts';
import { keepsValues } from '../../../services/loader/mapping/widening.ts';

const keeps = (from: string, to: string): boolean => keepsValues(parseColumnType(from), parseColumnType(to));

describe('keepsValues: type changes the loader follows by itself', () => {
  it('follows widenings, where every value stays the same cuttle value', () => {
    expect(keeps('int(11)', 'bigint(20)')).toBe(true);
    expect(keeps('tinyint(4)', 'smallint(6)')).toBe(true);
    expect(keeps('int(10) unsigned', 'bigint(20)')).toBe(true);
    expect(keeps('int(11)', 'int(20)')).toBe(true);
    expect(keeps('varchar(10)', 'varchar(100)')).toBe(true);
    expect(keeps('char(5)', 'char(10)')).toBe(true);
    expect(keeps('varbinary(4)', 'varbinary(16)')).toBe(true);
    expect(keeps('decimal(10,2)', 'decimal(12,3)')).toBe(true);
    expect(keeps('decimal(10,2) unsigned', 'decimal(10,2)')).toBe(true);
    expect(keeps('tinytext', 'mediumtext')).toBe(true);
    expect(keeps('blob', 'longblob')).toBe(true);
    expect(keeps("enum('a','b')", "enum('a','b','c')")).toBe(true);
    expect(keeps("set('r','w')", "set('r','w','x')")).toBe(true);
    expect(keeps('datetime(3)', 'datetime(3)')).toBe(true);
  });

  it('holds narrowings and changes of what a value looks like', () => {
    expect(keeps('bigint(20)', 'int(11)')).toBe(false);
    expect(keeps('int(11)', 'int(10) unsigned')).toBe(false);
    expect(keeps('int(10) unsigned', 'int(11)')).toBe(false);
    expect(keeps('varchar(100)', 'varchar(10)')).toBe(false);
    expect(keeps('decimal(10,2)', 'decimal(10,3)')).toBe(false);
    expect(keeps('decimal(10,2)', 'decimal(12,1)')).toBe(false);
    expect(keeps('float', 'double')).toBe(false);
    expect(keeps('datetime', 'datetime(3)')).toBe(false);
    expect(keeps('binary(4)', 'binary(8)')).toBe(false);
    expect(keeps('mediumtext', 'text')).toBe(false);
    expect(keeps("enum('a','b')", "enum('b','a')")).toBe(false);
    expect(keeps('int(11)', 'varchar(20)')).toBe(false);
  });
});
