/**
 * Migration 3: writer scopes (services/executive/writers/writer-scope.ts).
 *
 * - cuttle_writer_scopes   per writer, the families it may write and read, as JSON
 *                          (`{"families":[...]}` or `{"global":true}`).
 *
 * Writers registered before scopes existed could write every family; they keep that
 * (`{"global":true}`) so an upgrade stops no loader, and an admin narrows them with
 * `cuttle writers scope`. Both statements are idempotent, as migrations.ts requires.
 */
import type { CtldbDialectName } from '../ledger/ddl.ts';

const mysql = [
  `CREATE TABLE IF NOT EXISTS cuttle_writer_scopes (
    writer VARCHAR(50) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    scope_json TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    updated_at BIGINT NOT NULL
  ) ENGINE=InnoDB`,
  `INSERT IGNORE INTO cuttle_writer_scopes (writer, scope_json, updated_at)
    SELECT name, '{"global":true}', updated_at FROM cuttle_writers`,
];

const sqlite = [
  `CREATE TABLE IF NOT EXISTS cuttle_writer_scopes (
    writer TEXT NOT NULL PRIMARY KEY,
    scope_json TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT`,
  `INSERT OR IGNORE INTO cuttle_writer_scopes (writer, scope_json, updated_at)
    SELECT name, '{"global":true}', updated_at FROM cuttle_writers`,
];

export function writerScopesDdl(dialect: CtldbDialectName): string[] {
  return dialect === 'mysql' ? mysql : sqlite;
}
