/**
 * Migrations of ctldb's own tables, one list for both dialects. Each migration is a list of
 * idempotent statements (CREATE … IF NOT EXISTS), recorded in cuttle_migrations once it has run.
 * MySQL commits DDL implicitly, so a migration interrupted half-way is simply run again from its
 * first statement on the next start; that is why every statement must be idempotent. The runner
 * holds the schema lock, so several executives starting at once do not race.
 */
import { ledgerDdl, type CtldbDialectName } from '../ledger/ddl.ts';
import { catalogDdl } from './catalog-ddl.ts';
import type { Ctldb } from './dialect.ts';
import { writerScopesDdl } from './writer-scopes-ddl.ts';

export interface Migration {
  readonly id: number;
  readonly name: string;
  statements(dialect: CtldbDialectName): readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  { id: 1, name: 'catalog, writers, offsets, limits', statements: catalogDdl },
  { id: 2, name: 'ledger and ledger head', statements: ledgerDdl },
  { id: 3, name: 'writer scopes', statements: writerScopesDdl },
];

function migrationsTableDdl(dialect: CtldbDialectName): string {
  return dialect === 'mysql'
    ? `CREATE TABLE IF NOT EXISTS cuttle_migrations (
        id INT NOT NULL PRIMARY KEY,
        name VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
        applied_at BIGINT NOT NULL
      ) ENGINE=InnoDB`
    : `CREATE TABLE IF NOT EXISTS cuttle_migrations (
        id INTEGER NOT NULL PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at INTEGER NOT NULL
      ) STRICT`;
}

/** Runs every migration not yet recorded; returns the ids it ran. */
export async function migrate(
  ctldb: Ctldb,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  return ctldb.withSchemaLock(async () => {
    await ctldb.ddl(migrationsTableDdl(ctldb.dialect.name));
    const applied = new Set((await ctldb.all('SELECT id FROM cuttle_migrations')).map((r) => Number(r.id)));
    const ran: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.id)) continue;
      for (const statement of migration.statements(ctldb.dialect.name)) await ctldb.ddl(statement);
      await ctldb.run('INSERT INTO cuttle_migrations (id, name, applied_at) VALUES (?, ?, ?)', [
        migration.id,
        migration.name,
        Date.now(),
      ]);
      ran.push(migration.id);
    }
    return ran;
  });
}
