/** Opens ctldb by driver name, for composition roots and test fixtures. */
import type { Ctldb } from './dialect.ts';
import { migrate } from './migrations.ts';
import { openMysqlCtldb } from './mysql-adapter.ts';
import { openSqliteCtldb } from './sqlite-adapter.ts';

export type CtldbConnectOptions =
  | { readonly driver: 'mysql'; readonly url: string; readonly connectionLimit?: number }
  | { readonly driver: 'sqlite'; readonly path: string };

export async function openCtldb(options: CtldbConnectOptions, { runMigrations = true } = {}): Promise<Ctldb> {
  const ctldb =
    options.driver === 'mysql'
      ? await openMysqlCtldb({
          url: options.url,
          ...(options.connectionLimit === undefined ? {} : { connectionLimit: options.connectionLimit }),
        })
      : await openSqliteCtldb({ path: options.path });
  if (runMigrations) {
    try {
      await migrate(ctldb);
    } catch (err) {
      await ctldb.close();
      throw err;
    }
  }
  return ctldb;
}
