/**
 * The two dialects. Family-table column types are chosen so that a value compares and round-trips
 * exactly the same in ctldb and in every LDB (SQLite):
 *
 * | type       | MariaDB / MySQL                                                   | SQLite (STRICT) |
 * |------------|-------------------------------------------------------------------|-----------------|
 * | string     | VARCHAR(191) utf8mb4, collation utf8mb4_nopad_bin (MariaDB) or     | TEXT            |
 * |            | utf8mb4_0900_bin (MySQL 8): byte order, no case folding, no PAD    |                 |
 * | bytestring | VARBINARY(255)                                                    | BLOB            |
 * | integer    | BIGINT (signed 64-bit)                                            | INTEGER         |
 * | decimal    | VARCHAR(100) ascii_bin, canonical text (lib/schema/values.ts)     | TEXT            |
 * | text       | MEDIUMTEXT utf8mb4_bin                                            | TEXT            |
 * | binary     | LONGBLOB                                                          | BLOB            |
 *
 * ctlstore used `utf8mb4_unicode_ci` keys (case- and trailing-space-insensitive) against SQLite's
 * binary comparison, so 'a' and 'A ' were one row in ctldb and two in the LDB. A PAD SPACE binary
 * collation (utf8mb4_bin) would still make 'a' = 'a '; hence NO PAD. SQLite's default BINARY
 * collation is memcmp over UTF-8, which orders like code points, as the _bin collations do.
 * SQLite family tables are STRICT (no type affinity surprises) and WITHOUT ROWID (the key is the
 * clustered index, as in InnoDB).
 */
import { quoteIdent } from '../schema/names.ts';
import type { FieldType } from '../schema/types.ts';
import type { CtldbDialect } from './dialect.ts';

export type MysqlFlavor = 'mariadb' | 'mysql';

function mysqlColumnType(flavor: MysqlFlavor): (type: FieldType) => string {
  const stringCollation = flavor === 'mariadb' ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin';
  return (type) => {
    switch (type) {
      case 'string':
        return `VARCHAR(191) CHARACTER SET utf8mb4 COLLATE ${stringCollation}`;
      case 'bytestring':
        return 'VARBINARY(255)';
      case 'integer':
        return 'BIGINT';
      case 'decimal':
        return 'VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin';
      case 'text':
        return 'MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin';
      case 'binary':
        return 'LONGBLOB';
    }
  };
}

function sqliteColumnType(type: FieldType): string {
  switch (type) {
    case 'string':
    case 'decimal':
    case 'text':
      return 'TEXT';
    case 'bytestring':
    case 'binary':
      return 'BLOB';
    case 'integer':
      return 'INTEGER';
  }
}

export function mysqlDialect(flavor: MysqlFlavor): CtldbDialect {
  return {
    name: 'mysql',
    columnType: mysqlColumnType(flavor),
    familyTableOptions: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
    forUpdate: ' FOR UPDATE',
    // Understood by MariaDB and by MySQL 8 (where FOR SHARE is the new spelling).
    forShare: ' LOCK IN SHARE MODE',
    upsertClause: (keys, others) =>
      // VALUES(col) is the portable MariaDB/MySQL spelling; MySQL 8.0.20+ deprecates it but keeps it.
      ` ON DUPLICATE KEY UPDATE ${(others.length > 0 ? others : keys.slice(0, 1))
        .map((c) => `${quoteIdent(c)} = VALUES(${quoteIdent(c)})`)
        .join(', ')}`,
    // Placeholders are expanded client-side (mysql-adapter.ts); the bound is max_allowed_packet,
    // which callers respect by chunking on bytes too.
    maxParams: 60_000,
  };
}

export const sqliteDialect: CtldbDialect = {
  name: 'sqlite',
  columnType: sqliteColumnType,
  familyTableOptions: ' STRICT, WITHOUT ROWID',
  forUpdate: '',
  forShare: '',
  upsertClause: (keys, others) =>
    others.length === 0
      ? ` ON CONFLICT (${keys.map(quoteIdent).join(', ')}) DO NOTHING`
      : ` ON CONFLICT (${keys.map(quoteIdent).join(', ')}) DO UPDATE SET ${others
          .map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`)
          .join(', ')}`,
  // SQLITE_MAX_VARIABLE_NUMBER is 32766 since SQLite 3.32.
  maxParams: 32_000,
};
