/**
 * ctldb's own tables (besides the ledger, lib/ledger/ddl.ts, and the family tables):
 *
 * - cuttle_families        one row per family.
 * - cuttle_tables          the table catalog: the schema as JSON plus a version bumped by every
 *                          schema change. The executive reads the catalog, never
 *                          information_schema, and caches it (ctlstore queried information_schema
 *                          on every mutation).
 * - cuttle_writers         name, salted scrypt hash of the secret, the writer's opaque cookie.
 * - cuttle_writer_offsets  per writer and stream (e.g. "topic/partition"): the next offset to send.
 * - cuttle_writer_limits,
 *   cuttle_table_limits    limit settings; the limits engine reads them, the executive only stores them.
 * - cuttle_migrations      which migrations ran (migrations.ts).
 * Times are milliseconds since the epoch in BIGINT, the same on both dialects.
 */
import type { CtldbDialectName } from '../ledger/ddl.ts';

const ASCII = 'CHARACTER SET ascii COLLATE ascii_bin';

const mysql = [
  `CREATE TABLE IF NOT EXISTS cuttle_families (
    name VARCHAR(30) ${ASCII} NOT NULL PRIMARY KEY,
    created_at BIGINT NOT NULL
  ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS cuttle_tables (
    family VARCHAR(30) ${ASCII} NOT NULL,
    table_name VARCHAR(50) ${ASCII} NOT NULL,
    schema_json MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (family, table_name)
  ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS cuttle_writers (
    name VARCHAR(50) ${ASCII} NOT NULL PRIMARY KEY,
    secret_hash VARCHAR(255) ${ASCII} NOT NULL,
    cookie VARBINARY(1024) NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS cuttle_writer_offsets (
    writer VARCHAR(50) ${ASCII} NOT NULL,
    stream VARCHAR(255) ${ASCII} NOT NULL,
    next_offset VARCHAR(255) ${ASCII} NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (writer, stream)
  ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS cuttle_writer_limits (
    writer VARCHAR(50) ${ASCII} NOT NULL PRIMARY KEY,
    rate_amount BIGINT NOT NULL,
    rate_period_ms BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS cuttle_table_limits (
    family VARCHAR(30) ${ASCII} NOT NULL,
    table_name VARCHAR(50) ${ASCII} NOT NULL,
    rate_amount BIGINT NULL,
    rate_period_ms BIGINT NULL,
    warn_bytes BIGINT NULL,
    max_bytes BIGINT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (family, table_name)
  ) ENGINE=InnoDB`,
];

const sqlite = [
  `CREATE TABLE IF NOT EXISTS cuttle_families (
    name TEXT NOT NULL PRIMARY KEY,
    created_at INTEGER NOT NULL
  ) STRICT`,
  `CREATE TABLE IF NOT EXISTS cuttle_tables (
    family TEXT NOT NULL,
    table_name TEXT NOT NULL,
    schema_json TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (family, table_name)
  ) STRICT`,
  `CREATE TABLE IF NOT EXISTS cuttle_writers (
    name TEXT NOT NULL PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    cookie BLOB NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT`,
  `CREATE TABLE IF NOT EXISTS cuttle_writer_offsets (
    writer TEXT NOT NULL,
    stream TEXT NOT NULL,
    next_offset TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (writer, stream)
  ) STRICT`,
  `CREATE TABLE IF NOT EXISTS cuttle_writer_limits (
    writer TEXT NOT NULL PRIMARY KEY,
    rate_amount INTEGER NOT NULL,
    rate_period_ms INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT`,
  `CREATE TABLE IF NOT EXISTS cuttle_table_limits (
    family TEXT NOT NULL,
    table_name TEXT NOT NULL,
    rate_amount INTEGER NULL,
    rate_period_ms INTEGER NULL,
    warn_bytes INTEGER NULL,
    max_bytes INTEGER NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (family, table_name)
  ) STRICT`,
];

export function catalogDdl(dialect: CtldbDialectName): string[] {
  return dialect === 'mysql' ? mysql : sqlite;
}
