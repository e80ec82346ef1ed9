import { describe, expect, it } from 'vitest';
import { chunkRows, placeholderRows } from '../../../lib/ctldb/chunks.ts';
import { mysqlDialect, sqliteDialect } from '../../../lib/ctldb/dialects.ts';
import { createFamilyTableSql } from '../../../lib/ctldb/family-sql.ts';
import { Mutex } from '../../../lib/ctldb/mutex.ts';
import { formatMysql, mysqlLiteral } from '../../../lib/ctldb/mysql-format.ts';

describe('mysql literals (NO_BACKSLASH_ESCAPES)', () => {
  it('doubles quotes and leaves backslashes alone', () => {
    expect(mysqlLiteral("it's a \\ test")).toBe("'it''s a \\ test'");
  });
  it('writes bytes as hex and integers exactly', () => {
    expect(mysqlLiteral(Buffer.from([0, 255]))).toBe("X'00ff'");
    expect(mysqlLiteral(Buffer.alloc(0))).toBe("X''");
    expect(mysqlLiteral(-(2n ** 63n))).toBe('-9223372036854775808');
    expect(mysqlLiteral(null)).toBe('NULL');
    expect(() => mysqlLiteral(Number.NaN)).toThrow(RangeError);
  });
  it('expands placeholders in order and checks their count', () => {
    expect(formatMysql('SELECT ? , ?', ['a', 1])).toBe("SELECT 'a' , 1");
    expect(() => formatMysql('SELECT ?', [])).not.toThrow();
    expect(() => formatMysql('SELECT ?', [1, 2])).toThrow(RangeError);
  });
});

describe('chunkRows', () => {
  it('splits on the parameter limit and on bytes', () => {
    expect(chunkRows([1, 2, 3, 4, 5], 2, 4, () => 1).map((c) => c.length)).toEqual([2, 2, 1]);
    expect(chunkRows([5, 5, 5], 1, 100, (n) => n, 10).map((c) => c.length)).toEqual([2, 1]);
    // One item larger than the budget still goes out, alone.
    expect(chunkRows([50, 1], 1, 100, (n) => n, 10).map((c) => c.length)).toEqual([1, 1]);
  });
  it('writes placeholder rows', () => {
    expect(placeholderRows(2, 3)).toBe('(?, ?, ?), (?, ?, ?)');
  });
});

describe('family table DDL', () => {
  const schema = {
    family: 'f',
    table: 'tbl',
    fields: [
      { name: 'k', type: 'string' as const },
      { name: 'order', type: 'decimal' as const },
    ],
    keyFields: ['k'],
  };
  it('uses byte-exact, no-pad collations on MariaDB and MySQL 8', () => {
    expect(createFamilyTableSql(mysqlDialect('mariadb'), schema)).toContain(
      '"k" VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin',
    );
    expect(createFamilyTableSql(mysqlDialect('mysql'), schema)).toContain('utf8mb4_0900_bin');
    expect(createFamilyTableSql(mysqlDialect('mariadb'), schema)).toContain(
      '"order" VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin',
    );
  });
  it('makes STRICT, WITHOUT ROWID tables on SQLite', () => {
    expect(createFamilyTableSql(sqliteDialect, schema)).toBe(
      'CREATE TABLE IF NOT EXISTS "f___tbl" ("k" TEXT, "order" TEXT, PRIMARY KEY ("k")) STRICT, WITHOUT ROWID',
    );
  });
  it('upserts replace every non-key column', () => {
    expect(mysqlDialect('mariadb').upsertClause(['k'], ['a', 'b'])).toBe(
      ' ON DUPLICATE KEY UPDATE "a" = VALUES("a"), "b" = VALUES("b")',
    );
    expect(sqliteDialect.upsertClause(['k'], ['a'])).toBe(
      ' ON CONFLICT ("k") DO UPDATE SET "a" = excluded."a"',
    );
    expect(sqliteDialect.upsertClause(['k'], [])).toBe(' ON CONFLICT ("k") DO NOTHING');
  });
});

describe('Mutex', () => {
  it('runs holders one at a time in arrival order', async () => {
    const mutex = new Mutex();
    const events: string[] = [];
    const hold = (name: string, ms: number) =>
      mutex.lock(async () => {
        events.push(`${name}+`);
        await new Promise((r) => setTimeout(r, ms));
        events.push(`${name}-`);
      });
    await Promise.all([hold('a', 5), hold('b', 1), hold('c', 0)]);
    expect(events).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
  });
});
